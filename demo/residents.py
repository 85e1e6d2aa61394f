"""The demo coalition of `manage.py seed_demo`.

Den Haag Zuidwest (under the Nationaal Programma Leefbaarheid en Veiligheid and the Regio Deal Den Haag Zuidwest)
and the neighbourhoods of the Regio Deal Vitale Wijken Overvecht, Batau and Vollenhove, with their partners, three
programmes, modules in every theme, demo logins for every role, and residents at every point of their pathways.
The places, programmes and partner institutions are real; every person and every employer is invented.

The coalition is made through the services, as a coordinator would make it. Residents are written set-wise, as the
services would have left them: their history walks the stage table from intake, `current_pathway` is the open
pathway (or the last closed one), seats stay within capacity, only confirmed and ended placements have check-ins,
due on start date + day. Check-ins are held or not as a coach would; the reminder sweep then runs as of now and
moves those left open to due or missed, with their reminders, as it would on any day.
"""

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from coalition import services as coalition_services
from coalition.models import DEFAULT_CHECK_IN_DAYS, Neighbourhood, Organisation, Programme, Role, User
from pathways.journey import stages
from pathways.journey.stages import Cause, Stage
from pathways.learning import services
from pathways.models import CheckIn, Enrolment, Module, Pathway, Placement, Resident, StageChange

SEED = 20240214  # fixed, so that every run builds the same coalition
DEMO_PASSWORD = "werkpad-demo-wachtwoord"
BATCH = 1000  # residents per transaction

Kind = Organisation.Kind
Theme = Module.Theme
ZUIDWEST, VITALE_WIJKEN = "zuidwest", "vitale_wijken"

# --- The coalition --------------------------------------------------------------------------------------------

NEIGHBOURHOODS = [  # name, city, region, share of the residents
    ("Moerwijk", "Den Haag", ZUIDWEST, 3),
    ("Morgenstond", "Den Haag", ZUIDWEST, 3),
    ("Bouwlust", "Den Haag", ZUIDWEST, 2),
    ("Vrederust", "Den Haag", ZUIDWEST, 2),
    ("Overvecht", "Utrecht", VITALE_WIJKEN, 4),
    ("Batau", "Nieuwegein", VITALE_WIJKEN, 1.5),
    ("Vollenhove", "Zeist", VITALE_WIJKEN, 1.5),
]
REGION = {name: region for name, _, region, _ in NEIGHBOURHOODS}
SERVED = {region: [name for name, _, r, _ in NEIGHBOURHOODS if r == region] for region in (ZUIDWEST, VITALE_WIJKEN)}

FUNDER = "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"  # the national money of every programme
ORGANISATIONS = [  # name, kind, the neighbourhoods it works in
    ("Gemeente Den Haag", Kind.MUNICIPALITY, SERVED[ZUIDWEST]),
    ("Gemeente Utrecht", Kind.MUNICIPALITY, ["Overvecht"]),
    ("Provincie Utrecht", Kind.OTHER, SERVED[VITALE_WIJKEN]),
    ("Staedion", Kind.HOUSING_CORPORATION, SERVED[ZUIDWEST]),
    ("Haag Wonen", Kind.HOUSING_CORPORATION, SERVED[ZUIDWEST]),
    ("Mitros", Kind.HOUSING_CORPORATION, ["Overvecht"]),
    ("Portaal", Kind.HOUSING_CORPORATION, ["Overvecht", "Batau"]),
    ("ROC Mondriaan", Kind.EDUCATION, SERVED[ZUIDWEST]),
    ("ROC Midden Nederland", Kind.EDUCATION, SERVED[VITALE_WIJKEN]),
    ("Buurthuis Allekanten", Kind.NEIGHBOURHOOD_ORGANISATION, SERVED[ZUIDWEST]),
    ("De Participatiekeuken", Kind.NEIGHBOURHOOD_ORGANISATION, SERVED[ZUIDWEST]),
    ("Buurtteam Overvecht", Kind.NEIGHBOURHOOD_ORGANISATION, ["Overvecht"]),
    ("Wijkteam Batau", Kind.NEIGHBOURHOOD_ORGANISATION, ["Batau"]),
    ("Wijkteam Vollenhove", Kind.NEIGHBOURHOOD_ORGANISATION, ["Vollenhove"]),
    (FUNDER, Kind.OTHER, []),
]

