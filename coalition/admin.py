"""The back office for coordinators: the coalition's neighbourhoods, partners, programmes and people.

The admin validates what the API's services validate, by calling the same checks from its forms."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Count

from api.problems import Conflict

from .models import MAX_CHECK_IN_DAY, Neighbourhood, Organisation, Programme, Project, ProjectDomain, Role, User
from .services import (
    check_allocations_fit,
    check_caseload,
    check_domains,
    check_role_fits_organisation,
    user_back_office_sync,
)


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "resident_count"]
    list_filter = ["city"]
    search_fields = ["name", "city"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(resident_count=Count("residents"))

    @admin.display(description="residents", ordering="resident_count")
    def resident_count(self, neighbourhood: Neighbourhood) -> int:
        return neighbourhood.resident_count


class OrganisationForm(forms.ModelForm):
    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        if self.instance.pk and kind != self.instance.kind:  # the same check as organisation_update
            for member in self.instance.members.all():
                try:
                    check_role_fits_organisation(role=member.role, kind=kind)
                except ValidationError as exc:
                    raise ValidationError(f"{member.username}: {exc.message_dict['organisation'][0]}") from exc
        return kind


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    list_display = ["name", "kind", "is_active", "member_count"]
    list_filter = ["kind", "is_active", "neighbourhoods"]
    search_fields = ["name"]
    filter_horizontal = ["neighbourhoods"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description="members", ordering="member_count")
    def member_count(self, organisation: Organisation) -> int:
        return organisation.member_count


class CheckInDaysField(forms.CharField):
    """The check-in cadence as a coordinator types it, `7, 30, 90`, kept as the sorted list the services keep."""

    def prepare_value(self, value):
        return ", ".join(map(str, value)) if isinstance(value, list) else value

    def to_python(self, value):
        try:
            days = sorted({int(day) for day in (super().to_python(value) or "").split(",") if day.strip()})
        except ValueError as exc:
            raise ValidationError("Give whole numbers of days, separated by commas.") from exc
        if not days or not all(1 <= day <= MAX_CHECK_IN_DAY for day in days):
            raise ValidationError(f"Give at least one day, each from 1 to {MAX_CHECK_IN_DAY}.")
        return days


class ProgrammeForm(forms.ModelForm):
    check_in_days = CheckInDaysField(help_text=Programme._meta.get_field("check_in_days").help_text)

    def clean(self):
        cleaned = super().clean()
        dates = cleaned.get("starts_on"), cleaned.get("ends_on")
        if self.instance.pk is not None and "budget" in cleaned and all(dates):
            try:
                check_allocations_fit(
                    programme=self.instance, budget=cleaned["budget"], starts_on=dates[0], ends_on=dates[1]
                )
            except Conflict as exc:
                raise ValidationError(exc.detail) from exc
        return cleaned


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    form = ProgrammeForm
    list_display = ["name", "kind", "budget", "starts_on", "ends_on", "check_in_days", "resident_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(resident_count=Count("residents"))

    @admin.display(description="residents", ordering="resident_count")
    def resident_count(self, programme: Programme) -> int:
        return programme.resident_count


class RoleFitsOrganisation:
    """A user's organisation must fit their role (an employer's staff work for an employer), and a coach keeps
    their role while they coach anyone, as in the API."""

    def clean(self):
        cleaned = super().clean()
        if "role" in cleaned:
            organisation = cleaned.get("organisation")
            check_role_fits_organisation(role=cleaned["role"], kind=organisation.kind if organisation else None)
            try:
                is_active = cleaned.get("is_active", self.instance.is_active)
                check_caseload(user=self.instance, role=cleaned["role"], is_active=is_active)
            except Conflict as exc:
                raise ValidationError(exc.detail) from exc
        return cleaned


class CoalitionUserCreationForm(RoleFitsOrganisation, AdminUserCreationForm):
    pass


class CoalitionUserChangeForm(RoleFitsOrganisation, UserChangeForm):
    pass


@admin.register(User)
class CoalitionUserAdmin(UserAdmin):
    form = CoalitionUserChangeForm
    add_form = CoalitionUserCreationForm
    fieldsets = (
        UserAdmin.fieldsets[0],
        UserAdmin.fieldsets[1],
        ("Coalition", {"fields": ("role", "organisation")}),
        *UserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        ("Coalition", {"fields": ("role", "organisation", "first_name", "last_name", "email")}),
    )
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_staff", "is_active"]
    list_filter = ["role", "organisation__kind", "is_staff", "is_superuser", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["is_staff"]  # follows the role: coordinators, and only they, work here (user_back_office_sync)

    # Only a superuser hands out superuser rights, groups and permissions: a coordinator with access to this page
    # could otherwise raise themselves above the back office.
    SUPERUSER_ONLY = {"is_superuser", "groups", "user_permissions"}

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in self.SUPERUSER_ONLY]})
            for name, options in fieldsets
        ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # groups first, so the sync has the last word
        user_back_office_sync(user=form.instance)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name") == "coach":  # the autocomplete of a resident's coach offers coaches only
            queryset = queryset.filter(role=Role.COACH)
        return queryset, may_have_duplicates


class ProjectDomainFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        domains = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and "domain" in form.cleaned_data
        ]
        try:  # the same check as the API's services
            check_domains(domains)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["domains"]) from exc


class ProjectDomainInline(admin.TabularInline):
    model = ProjectDomain
    formset = ProjectDomainFormSet
    extra = 0
    min_num = 1


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Projects; `stopped` is set by an evaluation that decided to stop, never here."""

    inlines = [ProjectDomainInline]
    list_display = ["name", "lead_organisation", "starts_on", "ends_on", "status", "is_pearl"]
    list_select_related = ["lead_organisation"]
    list_filter = ["lead_organisation__kind", "neighbourhoods"]
    search_fields = ["name"]
    filter_horizontal = ["partners", "neighbourhoods"]
    autocomplete_fields = ["lead_organisation", "successor_funder"]
    readonly_fields = ["stopped_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("domains")

    @admin.display(boolean=True, description="pearl")
    def is_pearl(self, project: Project) -> bool:
        return project.is_pearl


@admin.register(ProjectDomain)
class ProjectDomainAdmin(admin.ModelAdmin):
    """The domains of every project at a glance; their shares are changed on the project's page, where they are
    checked to add up to 100 together."""

    list_display = ["project", "domain", "share"]
    list_filter = ["domain"]
    list_select_related = ["project"]
    search_fields = ["project__name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
