"""The world a request runs in (two of everything a scope hangs on) and the body each write sends."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import factory
from django.core.cache import cache
from django.utils import timezone

from coalition.models import User
from tests.factories import (
    PASSWORD,
    AccessLogEntryFactory,
    AllocationFactory,
    CheckInFactory,
    CoFinancingFactory,
    EnrolmentFactory,
    EvaluationFactory,
    IndicatorFactory,
    IndicatorPeriodFactory,
    ModuleFactory,
    NeighbourhoodFactory,
    NotificationFactory,
    OrganisationFactory,
    PathwayFactory,
    PlacementFactory,
    ProgrammeFactory,
    ProjectFactory,
    ResidentFactory,
    ResultFactory,
    TransactionFactory,
    UserFactory,
)
from tests.harness.routes import ROUTES, Route

IN, OUT = "in", "out"

_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix} {next(_names)}"


@dataclass
class World:
    """Two of everything a scope hangs on: the caller's (inside) and someone else's (outside)."""

    coach: User
    other_coach: User
    employer: object
    other_employer: object
    provider: object
    other_provider: object
    caller: User | None = None

    def coach_of(self, side: str) -> User:
        return self.coach if side == IN else self.other_coach

    def employer_of(self, side: str):
        return self.employer if side == IN else self.other_employer

    def provider_of(self, side: str):
        return self.provider if side == IN else self.other_provider

    def project_of(self, side: str):
        """A project the caller is a member of (its organisation leads it), or one they are not."""
        organisation = self.caller and self.caller.organisation
        return ProjectFactory(**({"lead_organisation": organisation} if side == IN and organisation else {}))

    def sign_in(self, role: str) -> User | None:
        self.caller = {
            "coordinator": lambda: UserFactory(coordinator=True),
            "superuser": lambda: UserFactory(superuser=True),
            "coach": lambda: self.coach,
            "employer": lambda: UserFactory(employer=True, organisation=self.employer),
            "educator": lambda: UserFactory(educator=True, organisation=self.provider),
            "partner": lambda: UserFactory(partner=True),
            "anonymous": lambda: None,
        }[role]()
        return self.caller

    def make(self, basename: str, side: str, **state):
        """One object of the endpoint, inside (`IN`) or outside (`OUT`) the scope of every non-coordinator role."""
        coach, employer, provider = self.coach_of(side), self.employer_of(side), self.provider_of(side)
        builders: dict[str, Callable] = {
            "organisation": lambda: OrganisationFactory(**state),
            "neighbourhood": lambda: NeighbourhoodFactory(**state),
            "programme": lambda: ProgrammeFactory(**state),
            "user": lambda: UserFactory(**state),
            "resident": lambda: ResidentFactory(coach=coach, **state),
            "pathway": lambda: PathwayFactory(resident__coach=coach, **state),
            "module": lambda: ModuleFactory(provider=provider, **state),
            "enrolment": lambda: EnrolmentFactory(pathway__resident__coach=coach, module__provider=provider, **state),
            "placement": lambda: PlacementFactory(pathway__resident__coach=coach, employer=employer, **state),
            "check-in": lambda: CheckInFactory(
                placement__pathway__resident__coach=coach, placement__employer=employer, **state
            ),
            "notification": lambda: NotificationFactory(
                recipient=self.caller if side == IN and self.caller else self.other_coach, **state
            ),
            "access-log": lambda: AccessLogEntryFactory(resident__coach=coach, **state),
            "project": lambda: ProjectFactory(**state),
            "indicator": lambda: IndicatorFactory(**state),
            "indicator-period": lambda: IndicatorPeriodFactory(project=self.project_of(side), **state),
            "result": lambda: ResultFactory(period__project=self.project_of(side), **state),
            "evaluation": lambda: EvaluationFactory(project=self.project_of(side), **state),
            # Money: coordinators only, so no side of it lies in another role's scope.
            "allocation": lambda: AllocationFactory(**state),
            "transaction": lambda: TransactionFactory(**state),
            "co-financing": lambda: CoFinancingFactory(**state),
        }
        return builders[basename]()


def new_world() -> World:
    cache.clear()  # the throttles count requests in the cache; these tests make many
    return World(
        coach=UserFactory(coach=True),
        other_coach=UserFactory(coach=True),
        employer=OrganisationFactory(employer=True),
        other_employer=OrganisationFactory(employer=True),
        provider=OrganisationFactory(school=True),
        other_provider=OrganisationFactory(school=True),
    )


# --- What each write sends ----------------------------------------------------------------------------------


def today() -> str:
    return timezone.localdate().isoformat()


def expenditure(allocation) -> dict:
    """A body booking an expenditure of today against the allocation."""
    return {
        "programme": allocation.programme_id,
        "project": allocation.project_id,
        "kind": "expenditure",
        "date": today(),
        "amount": "12480.00",
        "receiver": OrganisationFactory().id,
        "description": "Two work coaches, this month.",
    }


@dataclass(frozen=True)
class Call:
    """The body of a write (or a function of the world and the side, for foreign keys) and the state its target
    is built in, so that an allowed call really succeeds."""

    body: dict | Callable[[World, str], dict] | None = None
    state: dict = field(default_factory=dict)

    def body_for(self, world: World, side: str) -> dict | None:
        return self.body(world, side) if callable(self.body) else self.body


CALLS: dict[tuple[str, str], Call] = {
    ("organisation", "create"): Call(
        lambda w, side: {"name": unique("Partner"), "kind": "other", "neighbourhoods": [NeighbourhoodFactory().id]}
    ),
    ("organisation", "partial_update"): Call({"isActive": False}),
    ("neighbourhood", "create"): Call(lambda w, side: {"name": unique("Wijk"), "city": "Zeist"}),
    ("neighbourhood", "partial_update"): Call({"city": "Nieuwegein"}),
    ("programme", "create"): Call(
        lambda w, side: {
            "name": unique("Regio Deal"),
            "budget": "1000.00",
            "startsOn": "2026-01-01",
            "endsOn": "2027-12-31",
            "checkInDays": [14, 60],
        }
    ),
    ("programme", "partial_update"): Call({"budget": "2000.00"}),
    ("user", "create"): Call(
        lambda w, side: {
            "username": unique("coach").replace(" ", ""),
            "password": "a-long-and-unusual-passphrase",
            "role": "coach",
            "organisation": w.provider.id,
        }
    ),
    ("user", "partial_update"): Call({"firstName": "Fatima"}),
    ("resident", "create"): Call(
        lambda w, side: {
            "firstName": "Sanne",
            "lastName": "de Vries",
            "email": "sanne@example.nl",
            "phone": "+31 6 12345678",
            "dateOfBirth": "1990-05-17",
            "neighbourhood": NeighbourhoodFactory().id,
            "programme": ProgrammeFactory().id,
            "consentGivenAt": timezone.now().isoformat(),
        }
    ),
    ("resident", "partial_update"): Call({"phone": "+31 6 87654321", "email": "nieuw@example.nl"}),
    # A new pathway needs a resident whose last one is closed; the resident is the foreign key under test.
    ("pathway", "create"): Call(
        lambda w, side: {"resident": ResidentFactory(coach=w.coach_of(side), pathway__exited=True).id}
    ),
    ("pathway", "transitions"): Call({"to": "job_search", "note": "Ready to apply."}),
    ("module", "create"): Call(
        lambda w, side: {
            "title": unique("Zorgassistent"),
            "theme": "care",
            "provider": w.provider_of(side).id,
            "hours": 40,
            "capacity": 10,
            "startsOn": "2026-03-01",
            "endsOn": "2026-06-30",
        }
    ),
    ("module", "partial_update"): Call({"capacity": 20}),
    ("enrolment", "create"): Call(
        lambda w, side: {"pathway": w.make("pathway", side, learning=True).id, "module": w.make("module", side).id}
    ),
    ("enrolment", "partial_update"): Call({"attendedHours": 10}),
    ("enrolment", "complete"): Call({"attendedHours": 40}),
    ("placement", "create"): Call(
        lambda w, side: {
            "pathway": w.make("pathway", side, job_search=True).id,
            "employer": w.employer_of(side).id,
            "jobTitle": "Installateur warmtepompen",
            "startDate": today(),
            "hoursPerWeek": 32,
            "contractType": "permanent",
        }
    ),
    ("placement", "decline"): Call({"reason": "The vacancy was filled."}),
    ("placement", "end"): Call(lambda w, side: {"endDate": today(), "endReason": "resigned"}, {"confirmed": True}),
    ("check-in", "complete"): Call(
        {"outcome": "employed", "notes": "Goes well.", "supportNeeds": ["transport"]},
        {"due_on": factory.LazyFunction(timezone.localdate)},  # a check-in opens a week before it falls due
    ),
    ("project", "create"): Call(
        lambda w, side: {
            "name": unique("Buurtkeuken"),
            "leadOrganisation": w.provider.id,
            "partners": [w.employer.id],
            "domains": [{"domain": "social_cohesion", "share": 70}, {"domain": "health", "share": 30}],
            "startsOn": "2026-01-01",
            "location": {"name": "Buurthuis", "demolitionOn": None},
            "continuity": {"fundedUntil": None, "plan": "Structural municipal funding.", "successorFunder": None},
            "risks": [{"kind": "staffing", "note": "Volunteers."}],
        }
    ),
    ("project", "partial_update"): Call({"description": "A community kitchen."}),
    ("indicator", "create"): Call(
        lambda w, side: {"name": unique("Meals a year"), "unit": "meals", "direction": "increase", "source": "manual"}
    ),
    ("indicator", "partial_update"): Call({"description": "Meals served by the kitchen."}),
    ("indicator-period", "create"): Call(
        lambda w, side: {
            "project": w.project_of(side).id,
            "indicator": IndicatorFactory().id,
            "periodStart": "2026-01-01",
            "periodEnd": "2026-12-31",
            "baseline": "100000.00",
            "target": "120000.00",
        }
    ),
    ("indicator-period", "partial_update"): Call({"target": "125000.00"}),
    ("result", "create"): Call(
        lambda w, side: {
            "period": w.make("indicator-period", side).id,
            "value": "1100.00",
            "measuredOn": today(),
            "note": "Encounters this week.",
        }
    ),
    ("result", "partial_update"): Call({"value": "1150.00"}),
    ("result", "approve"): Call(None, {"submitted": True}),
    ("result", "return_"): Call({"reviewNote": "Count the whole week."}, {"submitted": True}),
    ("evaluation", "create"): Call(
        lambda w, side: {
            "project": w.project_of(side).id,
            "round": "2026",
            "impact": "4.5",
            "effort": "2.0",
            "decision": "continue",
        }
    ),
    ("allocation", "create"): Call(
        lambda w, side: {
            "programme": ProgrammeFactory().id,
            "project": ProjectFactory().id,
            "year": timezone.localdate().year,
            "amount": "450000.00",
        }
    ),
    ("allocation", "partial_update"): Call({"amount": "520000.00"}),
    ("transaction", "create"): Call(lambda w, side: expenditure(AllocationFactory())),
    ("co-financing", "create"): Call(
        lambda w, side: {
            "project": ProjectFactory().id,
            "organisation": OrganisationFactory().id,
            "year": timezone.localdate().year,
            "amount": "85000.00",
            "form": "in_kind",
            "sector": "private",
        }
    ),
    ("co-financing", "partial_update"): Call({"amount": "92500.00"}),
}

# Writes outside the router: (basename, action), as for the router's → the route, and the body that would succeed.
# (Logging out reads no body at all, so there is nothing to send it.)
PLAIN_WRITES = {
    ("auth", "token"): (
        Route("auth-token", "post", False),
        Call(lambda w, side: {"username": w.caller.username, "password": PASSWORD}),
    ),
}
# Every POST and PATCH the API serves: the route, and what it sends.
WRITES: dict[tuple[str, str], tuple[Route, Call]] = {
    **{key: (route, CALLS.get(key, Call())) for key, route in ROUTES.items() if route.method in ("post", "patch")},
    **PLAIN_WRITES,
}