EMPLOYERS = [  # name, region, theme, username of its staff member, their name
    ("Zonnewerk Zuidwest", ZUIDWEST, Theme.ENERGY_TRANSITION, "employer.zonnewerk", "Kees", "Dijkstra"),
    ("Zorg Dichtbij Haaglanden", ZUIDWEST, Theme.CARE, "employer.zorgdichtbij", "Wendy", "Brouwer"),
    ("TechWerkplaats Den Haag", ZUIDWEST, Theme.TECHNOLOGY, "employer.techwerkplaats", "Arjen", "Vos"),
    ("Bouwcombinatie Zuidwest Vernieuwt", ZUIDWEST, Theme.CONSTRUCTION, "employer.bouwcombinatie", "Erik", "Post"),
    ("Haaglanden Distributie", ZUIDWEST, Theme.LOGISTICS, "employer.haaglandendistributie", "Naima", "Aziz"),
    ("Grand Café Zuidwest", ZUIDWEST, Theme.HOSPITALITY, "employer.grandcafe", "Mirjam", "Koster"),
    ("WarmteWerk Utrecht", VITALE_WIJKEN, Theme.ENERGY_TRANSITION, "employer.warmtewerk", "Hakan", "Arslan"),
    ("Zorgcoöperatie Overvecht", VITALE_WIJKEN, Theme.CARE, "employer.zorgcooperatie", "Esther", "Willems"),
    ("Techniekhuis Nieuwegein", VITALE_WIJKEN, Theme.TECHNOLOGY, "employer.techniekhuis", "Roel", "Kuipers"),
    ("Renovatiebouw Midden-Nederland", VITALE_WIJKEN, Theme.CONSTRUCTION, "employer.renovatiebouw", "Gert", "Bos"),
    ("Logistiek Centrum Nieuwegein", VITALE_WIJKEN, Theme.LOGISTICS, "employer.logistiekcentrum", "Ilse", "Prins"),
    ("Horecaleerbedrijf Zeist", VITALE_WIJKEN, Theme.HOSPITALITY, "employer.horecaleerbedrijf", "Youssef", "Amrani"),
]
JOB_THEMES = [
    Theme.ENERGY_TRANSITION,
    Theme.CARE,
    Theme.TECHNOLOGY,
    Theme.CONSTRUCTION,
    Theme.LOGISTICS,
    Theme.HOSPITALITY,
]

USERS = [  # username, role, organisation, first and last name
    ("coordinator.denhaag", Role.COORDINATOR, "Gemeente Den Haag", "Marieke", "Verhoeven"),
    ("coordinator.utrecht", Role.COORDINATOR, "Provincie Utrecht", "Joost", "van Leeuwen"),
    ("coach.allekanten", Role.COACH, "Buurthuis Allekanten", "Samira", "Bouzid"),
    ("coach.participatiekeuken", Role.COACH, "De Participatiekeuken", "Dennis", "Kromhout"),
    ("coach.denhaag", Role.COACH, "Gemeente Den Haag", "Priya", "Ramdin"),
    ("coach.overvecht", Role.COACH, "Buurtteam Overvecht", "Emre", "Yilmaz"),
    ("coach.batau", Role.COACH, "Wijkteam Batau", "Lotte", "de Graaf"),
    ("coach.vollenhove", Role.COACH, "Wijkteam Vollenhove", "Ruud", "Hendriks"),
    ("educator.mondriaan", Role.EDUCATOR, "ROC Mondriaan", "Anouk", "Smit"),
    ("educator.rocmn", Role.EDUCATOR, "ROC Midden Nederland", "Bas", "Meijer"),
    ("educator.participatiekeuken", Role.EDUCATOR, "De Participatiekeuken", "Nadia", "El Khatib"),
    ("partner.allekanten", Role.PARTNER, "Buurthuis Allekanten", "Fatima", "Ouali"),  # reports its project's figures
    *((username, Role.EMPLOYER, name, first, last) for name, _, _, username, first, last in EMPLOYERS),
]
COORDINATOR_OF = {ZUIDWEST: "coordinator.denhaag", VITALE_WIJKEN: "coordinator.utrecht"}

PROGRAMMES = [  # name, region, kind, budget, co-financing ratio, years it runs on after this one, check-in days
    # The NPLV runs for twenty years and asks for no matching money.
    ("Nationaal Programma Leefbaarheid en Veiligheid (Den Haag Zuidwest)", ZUIDWEST, Programme.Kind.NPLV,
     Decimal("30000000.00"), Decimal("0.00"), 17, None),
    # €7.5 million of national money in a programme of about €20 million: the region brings the other 12.5.
    ("Regio Deal Den Haag Zuidwest", ZUIDWEST, Programme.Kind.REGIO_DEAL,
     Decimal("7500000.00"), Decimal("1.67"), 1, None),
    ("Regio Deal Vitale Wijken Overvecht, Batau en Vollenhove", VITALE_WIJKEN, Programme.Kind.REGIO_DEAL,
     Decimal("12500000.00"), Decimal("1.00"), 1, [14, 30, 90, 180, 365]),
]  # fmt: skip

MODULES = [  # title, theme, provider, hours, capacity (seats over the module's run), region
    ("Monteur zonnepanelen en warmtepompen", Theme.ENERGY_TRANSITION, "ROC Mondriaan", 160, 40, ZUIDWEST),
    ("Helpende Zorg en Welzijn", Theme.CARE, "ROC Mondriaan", 320, 40, ZUIDWEST),
    ("Servicemedewerker ICT", Theme.TECHNOLOGY, "ROC Mondriaan", 240, 30, ZUIDWEST),
    ("Basisvakman renovatie en onderhoud", Theme.CONSTRUCTION, "ROC Mondriaan", 200, 40, ZUIDWEST),
    ("Logistiek medewerker met heftruckcertificaat", Theme.LOGISTICS, "ROC Mondriaan", 120, 40, ZUIDWEST),
    ("Koken en gastvrijheid", Theme.HOSPITALITY, "De Participatiekeuken", 160, 30, ZUIDWEST),
    ("Nederlands op de werkvloer", Theme.OTHER, "ROC Mondriaan", 80, 60, ZUIDWEST),
    ("Werken in de wijk: schoon en veilig", Theme.OTHER, "Buurthuis Allekanten", 60, 40, ZUIDWEST),
    ("Buurtconciërge: werkervaring in de wijk", Theme.OTHER, "Buurthuis Allekanten", 120, 20, ZUIDWEST),
    ("Installateur warmtetransitie", Theme.ENERGY_TRANSITION, "ROC Midden Nederland", 200, 40, VITALE_WIJKEN),
    ("Zorghulp in de wijk", Theme.CARE, "ROC Midden Nederland", 240, 40, VITALE_WIJKEN),
    ("Digitale techniek en domotica", Theme.TECHNOLOGY, "ROC Midden Nederland", 160, 30, VITALE_WIJKEN),
    ("Bouwplaats basis en VCA", Theme.CONSTRUCTION, "ROC Midden Nederland", 120, 40, VITALE_WIJKEN),
    ("Magazijn en voorraadbeheer", Theme.LOGISTICS, "ROC Midden Nederland", 100, 40, VITALE_WIJKEN),
    ("Horeca-assistent", Theme.HOSPITALITY, "ROC Midden Nederland", 120, 30, VITALE_WIJKEN),
    ("Taal en rekenen voor werk", Theme.OTHER, "ROC Midden Nederland", 80, 60, VITALE_WIJKEN),
]

