"""Every write to the coalition: organisations, neighbourhoods, programmes, users, and logging in."""

import hashlib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from knox.models import AuthToken

from api.problems import BudgetExceeded, Conflict
from api.services import model_update
from api.throttling import cache_count

from .models import ROLE_ORGANISATION_KINDS, Neighbourhood, Organisation, Programme, Project, ProjectDomain, Role, User

BACK_OFFICE = "Back office"  # the group of every coordinator: the admin (/admin/) over the coalition's records
BACK_OFFICE_APPS = ("coalition", "pathways", "evaluation", "funding")


class LoginSlowedDown(Exception):
    """Too many failed logins for a username: every login for it is refused for `wait` seconds."""

    def __init__(self, wait: int):
        super().__init__("Too many failed logins for this username.")  # DRF's 429 adds when to try again
        self.wait = wait


def neighbourhood_create(*, name: str, city: str) -> Neighbourhood:
    return Neighbourhood.objects.create(name=name, city=city)


def neighbourhood_update(*, neighbourhood: Neighbourhood, data: dict) -> Neighbourhood:
    return model_update(instance=neighbourhood, data=data)


@transaction.atomic
def organisation_create(
    *, name: str, kind: str, neighbourhoods: Iterable[Neighbourhood] = (), is_active: bool = True
) -> Organisation:
    organisation = Organisation.objects.create(name=name, kind=kind, is_active=is_active)
    organisation.neighbourhoods.set(neighbourhoods)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, data: dict) -> Organisation:
    if "kind" in data and data["kind"] != organisation.kind:
        for member in organisation.members.all():
            check_role_fits_organisation(role=member.role, kind=data["kind"])
    return model_update(instance=organisation, data=data)


def programme_create(
    *,
    name: str,
    budget: Decimal,
    starts_on: date,
    ends_on: date,
    kind: str = Programme.Kind.OTHER,
    funder: Organisation | None = None,
    co_financing_ratio: Decimal = Decimal("0.00"),
    check_in_days: list[int] | None = None,
) -> Programme:
    _check_period(starts_on, ends_on)
    return Programme.objects.create(
        name=name,
        kind=kind,
        funder=funder,
        budget=budget,
        co_financing_ratio=co_financing_ratio,
        starts_on=starts_on,
        ends_on=ends_on,
        **({"check_in_days": sorted(set(check_in_days))} if check_in_days else {}),
    )


@transaction.atomic
def programme_update(*, programme: Programme, data: dict) -> Programme:
    starts_on, ends_on = data.get("starts_on", programme.starts_on), data.get("ends_on", programme.ends_on)
    _check_period(starts_on, ends_on)
    # Under the programme's lock, which funding.services takes before it allocates.
    programme = Programme.objects.select_for_update(no_key=True).get(pk=programme.pk)
    check_allocations_fit(
        programme=programme, budget=data.get("budget", programme.budget), starts_on=starts_on, ends_on=ends_on
    )
    if "check_in_days" in data:
        data = {**data, "check_in_days": sorted(set(data["check_in_days"]))}
    return model_update(instance=programme, data=data)


def check_allocations_fit(*, programme: Programme, budget: Decimal, starts_on: date, ends_on: date) -> None:
    """What the programme allocated (contract §12) stays within its budget and its years. (The allocations are
    read through their reverse relation: coalition imports nothing of funding.)"""
    allocations = programme.allocations.all()
    allocated = allocations.aggregate(total=Sum("amount", default=0))["total"]
    if budget < allocated:
        raise BudgetExceeded(f"€{allocated:,.2f} is allocated from this programme: its budget cannot go below that.")
    if allocations.exclude(year__range=(starts_on.year, ends_on.year)).exists():
        raise Conflict("The programme has allocations in years outside these dates.")


def _check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "Must not lie before the start."})


