"""The demo's projects and their evaluation (contract §11): the story of the first Regio Deal Den Haag Zuidwest.

Buurthuis Allekanten, a neighbourhood centre and local work company (800 to 1000 visitors a week; residents keep
the neighbourhood clean and safe as work experience): a pearl, and at risk, with incidental funding, its building on
the demolition list and no plan for after. De Participatiekeuken (120,000 meals a year, 1,100 encounters a week). The
coalition's work-and-learn modules as projects, whose computed indicators count the demo's residents. Two evaluation
rounds with every quadrant, pearls and a stop, and results in every review state.

Everything is written through the coalition's, the pathways' and the evaluation's services, as coordinators and
partners would have, at moments relative to `now`. A project is written whole in one transaction, once: a second run
finds it and makes nothing twice.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from coalition import services as coalition_services
from coalition.models import Domain, Neighbourhood, Organisation, Project, RiskKind, User
from evaluation import services
from evaluation.models import Decision, Indicator, IndicatorPeriod
from pathways.learning import services as learning_services
from pathways.models import Module

from .residents import COORDINATOR_OF, REGION

SEED = 20250214  # fixed, so that every run reports the same figures
PERIOD_DAYS = 365  # two periods a project and indicator: the year before the last, and the last year up to today
Source, Direction, Aggregation = Indicator.Source, Indicator.Direction, Indicator.Aggregation
CONTINUE, INVESTIGATE, STOP = Decision.CONTINUE, Decision.INVESTIGATE, Decision.STOP

# --- The catalogue ------------------------------------------------------------------------------------------------

VISITORS, MEALS, ENCOUNTERS, PLATFORM = (
    "Bezoekers per week",
    "Maaltijden",
    "Ontmoetingen per week",
    "Actieve gebruikers",
)
INDICATORS = [  # name, unit, direction, aggregation, source, description
    (VISITORS, "bezoekers", Direction.INCREASE, Aggregation.AVERAGE, Source.MANUAL,
     "Bezoekers van het buurthuis in een week, geteld aan de balie."),
    (MEALS, "maaltijden", Direction.INCREASE, Aggregation.SUM, Source.MANUAL,
     "Maaltijden gekookt en uitgeserveerd, per maand opgegeven."),
    (ENCOUNTERS, "ontmoetingen", Direction.INCREASE, Aggregation.AVERAGE, Source.MANUAL,
     "Ontmoetingen aan tafel in een gemiddelde week, per kwartaal opgegeven."),
    (PLATFORM, "gebruikers", Direction.INCREASE, Aggregation.LAST, Source.MANUAL,
     "Bewoners die in de laatste maand iets op het buurtplatform deden."),
    ("Bewoners bereikt", "bewoners", Direction.INCREASE, Aggregation.SUM, Source.RESIDENTS_REACHED,
     "Bewoners die aan een module van het project begonnen."),
    ("Modules afgerond", "bewoners", Direction.INCREASE, Aggregation.SUM, Source.MODULES_COMPLETED,
     "Afgeronde modules van het project."),
    ("Plaatsingen bevestigd", "bewoners", Direction.INCREASE, Aggregation.SUM, Source.PLACEMENTS_CONFIRMED,
     "Bewoners uit de modules van het project met een bevestigde baan."),
    ("Na 180 dagen aan het werk", "bewoners", Direction.INCREASE, Aggregation.SUM, Source.RETAINED_180,
     "Bewoners uit de modules van het project die na een half jaar nog aan het werk zijn."),
]  # fmt: skip
COMPUTED = {name: source for name, _, _, _, source, _ in INDICATORS if source != Source.MANUAL}
COMPUTED_TARGETS = {  # a year's target for every ten seats the project's modules offer
    Source.RESIDENTS_REACHED: 8,
    Source.MODULES_COMPLETED: 5,
    Source.PLACEMENTS_CONFIRMED: 3,
    Source.RETAINED_180: 2,
}

# A manual indicator's results: one every so many days, around this value, spread by this share.
REPORTED = {
    VISITORS: (7, 880, 0.09),  # 800 to 1000 a week
    MEALS: (30, 10_000, 0.08),  # 120,000 a year
    ENCOUNTERS: (91, 1_100, 0.05),
    PLATFORM: (30, 140, 0.3),
}
GROWTH = 0.03  # the last period a little more than the first
RETURN_NOTE = "Dit lijkt de maaltijden van de kerstactie dubbel te tellen; geef die apart op en dien opnieuw in."

# --- The projects -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """A project as the coalition tells it."""

    name: str
    description: str
    lead: str
    partners: list[str]
    neighbourhoods: list[str]
    domains: dict[str, int]
    rounds: tuple  # (impact, effort, decision, rationale) in the round before the last and in the last; None: not
    modules: list[str] = field(default_factory=list)
    reporter: str = ""  # the member who reports its manual indicators
    manual: dict[str, Decimal] = field(default_factory=dict)  # its manual indicators and their yearly targets
    unreported: bool = False  # the first period's results never went further than a draft
    location: tuple[str, int | None] | None = None  # name, days from today to its demolition
    funded_for: int | None = None  # days from today to the end of its funding
    plan: str = ""
    successor: str | None = None
    risks: list[tuple[str, str]] = field(default_factory=list)


def _evaluated(impact: str, effort: str, decision: str = CONTINUE, rationale: str = "") -> tuple:
    return Decimal(impact), Decimal(effort), decision, rationale


ZUIDWEST = ["Moerwijk", "Morgenstond", "Bouwlust", "Vrederust"]
OVERVECHT = ["Overvecht"]
TRY_AGAIN = "De partners zetten er een nieuwe opzet tegenover; die krijgt een halfjaar om te laten zien wat hij doet."

STORIES = [
    Story(
        "Allekanten: buurthuis en lokaal werkbedrijf",
        "Zeven dagen per week open, met ruim twintig partners: een plek waar mensen gezien worden, elkaar ontmoeten "
        "en zich ontwikkelen. Als lokaal werkbedrijf doen deelnemers laagdrempelig werk met maatschappelijke "
        "waarde: ze houden de wijk schoon en veilig en werken aan hun eigen ontwikkeling.",
        lead="Buurthuis Allekanten",
        partners=["Gemeente Den Haag", "Staedion", "Haag Wonen"],
        neighbourhoods=["Moerwijk", "Morgenstond"],
        domains={Domain.SOCIAL_COHESION: 40, Domain.WORK_ECONOMY: 30, Domain.SAFETY: 15, Domain.LIVING_ENVIRONMENT: 15},
        rounds=(_evaluated("4.5", "2.5"), _evaluated("4.4", "3.4")),
        modules=["Werken in de wijk: schoon en veilig", "Buurtconciërge: werkervaring in de wijk"],
        reporter="partner.allekanten",
        manual={VISITORS: Decimal(900)},
        location=("Buurthuis Allekanten", 300),
        funded_for=120,
        risks=[
            (RiskKind.INCIDENTAL_FUNDING, "Jaar op jaar uit incidentele subsidies; structureel geld is niet geregeld."),
            (RiskKind.LOCATION, "Het gebouw staat op de nominatie voor sloop en nieuwbouw."),
        ],
    ),
    Story(
        "De Participatiekeuken",
        "Ontmoetingsplekken waar mensen zich welkom voelen en iedereen meedoet: samen koken, samen eten, en "
        "leren werken in de keuken.",
        lead="De Participatiekeuken",
        partners=["Gemeente Den Haag", "Haag Wonen"],
        neighbourhoods=ZUIDWEST,
        domains={
            Domain.PARTICIPATION_POVERTY: 35,
            Domain.SOCIAL_COHESION: 35,
            Domain.HEALTH: 15,
            Domain.WORK_ECONOMY: 15,
        },
        rounds=(_evaluated("4.2", "2.8"), _evaluated("4.6", "2.6")),
        modules=["Koken en gastvrijheid"],
        reporter="educator.participatiekeuken",
        manual={MEALS: Decimal(120_000), ENCOUNTERS: Decimal(1_100)},
        location=("De Participatiekeuken", None),
        funded_for=730,
        plan="Na de NPLV-bijdrage draagt de gemeente de huur; de keuken dekt de rest uit de verkoop van maaltijden.",
        successor="Gemeente Den Haag",
    ),
    Story(
        "Leerwerktraject energietransitie Zuidwest",
        "Bewoners worden monteur zonnepanelen en warmtepompen, met praktijk in de woningen van de corporaties.",
        lead="ROC Mondriaan",
        partners=["Staedion", "Haag Wonen", "Zonnewerk Zuidwest"],
        neighbourhoods=ZUIDWEST,
        domains={Domain.WORK_ECONOMY: 50, Domain.EDUCATION: 30, Domain.HOUSING: 20},
        rounds=(_evaluated("3.8", "4.2"), _evaluated("3.9", "3.9")),
        modules=["Monteur zonnepanelen en warmtepompen"],
        funded_for=1100,
        plan="De corporaties nemen de praktijkplaatsen over in hun onderhoudscontracten.",
        successor="Staedion",
    ),
    Story(
        "Zorg dichtbij: leren en werken in de zorg",
        "Een opleiding tot helpende zorg en welzijn met een baangarantie bij zorgaanbieders in de wijk.",
        lead="ROC Mondriaan",
        partners=["Zorg Dichtbij Haaglanden", "Gemeente Den Haag"],
        neighbourhoods=ZUIDWEST,
        domains={Domain.WORK_ECONOMY: 40, Domain.HEALTH: 40, Domain.EDUCATION: 20},
        rounds=(_evaluated("3.5", "3.4"), _evaluated("3.4", "2.8")),
        modules=["Helpende Zorg en Welzijn"],
    ),
    Story(
        "Bouwen aan de wijk: renovatie en onderhoud",
        "Bewoners leren het vak in de renovatie van hun eigen wijk.",
        lead="ROC Mondriaan",
        partners=["Bouwcombinatie Zuidwest Vernieuwt", "Staedion"],
        neighbourhoods=["Moerwijk", "Bouwlust"],
        domains={Domain.WORK_ECONOMY: 50, Domain.HOUSING: 30, Domain.EDUCATION: 20},
        rounds=(_evaluated("2.8", "2.6", INVESTIGATE), _evaluated("2.9", "2.4", INVESTIGATE)),
        modules=["Basisvakman renovatie en onderhoud"],
    ),
    Story(
        "Logistiek leerwerkbedrijf Zuidwest",
        "Een heftruckcertificaat en werkervaring in de magazijnen aan de rand van de wijk.",
        lead="ROC Mondriaan",
        partners=["Haaglanden Distributie"],
        neighbourhoods=ZUIDWEST,
        domains={Domain.WORK_ECONOMY: 70, Domain.EDUCATION: 30},
        rounds=(_evaluated("2.6", "2.2", INVESTIGATE), _evaluated("3.3", "2.5")),
        modules=["Logistiek medewerker met heftruckcertificaat"],
    ),
    Story(
        "Digitale vaardigheden en ICT-werk",
        "Servicedeskwerk voor wie digitaal vaardig is of wil worden.",
        lead="ROC Mondriaan",
        partners=["TechWerkplaats Den Haag"],
        neighbourhoods=ZUIDWEST,
        domains={Domain.EDUCATION: 60, Domain.WORK_ECONOMY: 40},
        rounds=(_evaluated("3.2", "2.9"), _evaluated("2.7", "3.6", INVESTIGATE, TRY_AGAIN)),
        modules=["Servicemedewerker ICT"],
    ),
    Story(
        "Digitaal buurtplatform Vrederust",
        "Een app waarop bewoners elkaar helpen en meldingen doen. Veel beheer, weinig gebruikers.",
        lead="Gemeente Den Haag",
        partners=["Haag Wonen"],
        neighbourhoods=["Vrederust"],
        domains={Domain.SOCIAL_COHESION: 60, Domain.PARTICIPATION_POVERTY: 40},
        rounds=(_evaluated("2.2", "3.8", INVESTIGATE, TRY_AGAIN), _evaluated("2.0", "4.1", STOP)),
        reporter="coordinator.denhaag",
        manual={PLATFORM: Decimal(400)},
        unreported=True,
        risks=[(RiskKind.STAFFING, "De beheerder vertrekt en er is geen opvolger.")],
    ),
    Story(
        "Warmtetransitie Overvecht: leren en werken",
        "Installateurs van de warmtetransitie, opgeleid in de flats die van het gas af gaan.",
        lead="ROC Midden Nederland",
        partners=["Mitros", "Portaal", "WarmteWerk Utrecht", "Gemeente Utrecht"],
        neighbourhoods=OVERVECHT,
        domains={Domain.WORK_ECONOMY: 40, Domain.HOUSING: 40, Domain.EDUCATION: 20},
        rounds=(_evaluated("3.6", "4.0"), _evaluated("4.0", "4.3")),
        modules=["Installateur warmtetransitie"],
    ),
    Story(
        "Zorghulp in de wijk Overvecht",
        "Bewoners worden zorghulp bij buren die wat hulp nodig hebben.",
        lead="Buurtteam Overvecht",
        partners=["ROC Midden Nederland", "Zorgcoöperatie Overvecht"],
        neighbourhoods=OVERVECHT,
        domains={Domain.HEALTH: 50, Domain.SOCIAL_COHESION: 30, Domain.WORK_ECONOMY: 20},
        rounds=(_evaluated("2.9", "2.5", INVESTIGATE), None),  # its next evaluation is overdue
        modules=["Zorghulp in de wijk"],
    ),
]
# --- Writing ------------------------------------------------------------------------------------------------------


class Projects:
    """Writes the projects that are not there yet, each whole in one transaction. The rounds are named after the
    years of `now`: the one before the last decided about eleven months ago, the last three weeks ago."""

    def __init__(self, *, now: datetime):
        self.now = now
        self.today = timezone.localdate(now)
        self.rounds = [
            (str(self.today.year - 1), now - timedelta(days=330)),
            (str(self.today.year), now - timedelta(days=21)),
        ]
        self.periods = [
            (self.today - timedelta(days=2 * PERIOD_DAYS - 1), self.today - timedelta(days=PERIOD_DAYS)),
            (self.today - timedelta(days=PERIOD_DAYS - 1), self.today),
        ]

    def missing(self) -> list[Story]:
        present = set(Project.objects.filter(name__in=[s.name for s in STORIES]).values_list("name", flat=True))
        return [story for story in STORIES if story.name not in present]

    def write(self, stories: list[Story]) -> Iterator[None]:
        """Writes the stories one by one, yielding after each."""
        indicators = {
            name: Indicator.objects.filter(name=name).first()
            or services.indicator_create(
                name=name, unit=unit, direction=direction, aggregation=aggregation, source=source, description=text
            )
            for name, unit, direction, aggregation, source, text in INDICATORS
        }
        for story in stories:
            with transaction.atomic():
                self._project(story, indicators)
            yield

    def _project(self, story: Story, indicators: dict[str, Indicator]) -> None:
        organisations = {o.name: o for o in Organisation.objects.filter(name__in=[story.lead, *story.partners])}
        successor = Organisation.objects.get(name=story.successor) if story.successor else None
        location = None
        if story.location:
            name, days = story.location
            location = {"name": name, "demolition_on": None if days is None else self.today + timedelta(days=days)}
        funded_until = self.today + timedelta(days=story.funded_for) if story.funded_for is not None else None
        project = coalition_services.project_create(
            name=story.name,
            description=story.description,
            lead_organisation=organisations[story.lead],
            partners=[organisations[name] for name in story.partners],
            neighbourhoods=Neighbourhood.objects.filter(name__in=story.neighbourhoods),
            domains=[{"domain": domain, "share": share} for domain, share in story.domains.items()],
            starts_on=date(self.today.year - 3, 1, 1),
            location=location,
            continuity={"funded_until": funded_until, "plan": story.plan, "successor_funder": successor},
            risks=[{"kind": kind, "note": note} for kind, note in story.risks],
        )
        modules = list(Module.objects.filter(title__in=story.modules))
        for module in modules:
            learning_services.module_update(module=module, data={"project": project})
        rng = random.Random(f"{SEED}:{story.name}")
        if modules:
            seats = sum(module.capacity for module in modules) / 10
            for name, source in COMPUTED.items():
                self._periods(project, indicators[name], Decimal(round(COMPUTED_TARGETS[source] * seats)))
        for name, target in story.manual.items():
            periods = self._periods(project, indicators[name], target)
            self._report(story, periods, rng)
        coordinator = User.objects.get(username=COORDINATOR_OF[REGION[story.neighbourhoods[0]]])
        for (name, decided), evaluated in zip(self.rounds, story.rounds, strict=True):
            if evaluated:
                impact, effort, decision, rationale = evaluated
                services.evaluation_create(
                    by=coordinator,
                    project=project,
                    round=name,
                    impact=impact,
                    effort=effort,
                    decision=decision,
                    rationale=rationale,
                    now=decided,
                )

    def _periods(self, project: Project, indicator: Indicator, target: Decimal) -> list[IndicatorPeriod]:
        """The two periods, the last aiming a tenth higher than the first, which had no baseline yet."""
        first, last = self.periods
        return [
            services.indicator_period_create(
                project=project, indicator=indicator, period_start=first[0], period_end=first[1], target=target
            ),
            services.indicator_period_create(
                project=project,
                indicator=indicator,
                period_start=last[0],
                period_end=last[1],
                baseline=target,
                target=(target * Decimal("1.1")).quantize(Decimal(1)),
            ),
        ]

    def _report(self, story: Story, periods: list[IndicatorPeriod], rng: random.Random) -> None:
        """The results of each period, reported after each stretch and approved a few days later. The last
        period's latest results wait: the newest is a draft, the one before is submitted; of the meals, one was
        returned. A project `unreported` left its first period at a draft."""
        reporter = User.objects.get(username=story.reporter)
        reviewer = User.objects.get(username="coordinator.denhaag")
        for number, period in enumerate(periods):
            every, around, spread = REPORTED[period.indicator.name]
            days = range(every - 1, (period.period_end - period.period_start).days + 1, every)
            measured = [period.period_start + timedelta(days=day) for day in days]
            growth = 1 + GROWTH * number
            for index, measured_on in enumerate(measured):
                value = Decimal(round(around * growth * rng.uniform(1 - spread, 1 + spread)))
                result = services.result_create(by=reporter, period=period, value=value, measured_on=measured_on)
                waiting = len(measured) - index  # 1: the newest
                if (story.unreported and number == 0) or (number == 1 and waiting == 1):
                    continue  # a draft
                submitted = self._at(measured_on, days=1)
                result = services.result_submit(result=result, by=reporter, now=submitted)
                if number == 1 and waiting == 2:
                    continue  # waits for review
                if number == 1 and waiting == 3 and period.indicator.name == MEALS:
                    services.result_return(
                        result=result, by=reviewer, review_note=RETURN_NOTE, now=self._at(measured_on, days=3)
                    )
                    continue
                services.result_approve(result=result, by=reviewer, now=self._at(measured_on, days=3))

    def _at(self, day: date, *, days: int) -> datetime:
        """Ten in the morning, `days` after `day`, never after now."""
        moment = timezone.make_aware(datetime.combine(day + timedelta(days=days), datetime.min.time()))
        return min(moment + timedelta(hours=10), self.now)