# --- What residents and coaches write -------------------------------------------------------------------------

# Names as varied as these neighbourhoods: half from Faker's Dutch list, the rest from families long at home here.
NAMES = [  # weight, first names, last names
    (12, ["Mohamed", "Yassine", "Soufiane", "Bilal", "Ayoub", "Fatima", "Khadija", "Nadia", "Imane", "Samira"],
     ["El Amrani", "Bouzid", "El Idrissi", "Benali", "Ouali", "Tahiri", "Azzouzi", "Belhaj"]),
    (10, ["Emre", "Yusuf", "Mehmet", "Burak", "Elif", "Zeynep", "Büşra", "Ayşe"],
     ["Yilmaz", "Kaya", "Demir", "Çelik", "Öztürk", "Aydin", "Şahin", "Doğan"]),
    (10, ["Romano", "Jermaine", "Rajesh", "Shanice", "Priya", "Chelsea", "Anjali", "Gerold"],
     ["Ramdin", "Sewnath", "Kartosen", "Pinas", "Lieveld", "Doelwijt", "Jadnanansing", "Martina"]),
    (6, ["Piotr", "Tomasz", "Kasia", "Agnieszka", "Marta", "Jakub"],
     ["Nowak", "Wójcik", "Kowalczyk", "Mazur", "Krawczyk", "Zając"]),
    (6, ["Abdi", "Hodan", "Yonas", "Semhar", "Filmon", "Amina"],
     ["Hassan", "Mohamud", "Tesfay", "Ghebremedhin", "Warsame", "Tekle"]),
]  # fmt: skip
DUTCH_WEIGHT = 56

JOB_TITLES = {
    Theme.ENERGY_TRANSITION: ["Monteur zonnepanelen", "Assistent-monteur warmtepompen", "Isolatiemedewerker"],
    Theme.CARE: ["Helpende zorg en welzijn", "Medewerker huishoudelijke ondersteuning", "Gastvrouw verpleeghuis"],
    Theme.TECHNOLOGY: ["Servicedeskmedewerker", "Technisch medewerker", "ICT-beheerder in opleiding"],
    Theme.CONSTRUCTION: ["Timmerman in opleiding", "Medewerker renovatie", "Stratenmaker"],
    Theme.LOGISTICS: ["Orderpicker", "Heftruckchauffeur", "Magazijnmedewerker"],
    Theme.HOSPITALITY: ["Medewerker bediening", "Hulpkok", "Gastheer/gastvrouw"],
}
CONTRACTS = {
    Placement.ContractType.FIXED_TERM: 40,
    Placement.ContractType.APPRENTICESHIP: 20,
    Placement.ContractType.TEMPORARY_AGENCY: 15,
    Placement.ContractType.PERMANENT: 15,
    Placement.ContractType.OTHER: 10,
}
MOVE_NOTES = {
    (Stage.INTAKE, Stage.JOB_SEARCH): ["Heeft werkervaring, direct bemiddelbaar.", "Wil snel aan het werk."],
    (Stage.LEARNING, Stage.JOB_SEARCH): ["Module afgerond, klaar voor werk.", "Praktijkdeel gehaald, nu op zoek."],
    (Stage.JOB_SEARCH, Stage.LEARNING): ["Eerst de taal beter onder de knie.", "Mist nog een certificaat."],
    (Stage.PLACED, Stage.COMPLETED): ["Een jaar aan het werk, traject afgerond.", "Vaste plek; nazorg afgerond."],
}
COORDINATOR_COMPLETES = "Afgerond door de coördinator; de laatste check-in is niet meer gehouden."
EXIT_REASONS = [
    "Verhuisd buiten de regio",
    "Zelf werk gevonden buiten het programma",
    "Gezondheidsredenen",
    "Geen contact meer",
    "Begonnen aan een voltijdopleiding",
    "Zorgtaken thuis gaan voor",
]
DECLINE_REASONS = [
    "Vacature is al vervuld.",
    "Reistijd te lang voor de kandidaat.",
    "Werktijden passen niet bij de zorg voor de kinderen.",
    "Past nog niet bij het functieprofiel.",
]
EMPLOYED_NOTES = [
    "Gaat goed, werkgever is tevreden.",
    "Voelt zich op zijn plek in het team.",
    "Wil graag meer uren werken.",
    "Werkt inmiddels zelfstandig.",
]
AT_RISK_NOTES = [  # note, support needs
    ("Spanning thuis door schulden; doorverwezen naar schuldhulp.", ["debt"]),
    ("Reistijd zwaar; we kijken naar vervoer.", ["transport"]),
    ("Veel ziek gemeld de laatste weken.", ["health"]),
    ("Opvang voor de kinderen valt weg.", ["childcare"]),
    ("Taal op de werkvloer lastig; taalmaatje geregeld.", ["language"]),
    ("Dreigt de woning kwijt te raken.", ["debt", "housing"]),
]
LEFT_JOB_NOTE = "Is gestopt met werken; wil opnieuw zoeken."


