"""The back office for the money. Allocations and transactions are written through the API, whose services keep
every programme within its budget and every allocation's running sums within its amount under row locks, so they
are read-only here; transactions are never changed or deleted anywhere. Co-financing has no such rules: edited here."""

from django.contrib import admin

from api.admin import RecordAdmin

from .models import Allocation, CoFinancing, Transaction


@admin.register(Allocation)
class AllocationAdmin(RecordAdmin):
    list_display = ["programme", "project", "year", "amount", "committed", "disbursed", "spent"]
    list_select_related = ["programme", "project"]
    list_filter = ["programme", "year"]
    search_fields = ["project__name", "programme__name"]


@admin.register(Transaction)
class TransactionAdmin(RecordAdmin):
    list_display = ["date", "kind", "amount", "allocation", "receiver", "created_by"]
    list_select_related = ["allocation__programme", "allocation__project", "receiver", "created_by"]
    list_filter = ["kind", "allocation__programme"]
    search_fields = ["description", "allocation__project__name"]


@admin.register(CoFinancing)
class CoFinancingAdmin(admin.ModelAdmin):
    list_display = ["project", "organisation", "year", "amount", "form", "sector"]
    list_select_related = ["project", "organisation"]
    list_filter = ["year", "form", "sector"]
    search_fields = ["project__name", "organisation__name"]
    autocomplete_fields = ["project", "organisation"]
