"""The back office for residents and their pathways, and what the other packages' pages share: read-only inlines
and a resident column for the rows that hang below a pathway (pathways/admin.py says why stages and statuses are
read-only here)."""

from django import forms
from django.contrib import admin

from api.admin import RecordAdmin
from coalition.models import Role, User

from ..learning.models import Enrolment
from ..placements.models import Placement
from . import services
from .models import Pathway, Resident, StageChange

RESIDENT_SEARCH = ["first_name", "last_name", "email", "phone"]


def resident_search(path: str) -> list[str]:
    return [f"{path}__{field}" for field in RESIDENT_SEARCH]


class RecordInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True
    select_related: tuple[str, ...] = ()

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.select_related)


class ResidentDisplay:
    """A `resident` column for rows that hang below a pathway."""

    resident_path = "pathway__resident"

    @admin.display(description="resident")
    def resident(self, obj) -> Resident:
        for part in self.resident_path.split("__"):
            obj = getattr(obj, part)
        return obj

    def has_change_permission(self, request, obj=None) -> bool:
        # An erased resident's file is read-only (contract §10), here as in the API.
        return super().has_change_permission(request, obj) and (obj is None or self.resident(obj).erased_at is None)


# --- Residents and pathways -----------------------------------------------------------------------------------


class PathwayInline(RecordInline):
    model = Pathway
    fields = ["stage", "started_at", "closed_at", "exit_reason"]


class ResidentForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        services.check_resident(  # the checks resident_create and resident_update make
            consent_given_at=cleaned.get("consent_given_at"),
            date_of_birth=cleaned.get("date_of_birth"),
            coach=cleaned.get("coach"),
        )
        return cleaned


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    form = ResidentForm
    list_display = ["last_name", "first_name", "stage", "neighbourhood", "coach", "programme", "created_at"]
    list_filter = ["current_pathway__stage", "neighbourhood", "programme", ("coach", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["current_pathway", "neighbourhood", "coach", "programme"]
    search_fields = RESIDENT_SEARCH
    date_hierarchy = "created_at"
    autocomplete_fields = ["coach"]
    readonly_fields = ["current_pathway", "created_at"]
    inlines = [PathwayInline]

    @admin.display(description="stage", ordering="current_pathway__stage")
    def stage(self, resident: Resident) -> str:
        return resident.current_pathway.get_stage_display() if resident.current_pathway else "—"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "coach":
            kwargs["queryset"] = User.objects.filter(role=Role.COACH)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # as resident_create does: every resident has a pathway, opened at intake
            services.pathway_open(resident=obj, by=request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        # An erased resident is read-only (contract §10), here as in the API.
        return super().has_change_permission(request, obj) and (obj is None or obj.erased_at is None)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StageChangeInline(RecordInline):
    model = StageChange
    fields = ["sequence", "from_stage", "to_stage", "at", "by", "note"]
    select_related = ("by",)
    show_change_link = False


class EnrolmentInline(RecordInline):
    model = Enrolment
    fields = ["module", "status", "enrolled_at", "completed_at", "dropped_at", "attended_hours"]
    select_related = ("module",)


class PlacementInline(RecordInline):
    model = Placement
    fields = ["job_title", "employer", "status", "start_date", "end_date", "end_reason"]
    select_related = ("employer",)


@admin.register(Pathway)
class PathwayAdmin(RecordAdmin):
    list_display = ["__str__", "resident", "stage", "started_at", "closed_at"]
    list_filter = ["stage", "resident__neighbourhood", "resident__programme"]
    list_select_related = ["resident"]
    search_fields = resident_search("resident")
    date_hierarchy = "started_at"
    inlines = [StageChangeInline, EnrolmentInline, PlacementInline]


@admin.register(StageChange)
class StageChangeAdmin(ResidentDisplay, RecordAdmin):
    list_display = ["pathway", "resident", "sequence", "from_stage", "to_stage", "at", "by"]
    list_filter = ["to_stage", "from_stage"]
    list_select_related = ["pathway__resident", "by"]
    search_fields = [*resident_search("pathway__resident"), "note"]
    date_hierarchy = "at"