# --- Building the coalition through the services ----------------------------------------------------------------


@dataclass
class Coalition:
    """The demo coalition, looked up once for writing residents."""

    neighbourhoods: list[Neighbourhood]
    users: dict[str, User]
    programmes: dict[str, list[Programme]]  # region → the programmes that fund its residents
    modules: dict[tuple[str, str], list[Module]]  # (region, theme) → modules
    employers: dict[tuple[str, str], list[tuple[Organisation, User]]]  # (region, theme) → employer, its staff
    seats: Counter = field(default_factory=Counter)  # module id → seats taken

    def coaches(self, neighbourhood: Neighbourhood) -> list[User]:
        """The coaches of the organisations that work in the neighbourhood."""
        served = {name: neighbourhoods for name, _, neighbourhoods in ORGANISATIONS}
        return [
            self.users[username]
            for username, role, organisation, _, _ in USERS
            if role == Role.COACH and neighbourhood.name in served[organisation]
        ]


def _existing(model, **lookup):
    """The row with these values, if it is there: a second run makes nothing twice."""
    return model.objects.filter(**lookup).first()


def coalition_ensure(*, today: date) -> Coalition:
    neighbourhoods = {
        name: _existing(Neighbourhood, name=name, city=city)
        or coalition_services.neighbourhood_create(name=name, city=city)
        for name, city, _, _ in NEIGHBOURHOODS
    }
    organisations = {}
    employers_served = [(name, Kind.EMPLOYER, SERVED[region]) for name, region, *_ in EMPLOYERS]
    for name, kind, served in [*ORGANISATIONS, *employers_served]:
        organisations[name] = _existing(Organisation, name=name) or coalition_services.organisation_create(
            name=name, kind=kind, neighbourhoods=[neighbourhoods[n] for n in served]
        )

    # The programmes began four years ago; modules take residents in all along.
    starts_on = date(today.year - 4, 1, 1)
    programmes: dict[str, list[Programme]] = {}
    for name, region, kind, budget, ratio, years, days in PROGRAMMES:
        programme = _existing(Programme, name=name)
        if programme is None:
            programme = coalition_services.programme_create(
                name=name,
                budget=budget,
                starts_on=starts_on,
                ends_on=date(today.year + years, 12, 31),
                check_in_days=days,
            )
            data = {"kind": kind, "funder": organisations[FUNDER], "co_financing_ratio": ratio}
            programme = coalition_services.programme_update(programme=programme, data=data)
        programmes.setdefault(region, []).append(programme)
    modules: dict[tuple[str, str], list[Module]] = {}
    for title, theme, provider, hours, capacity, region in MODULES:
        module = _existing(Module, title=title, provider=organisations[provider]) or services.module_create(
            title=title,
            theme=theme,
            provider=organisations[provider],
            hours=hours,
            capacity=capacity,
            starts_on=starts_on,
            ends_on=date(today.year + 1, 7, 31),
        )
        modules.setdefault((region, theme), []).append(module)

    users = {}
    for username, role, organisation, first_name, last_name in USERS:
        user = _existing(User, username=username) or coalition_services.user_create(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            organisation=organisations[organisation],
            email=f"{username}@werkpad.example",
            first_name=first_name,
            last_name=last_name,
        )
        users[username] = user

    employers: dict[tuple[str, str], list[tuple[Organisation, User]]] = {}
    for name, region, theme, username, _, _ in EMPLOYERS:
        employers.setdefault((region, theme), []).append((organisations[name], users[username]))
    seated = Enrolment.objects.filter(status__in=Enrolment.SEATED).values_list("module").annotate(n=Count("id"))
    return Coalition(
        neighbourhoods=list(neighbourhoods.values()),
        users=users,
        programmes=programmes,
        modules=modules,
        employers=employers,
        seats=Counter(dict(seated)),
    )


# --- A resident's story -------------------------------------------------------------------------------------------

ZERO = timedelta(0)

