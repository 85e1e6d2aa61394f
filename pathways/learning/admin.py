"""The back office for modules and enrolments."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q

from api.admin import RecordAdmin

from ..journey.admin import ResidentDisplay, resident_search
from .models import Enrolment, Module


class ModuleForm(forms.ModelForm):
    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk:  # the check module_update makes
            seated = self.instance.enrolments.filter(status__in=Enrolment.SEATED).count()
            if capacity < seated:
                raise forms.ValidationError(f"{seated} residents already hold a seat; the capacity cannot go below.")
        return capacity


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    form = ModuleForm
    list_display = ["title", "theme", "provider", "hours", "seats_taken", "capacity", "starts_on", "ends_on"]
    list_filter = ["theme", "provider"]
    list_select_related = ["provider"]
    search_fields = ["title", "provider__name"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["provider"]

    def get_queryset(self, request):
        seated = Count("enrolments", filter=Q(enrolments__status__in=Enrolment.SEATED))
        return super().get_queryset(request).annotate(seats_taken=seated)

    @admin.display(description="seats taken", ordering="seats_taken")
    def seats_taken(self, module: Module) -> int:
        return module.seats_taken


@admin.register(Enrolment)
class EnrolmentAdmin(ResidentDisplay, RecordAdmin):
    list_display = ["resident", "module", "status", "enrolled_at", "completed_at", "dropped_at", "attended_hours"]
    list_filter = ["status", "module__theme", "module__provider"]
    list_select_related = ["pathway__resident", "module"]
    search_fields = [*resident_search("pathway__resident"), "module__title"]
    date_hierarchy = "enrolled_at"