def check_role_fits_organisation(*, role: str, kind: str | None) -> None:
    kinds = ROLE_ORGANISATION_KINDS[role]
    if kinds is not None and kind not in kinds:
        raise ValidationError(
            {
                "organisation": f"A user with role '{role}' belongs to an organisation of kind "
                f"{' or '.join(sorted(kinds))}."
            }
        )


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    organisation: Organisation | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_active: bool = True,
) -> User:
    check_role_fits_organisation(role=role, kind=organisation.kind if organisation else None)
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        organisation=organisation,
        is_active=is_active,
    )
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    user_back_office_sync(user=user)
    return user


def check_caseload(*, user: User, role: str, is_active: bool) -> None:
    """A coach keeps their role, and stays active, while anyone is theirs to coach (erased residents too: the
    reminders about them still go to their coach): otherwise reminders would reach someone who may not see them."""
    if user.pk is None or user.role != Role.COACH or (role == Role.COACH and is_active):
        return
    coached = user.caseload.count()
    if coached:
        raise Conflict(
            f"This user still coaches {coached} resident(s); reassign them before changing the role or deactivating."
        )


@transaction.atomic
def user_update(*, user: User, data: dict) -> User:
    # Locked: a resident being assigned to this coach meanwhile (pathways' resident services lock the coach too)
    # is either counted below or finds the role changed.
    user = User.objects.select_for_update().get(pk=user.pk)
    role = data.get("role", user.role)
    check_caseload(user=user, role=role, is_active=data.get("is_active", user.is_active))
    organisation = data.get("organisation", user.organisation)
    check_role_fits_organisation(role=role, kind=organisation.kind if organisation else None)
    password = data.pop("password", None)
    user = model_update(instance=user, data=data)
    if password is not None:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
        user.save(update_fields=["password"])
        AuthToken.objects.filter(user=user).delete()  # a new password ends every session of the old one
    user_back_office_sync(user=user)
    return user


def user_back_office_sync(*, user: User) -> None:
    """Coordinators (superusers among them) work in the back office, with the Back office group's permissions
    over the coalition's records; nobody else gets in. Called after every change to a user."""
    coordinator = user.acting_role == Role.COORDINATOR
    if user.is_staff != coordinator:
        user.is_staff = coordinator
        user.save(update_fields=["is_staff"])
    group, _ = Group.objects.get_or_create(name=BACK_OFFICE)
    if coordinator:
        # Set each time, so that the permissions of models added since are granted too.
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=BACK_OFFICE_APPS))
        user.groups.add(group)
    else:
        user.groups.remove(group)


class _LoginFailures:
    """The failed logins of one username in its window, which starts at the first failure. Each failure is one
    atomic increment in the shared cache, so that however many arrive at once, only `LOGIN_FAILURE_LIMIT` of
    them are answered as failures and the rest as slowed down."""

    def __init__(self, username: str):
        # Hashed: any text can be a username, and not every text is a portable cache key.
        self.key = f"login-failures:{hashlib.sha256(username.casefold().encode()).hexdigest()}"
        self.now = timezone.now().timestamp()

    def _until(self) -> float | None:
        """When the current window ends, or None outside one (by the clock the window was set by)."""
        until = cache.get(self.key)
        if until is not None and until <= self.now:  # passed by the clock, though not yet by the cache's
            cache.delete(self.key)
            return None
        return until

    def _count_key(self, until: float) -> str:
        return f"{self.key}:{until}"  # a window of its own for each start, so a new one starts at nought

    def _seconds_left(self, until: float) -> int:
        return max(1, int(until - self.now))

    def refuse_if_slowed(self) -> None:
        until = self._until()
        if until is not None and (cache.get(self._count_key(until)) or 0) >= settings.LOGIN_FAILURE_LIMIT:
            raise LoginSlowedDown(wait=self._seconds_left(until))

    def count_one(self) -> None:
        """Counts a failure; past the limit, it too is answered as slowed down."""
        until = self._until()
        if until is None:
            window = settings.LOGIN_FAILURE_WINDOW.total_seconds()
            cache.add(self.key, self.now + window, timeout=int(window))
            until = cache.get(self.key, self.now + window)  # whoever added first set the window for all
        if cache_count(self._count_key(until), self._seconds_left(until)) > settings.LOGIN_FAILURE_LIMIT:
            raise LoginSlowedDown(wait=self._seconds_left(until))

    def forgive(self) -> None:
        cache.delete(self.key)