# The steps of a pathway, by the stage it ends at (weight, steps); every step is a method of _Story.
SCRIPTS: dict[Stage, list[tuple[int, tuple[str, ...]]]] = {
    Stage.INTAKE: [(1, ())],
    Stage.LEARNING: [(6, ("enrol",)), (2, ("enrol", "extra")), (1, ("to_job_search", "to_learning", "extra"))],
    Stage.JOB_SEARCH: [
        (3, ("to_job_search",)),
        (4, ("enrol", "to_job_search")),
        (2, ("enrol", "to_job_search", "decline")),
        (2, ("enrol", "to_job_search", "propose")),
        (1, ("to_job_search", "place", "end")),
        (1, ("enrol", "to_job_search", "place", "leave")),
    ],
    Stage.PLACED: [
        (4, ("enrol", "to_job_search", "place")),
        (2, ("to_job_search", "place")),
        (1, ("enrol", "to_job_search", "decline", "place")),
        (1, ("to_job_search", "place", "end", "place")),
    ],
    Stage.COMPLETED: [
        (5, ("enrol", "to_job_search", "place", "complete")),
        (2, ("to_job_search", "place", "complete")),
        (1, ("enrol", "to_job_search", "place", "complete_anyway")),
    ],
    Stage.EXITED: [(2, ("exit",)), (2, ("enrol", "exit")), (1, ("enrol", "to_job_search", "exit"))],
}
STAGE_WEIGHTS = {
    Stage.INTAKE: 10,
    Stage.LEARNING: 20,
    Stage.JOB_SEARCH: 20,
    Stage.PLACED: 25,
    Stage.COMPLETED: 14,
    Stage.EXITED: 11,
}


@dataclass(frozen=True)
class Scenario:
    steps: tuple[str, ...]
    days_ago: float  # a placed pathway's start date lies this far back; any other's last event
    diligence: float  # the chance that the coach held a check-in that fell due
    coached: bool = True
    earlier: bool = False  # an exited pathway before this one


# The first residents show every state at least once, whatever --residents says.
SHOWCASE = [
    Scenario((), days_ago=2, diligence=1, coached=False),
    Scenario((), days_ago=10, diligence=1, earlier=True),
    Scenario(("enrol",), days_ago=20, diligence=1),
    Scenario(("to_job_search", "to_learning", "extra"), days_ago=15, diligence=1),
    Scenario(("enrol", "to_job_search", "decline"), days_ago=30, diligence=1),
    Scenario(("enrol", "to_job_search", "propose"), days_ago=5, diligence=1),
    Scenario(("to_job_search", "place", "end"), days_ago=40, diligence=1),
    Scenario(("enrol", "to_job_search", "place", "leave"), days_ago=20, diligence=1),
    Scenario(("enrol", "to_job_search", "place"), days_ago=-10, diligence=1),
    Scenario(("to_job_search", "place"), days_ago=100, diligence=0),
    Scenario(("enrol", "to_job_search", "place"), days_ago=200, diligence=1),
    Scenario(("to_job_search", "place", "end", "place"), days_ago=60, diligence=0.5),
    Scenario(("enrol", "to_job_search", "place", "complete"), days_ago=30, diligence=1),
    Scenario(("to_job_search", "place", "complete_anyway"), days_ago=60, diligence=1),
    Scenario(("enrol", "exit"), days_ago=50, diligence=1),
    Scenario(("exit",), days_ago=80, diligence=1),
]


def _random_scenario(rng: random.Random) -> Scenario:
    stage = rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()))[0]
    weights, scripts = zip(*SCRIPTS[stage], strict=True)
    steps = rng.choices(scripts, weights=weights)[0]
    if stage == Stage.PLACED:
        days_ago = rng.uniform(-14, 420)
    elif steps and steps[-1] == "propose":
        days_ago = rng.uniform(0.2, 10)  # an employer's answer takes days, not months
    else:
        days_ago = rng.uniform(0.2, 45) if stage == Stage.INTAKE else rng.uniform(1, 300)
    return Scenario(
        steps,
        days_ago=days_ago,
        diligence=rng.choice([0.95, 0.85, 0.7]),
        coached=stage != Stage.INTAKE or rng.random() > 0.25,
        earlier=rng.random() < 0.05,
    )


@dataclass
class _Enrolment:
    module: Module
    at: timedelta
    status: str = Enrolment.Status.ENROLLED
    closed: timedelta | None = None
    attended: float = 0.0  # the share of the hours attended


@dataclass
class _Placement:
    employer: Organisation
    staff: User
    job_title: str
    hours: int
    contract: str
    proposed: timedelta
    start: timedelta  # the day the job starts
    status: str = Placement.Status.PROPOSED
    answered: timedelta | None = None  # confirmed or declined
    decline_reason: str = ""
    ended: timedelta | None = None  # when the end was reported
    end_lag: int = 0  # days between the end date and its report
    end_reason: str = ""
    left_job_day: int | None = None  # the check-in at which the resident said they had left
    unheld_day: int | None = None  # a check-in never held before a coordinator closed the pathway


class _Story:
    """One pathway told in time since its opening; `Residents` puts it on the calendar afterwards."""

    def __init__(
        self, rng: random.Random, *, region: str, track: str, coalition: Coalition, coach: User | None, days: list[int]
    ):
        self.rng = rng
        self.track_modules = coalition.modules[region, track]
        self.extra_modules = coalition.modules[region, Theme.OTHER]
        self.employers = coalition.employers[region, track]
        self.track = track
        self.coach = coach
        self.coordinator = coalition.users[COORDINATOR_OF[region]]
        self.days = days
        self.t = ZERO  # the moment of the latest event
        self.stage = Stage.INTAKE
        self.history = [(ZERO, "", Stage.INTAKE, coach or self.coordinator, "")]
        self.enrolments: list[_Enrolment] = []
        self.placements: list[_Placement] = []
        self.exit_reason = ""

    def tell(self, steps: tuple[str, ...]) -> "_Story":
        for step in steps:
            getattr(self, step)()
        return self

    def _after(self, low: float, high: float) -> None:
        self.t += timedelta(days=self.rng.uniform(low, high))

    def _move(self, to: str, cause: Cause, by: User, note: str = "") -> None:
        if not stages.is_allowed(self.stage, to, cause):
            raise AssertionError(f"The demo script moves {self.stage} → {to}, which the stage table refuses.")
        self.history.append((self.t, self.stage, to, by, note))
        self.stage = to

    def _ask(self, to: str) -> None:
        self._move(to, Cause.ASKED, self.coach, self.rng.choice(MOVE_NOTES[self.stage, to]))

    def _finish_enrolments(self, completed_share: float) -> None:
        for enrolment in self.enrolments:
            if enrolment.status == Enrolment.Status.ENROLLED:
                completed = self.rng.random() < completed_share
                enrolment.status = Enrolment.Status.COMPLETED if completed else Enrolment.Status.DROPPED
                enrolment.closed = max(
                    enrolment.at + timedelta(days=1), self.t - timedelta(days=self.rng.uniform(0, 5))
                )
                enrolment.attended = self.rng.uniform(0.85, 1) if completed else self.rng.uniform(0.1, 0.6)

    def _enrol(self, modules: list[Module]) -> None:
        self._after(3, 35)
        module = self.rng.choice(modules)
        self.enrolments.append(_Enrolment(module, self.t, attended=self.rng.uniform(0, 0.8)))
        if self.stage == Stage.INTAKE:
            self._move(Stage.LEARNING, Cause.ENROLMENT, self.coach, f"Enrolled in {module.title}.")

    def enrol(self) -> None:
        self._enrol(self.track_modules)

    def extra(self) -> None:
        self._enrol(self.extra_modules)

    def to_job_search(self) -> None:
        if self.stage == Stage.LEARNING:
            self._after(45, 200)  # the module takes its time
        else:
            self._after(7, 40)
        self._finish_enrolments(completed_share=0.8)
        self._ask(Stage.JOB_SEARCH)

    def to_learning(self) -> None:
        self._after(14, 60)
        self._ask(Stage.LEARNING)

    def _propose(self, low: float, high: float) -> _Placement:
        self._after(low, high)
        employer, staff = self.rng.choice(self.employers)
        placement = _Placement(
            employer=employer,
            staff=staff,
            job_title=self.rng.choice(JOB_TITLES[self.track]),
            hours=self.rng.choice([16, 20, 24, 28, 32, 36, 38, 40]),
            contract=self.rng.choices(list(CONTRACTS), weights=list(CONTRACTS.values()))[0],
            proposed=self.t,
            start=self.t + timedelta(days=self.rng.randint(14, 45)),
        )
        self.placements.append(placement)
        return placement

    def propose(self) -> None:
        self._propose(7, 60)

    def decline(self) -> None:
        placement = self._propose(10, 60)
        self._after(1, 7)
        placement.status, placement.answered = Placement.Status.DECLINED, self.t
        placement.decline_reason = self.rng.choice(DECLINE_REASONS)

    def place(self) -> None:
        placement = self._propose(14, 120)
        self._after(1, 10)
        placement.status, placement.answered = Placement.Status.CONFIRMED, self.t
        placement.start = self.t + timedelta(days=self.rng.randint(-5, 21))  # now and then registered late
        self._move(
            Stage.PLACED, Cause.PLACEMENT_CONFIRMED, placement.staff, f"Placement confirmed: {placement.job_title}."
        )

    def _end(self, placement: _Placement, *, after_days: float, reason: str, by: User, lag: int) -> None:
        self.t = placement.start + timedelta(days=after_days)
        placement.status, placement.ended = Placement.Status.ENDED, self.t
        placement.end_reason, placement.end_lag = reason, lag
        self._move(Stage.JOB_SEARCH, Cause.PLACEMENT_ENDED, by, f"Placement ended ({reason}).")

    def end(self) -> None:
        """The employer reports that the job ended."""
        reason = self.rng.choice(["contract_ended", "resigned", "dismissed"])
        placement = self.placements[-1]
        self._end(
            placement,
            after_days=self.rng.uniform(14, 330),
            reason=reason,
            by=placement.staff,
            lag=self.rng.randint(0, 5),
        )

    def leave(self) -> None:
        """At a check-in the resident says they left: the coach's `left_job` ends the placement that day."""
        placement = self.placements[-1]
        placement.left_job_day = self.rng.choice([day for day in self.days if day <= 200])
        after = placement.left_job_day + self.rng.uniform(0, 10)
        self._end(placement, after_days=after, reason=Placement.EndReason.OTHER, by=self.coach, lag=0)

    def complete(self) -> None:
        """A year on, every check-in held: the coach closes the pathway."""
        self.t = self.placements[-1].start + timedelta(days=max(self.days) + self.rng.uniform(15, 60))
        self._finish_enrolments(completed_share=1)
        self._ask(Stage.COMPLETED)

    def complete_anyway(self) -> None:
        """The last check-in was never held; a coordinator closes the pathway all the same."""
        self.placements[-1].unheld_day = max(self.days)
        self.t = self.placements[-1].start + timedelta(days=max(self.days) + self.rng.uniform(15, 60))
        self._finish_enrolments(completed_share=1)
        self._move(Stage.COMPLETED, Cause.ASKED, self.coordinator, COORDINATOR_COMPLETES)

    def exit(self) -> None:
        self._after(7, 120)
        self._finish_enrolments(completed_share=0)
        self.exit_reason = self.rng.choice(EXIT_REASONS)
        self._move(Stage.EXITED, Cause.ASKED, self.coach or self.coordinator)