def auth_token_create(*, username: str, password: str, request=None) -> str:
    """A new API token for valid credentials. Failed attempts per username are counted; past the limit every
    attempt (right password or not) is refused until the window since the first failure has passed."""
    failures = _LoginFailures(username)
    failures.refuse_if_slowed()
    user = authenticate(request, username=username, password=password)
    if user is None:
        failures.count_one()
        raise ValidationError("Unable to log in with the given username and password.")
    failures.refuse_if_slowed()  # failures counted by attempts running alongside this one
    failures.forgive()
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()  # not on every request, as knox does
    _instance, token = AuthToken.objects.create(user=user)
    return token


def auth_token_revoke(*, token: AuthToken) -> None:
    token.delete()


# --- Projects -------------------------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    name: str,
    lead_organisation: Organisation,
    domains: list[dict],
    starts_on: date,
    description: str = "",
    partners: Iterable[Organisation] = (),
    neighbourhoods: Iterable[Neighbourhood] = (),
    ends_on: date | None = None,
    location: dict | None = None,
    continuity: dict | None = None,
    risks: list[dict] | None = None,
) -> Project:
    check_project_period(starts_on=starts_on, ends_on=ends_on)
    project = Project.objects.create(
        name=name,
        description=description,
        lead_organisation=lead_organisation,
        starts_on=starts_on,
        ends_on=ends_on,
        risks=list(risks or []),
        **_location_columns(location),
        **_continuity_columns(continuity or {}),
    )
    project.partners.set(partners)
    project.neighbourhoods.set(neighbourhoods)
    _domains_set(project, domains)
    return project


@transaction.atomic
def project_update(*, project: Project, data: dict) -> Project:
    project = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    data = dict(data)
    check_project_period(
        starts_on=data.get("starts_on", project.starts_on), ends_on=data.get("ends_on", project.ends_on)
    )
    if "domains" in data:
        _domains_set(project, data.pop("domains"))
    if "location" in data:
        data.update(_location_columns(data.pop("location")))
    if "continuity" in data:
        data.update(_continuity_columns(data.pop("continuity")))
    if "risks" in data:
        data["risks"] = list(data["risks"])
    return model_update(instance=project, data=data)


def check_project_period(*, starts_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "Must not lie before the start."})


def check_domains(domains: list[dict]) -> None:
    """Each domain at most once, with whole-number shares adding up to exactly 100."""
    names = [item["domain"] for item in domains]
    if len(set(names)) != len(names):
        raise ValidationError({"domains": "Name each domain at most once."})
    total = sum(item["share"] for item in domains)
    if total != 100:
        raise ValidationError({"domains": f"The shares must add up to 100, not {total}."})


def _domains_set(project: Project, domains: list[dict]) -> None:
    check_domains(domains)
    project.domains.all().delete()
    ProjectDomain.objects.bulk_create(
        ProjectDomain(project=project, domain=item["domain"], share=item["share"]) for item in domains
    )


def _location_columns(location: dict | None) -> dict:
    location = location or {}
    return {"location_name": location.get("name", ""), "location_demolition_on": location.get("demolition_on")}


_CONTINUITY_COLUMNS = {
    "funded_until": "funded_until",
    "plan": "continuity_plan",
    "successor_funder": "successor_funder",
}


def _continuity_columns(continuity: dict) -> dict:
    """The columns of what was given: a partial change of `continuity` leaves the rest as it was."""
    return {_CONTINUITY_COLUMNS[key]: value for key, value in continuity.items()}