# --- Writing residents set-wise -------------------------------------------------------------------------------


@dataclass
class _Batch:
    residents: list[Resident] = field(default_factory=list)
    pathways: list[Pathway] = field(default_factory=list)
    history: list[StageChange] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    check_ins: list[CheckIn] = field(default_factory=list)


class Residents:
    """Writes demo residents number `first` up to `stop`; resident n is the same whenever it is written."""

    def __init__(self, coalition: Coalition, *, now: datetime):
        self.coalition = coalition
        self.now = now
        self.today = timezone.localdate(now)
        self.faker = Faker("nl_NL")
        self.weights = [share for *_, share in NEIGHBOURHOODS]
        self.coaches = {
            neighbourhood.pk: coalition.coaches(neighbourhood) for neighbourhood in coalition.neighbourhoods
        }

    def top_up(self, *, first: int, stop: int) -> Iterator[int]:
        """Writes the residents in transactions of BATCH, yielding how many each wrote."""
        for start in range(first, stop, BATCH):
            batch = _Batch()
            for index in range(start, min(start + BATCH, stop)):
                self._resident(index, batch)
            self._write(batch)
            yield len(batch.residents)

    # The calendar

    def _clock(self, moment: datetime) -> datetime:
        """The moment within office hours of its day (its 24 hours pressed into 8:00 to 17:00), never after now."""
        local = timezone.localtime(moment)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return min(midnight + timedelta(hours=8) + (local - midnight) * (9 / 24), self.now)

    def _base(self, story: _Story, scenario: Scenario) -> datetime:
        """The moment the story's pathway opened, so that its anchor falls `days_ago` back and nothing lies ahead."""
        if story.stage == Stage.PLACED:  # anchored at the start date of the job
            start = datetime.combine(self.today - timedelta(days=scenario.days_ago), datetime.min.time())
            base = timezone.make_aware(start) + timedelta(hours=12) - story.placements[-1].start
        else:
            base = self.now - timedelta(days=scenario.days_ago) - story.t
        return min(base, self.now - story.t - timedelta(minutes=5))

    # One resident

    def _resident(self, index: int, batch: _Batch) -> None:
        rng = random.Random(SEED * 1_000_003 + index)
        scenario = SHOWCASE[index] if index < len(SHOWCASE) else _random_scenario(rng)
        neighbourhood = rng.choices(self.coalition.neighbourhoods, weights=self.weights)[0]
        region = REGION[neighbourhood.name]
        programme = rng.choice(self.coalition.programmes[region]) if rng.random() < 0.9 else None
        coach = rng.choice(self.coaches[neighbourhood.pk]) if scenario.coached else None
        days = sorted(set(programme.check_in_days if programme else DEFAULT_CHECK_IN_DAYS))

        def story(steps):
            track = rng.choice(JOB_THEMES)
            return _Story(rng, region=region, track=track, coalition=self.coalition, coach=coach, days=days).tell(steps)

        current = story(scenario.steps)
        opened = self._base(current, scenario)
        stories = [(current, opened)]
        if scenario.earlier:
            earlier = story(rng.choice([("exit",), ("enrol", "exit")]))
            stories.insert(0, (earlier, opened - timedelta(days=rng.uniform(20, 200)) - earlier.t))

        first_name, last_name = self._name(rng, index)
        mail = ".".join(slugify(name).replace("-", "") for name in (first_name, last_name))
        resident = Resident(
            first_name=first_name,
            last_name=last_name,
            email=f"{mail}@{rng.choice(['example.com', 'example.net', 'example.org'])}" if rng.random() < 0.7 else "",
            phone=f"06-{rng.randrange(10**8):08d}" if rng.random() < 0.85 else "",
            date_of_birth=self.today - timedelta(days=rng.randint(18 * 365 + 5, 64 * 365)),
            neighbourhood=neighbourhood,
            coach=coach,
            programme=programme,
            consent_given_at=self._clock(stories[0][1] - timedelta(days=rng.uniform(0, 3))),
        )
        batch.residents.append(resident)
        for told, base in stories:
            # A coach closes a pathway only when every check-in was held (a coordinator's closing marks the gap).
            diligence = 1 if told.stage == Stage.COMPLETED else scenario.diligence
            self._pathway(told, base, resident, batch, rng, diligence)

    def _name(self, rng: random.Random, index: int) -> tuple[str, str]:
        weights = [DUTCH_WEIGHT, *(weight for weight, _, _ in NAMES)]
        origin = rng.choices(range(len(weights)), weights=weights)[0]
        if origin == 0:
            self.faker.seed_instance(SEED + index)
            return self.faker.first_name(), self.faker.last_name()
        _, first_names, last_names = NAMES[origin - 1]
        return rng.choice(first_names), rng.choice(last_names)

    def _pathway(
        self, story: _Story, base: datetime, resident: Resident, batch: _Batch, rng: random.Random, diligence: float
    ) -> None:
        def at(offset: timedelta) -> datetime:
            return self._clock(base + offset)

        closed = story.stage in stages.CLOSED_STAGES
        pathway = Pathway(
            resident=resident,
            stage=story.stage,
            started_at=at(ZERO),
            closed_at=at(story.t) if closed else None,
            exit_reason=story.exit_reason,
        )
        batch.pathways.append(pathway)
        batch.history += [
            StageChange(pathway=pathway, sequence=n, from_stage=was, to_stage=to, at=at(t), by=by, note=note)
            for n, (t, was, to, by, note) in enumerate(story.history, start=1)
        ]
        for planned in story.enrolments:
            status = planned.status
            batch.enrolments.append(
                Enrolment(
                    pathway=pathway,
                    module=planned.module,
                    status=status,
                    enrolled_at=at(planned.at),
                    completed_at=at(planned.closed) if status == Enrolment.Status.COMPLETED else None,
                    dropped_at=at(planned.closed) if status == Enrolment.Status.DROPPED else None,
                    attended_hours=round(planned.module.hours * planned.attended),
                )
            )
        for planned in story.placements:
            confirmed = planned.status in (Placement.Status.CONFIRMED, Placement.Status.ENDED)
            placement = Placement(
                pathway=pathway,
                employer=planned.employer,
                job_title=planned.job_title,
                start_date=timezone.localdate(base + planned.start),
                hours_per_week=planned.hours,
                contract_type=planned.contract,
                status=planned.status,
                proposed_at=at(planned.proposed),
                proposed_by=story.coach,
                confirmed_at=at(planned.answered) if confirmed else None,
                confirmed_by=planned.staff if confirmed else None,
                declined_at=at(planned.answered) if planned.status == Placement.Status.DECLINED else None,
                decline_reason=planned.decline_reason,
                end_reason=planned.end_reason,
            )
            if planned.ended is not None:
                placement.end_date = timezone.localdate(base + planned.ended) - timedelta(days=planned.end_lag)
            batch.placements.append(placement)
            if confirmed:
                ended_at = at(planned.ended) if planned.ended is not None else None
                batch.check_ins += [
                    self._check_in(placement, day, planned, ended_at, rng, diligence, story.coach) for day in story.days
                ]

    def _check_in(
        self,
        placement: Placement,
        day: int,
        planned: _Placement,
        ended_at: datetime | None,
        rng: random.Random,
        diligence: float,
        coach: User,
    ) -> CheckIn:
        """A check-in held, cancelled, or still open (`scheduled`: the sweep moves it on when its day has come)."""
        due_on = placement.start_date + timedelta(days=day)
        check_in = CheckIn(placement=placement, day=day, due_on=due_on)
        late = (self.today - due_on).days
        if day == planned.left_job_day:
            check_in.status, check_in.completed_at = CheckIn.Status.COMPLETED, ended_at
            check_in.outcome, check_in.notes = CheckIn.Outcome.LEFT_JOB, LEFT_JOB_NOTE
        elif placement.end_date is not None and due_on > placement.end_date:
            check_in.status = CheckIn.Status.CANCELLED
        elif late >= 0 and day != planned.unheld_day and rng.random() < diligence:
            check_in.status = CheckIn.Status.COMPLETED
            due = timezone.make_aware(datetime.combine(due_on, datetime.min.time()))
            check_in.completed_at = self._clock(due + timedelta(days=rng.uniform(-2, min(late, 10))))
            if rng.random() < 0.8:
                check_in.outcome, check_in.notes = CheckIn.Outcome.EMPLOYED, rng.choice(EMPLOYED_NOTES)
            else:
                check_in.outcome = CheckIn.Outcome.AT_RISK
                check_in.notes, needs = rng.choice(AT_RISK_NOTES)
                check_in.support_needs = list(needs)
        if check_in.status == CheckIn.Status.COMPLETED:
            check_in.completed_by = coach
        return check_in

    # Into the database

    def _write(self, batch: _Batch) -> None:
        with transaction.atomic():
            self._make_room(batch.enrolments)
            Resident.objects.bulk_create(batch.residents, batch_size=BATCH)
            for model, rows in (
                (Pathway, batch.pathways),
                (StageChange, batch.history),
                (Enrolment, batch.enrolments),
                (Placement, batch.placements),
                (CheckIn, batch.check_ins),
            ):
                model.objects.bulk_create(rows, batch_size=BATCH)
            # As the services keep it: the open pathway, or the last closed one; and registered when it first opened.
            pathways = Pathway.objects.filter(resident=OuterRef("pk"))
            Resident.objects.filter(pk__in=[resident.pk for resident in batch.residents]).update(
                current_pathway=Subquery(pathways.order_by("-started_at", "-id").values("pk")[:1]),
                created_at=Subquery(pathways.order_by("started_at").values("started_at")[:1]),
            )

    def _make_room(self, enrolments: list[Enrolment]) -> None:
        """Modules take residents all through their run: when more come than the capacity, it grows first."""
        seats = self.coalition.seats
        seats.update(enrolment.module.pk for enrolment in enrolments if enrolment.status in Enrolment.SEATED)
        for module in {enrolment.module for enrolment in enrolments}:
            if seats[module.pk] > module.capacity:
                grown = services.module_update(module=module, data={"capacity": -(-seats[module.pk] // 10) * 10})
                module.capacity = grown.capacity
