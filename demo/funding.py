"""The demo's money (contract §12): what the programmes allocated to the demo's projects year by year, what was
committed, paid out and spent against it (a few corrections among it), and what the housing corporations and the
municipalities brought in co-financing. Den Haag Zuidwest's projects draw on both the Regio Deal and the NPLV, those
of Overvecht on the Regio Deal Vitale Wijken.

Written set-wise, as funding.services would have left it: each allocation's running sums (committed, disbursed,
spent) are the sums of its transactions of each kind and stay between 0 and its amount after every one of them; no
date lies ahead of `now`, nor after a stopped project stopped. A project's money is written whole in one
transaction, once: a project with allocations is left as it is.
"""

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coalition.models import Organisation, Programme, Project, User
from funding.models import Allocation, CoFinancing, Transaction
from funding.money import CENT
from funding.services import RUNNING_SUM

from .evaluation import STORIES
from .residents import COORDINATOR_OF, PROGRAMMES, REGION

SEED = 20260214
YEARLY = (50, 200)  # an allocation's amount in thousands, per programme, project and year
SPENDING = Decimal("0.9")  # the regular monthly bills spend at most this share of a year's allocation
# A project's co-financing in a year, for each euro allocated to it, above what its programmes' ratios require.
MARGIN = Decimal("0.05")
MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
Kind = Transaction.Kind


def _cents(value: int | Decimal) -> Decimal:
    return Decimal(value).quantize(CENT)


class Funding:
    """Writes the money of the demo's projects that have none yet."""

    def __init__(self, *, now: datetime):
        self.now = now
        self.today = timezone.localdate(now)

    def missing(self) -> list[Project]:
        names = [story.name for story in STORIES]
        return list(Project.objects.filter(name__in=names, allocations__isnull=True).order_by("name"))

    def write(self, projects: list[Project]) -> Iterator[None]:
        """Writes the projects' money one by one, yielding after each."""
        programmes = {programme.name: programme for programme in Programme.objects.all()}
        regional = {}  # region → its programmes
        for name, region, *_ in PROGRAMMES:
            regional.setdefault(region, []).append(programmes[name])
        for project in projects:
            region = REGION[project.neighbourhoods.order_by("name").first().name]
            with transaction.atomic():
                self._project(project, regional[region], User.objects.get(username=COORDINATOR_OF[region]))
            yield

    def _project(self, project: Project, programmes: list[Programme], coordinator: User) -> None:
        rng = random.Random(f"{SEED}:{project.name}")
        last_day = timezone.localdate(project.stopped_at) if project.stopped_at else self.today
        # The housing corporations among its partners and the municipalities of its neighbourhoods.
        involved = [project.lead_organisation_id, *project.partners.values_list("pk", flat=True)]
        financiers = list(
            Organisation.objects.filter(
                Q(pk__in=involved, kind=Organisation.Kind.HOUSING_CORPORATION)
                | Q(kind=Organisation.Kind.MUNICIPALITY, neighbourhoods__in=project.neighbourhoods.all())
            )
            .distinct()
            .order_by("name")
        )
        transactions, co_financing = [], []
        for year in range(project.starts_on.year, last_day.year + 1):
            allocations = [
                Allocation(programme=programme, project=project, year=year, amount=_cents(rng.randint(*YEARLY) * 1000))
                for programme in programmes
            ]
            for allocation in allocations:
                rows = self._transactions(allocation, min(last_day, date(year, 12, 31)), rng, coordinator)
                for kind, running in RUNNING_SUM.items():
                    setattr(allocation, running, sum((row.amount for row in rows if row.kind == kind), Decimal(0)))
                transactions += rows
            Allocation.objects.bulk_create(allocations)  # with their running sums: the transactions follow below
            # It counts towards each programme in proportion to its allocation: so each needs its ratio of all.
            ratio = max(programme.co_financing_ratio for programme in programmes) + MARGIN
            brought = ratio * sum(allocation.amount for allocation in allocations)
            for index, organisation in enumerate(financiers):
                co_financing.append(
                    CoFinancing(
                        project=project,
                        organisation=organisation,
                        year=year,
                        amount=_cents(brought / len(financiers)),
                        form=CoFinancing.Form.IN_KIND if index % 2 else CoFinancing.Form.CASH,
                        sector=CoFinancing.Sector.PUBLIC
                        if organisation.kind == Organisation.Kind.MUNICIPALITY
                        else CoFinancing.Sector.PRIVATE,
                    )
                )
        Transaction.objects.bulk_create(transactions)
        CoFinancing.objects.bulk_create(co_financing)

    def _transactions(
        self, allocation: Allocation, last_day: date, rng: random.Random, coordinator: User
    ) -> list[Transaction]:
        """The year's commitment in January, an advance each quarter, the bills at each month's end, and now and
        then a bill booked twice and corrected a week later."""
        year, amount, receiver = allocation.year, allocation.amount, allocation.project.lead_organisation

        def row(kind: str, day: date, value: Decimal, description: str) -> Transaction:
            at = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=10)
            return Transaction(
                allocation=allocation,
                kind=kind,
                date=day,
                amount=value,
                receiver=receiver,
                description=description,
                created_by=coordinator,
                created_at=min(at, self.now),
            )

        rows = [row(Kind.COMMITMENT, date(year, 1, 15), amount, f"Beschikking {allocation.programme} {year}")]
        quarter = _cents(amount / 4)
        rows += [
            row(
                Kind.DISBURSEMENT,
                date(year, 3 * q + 1, 20),
                quarter if q < 3 else amount - 3 * quarter,
                f"Voorschot Q{q + 1}",
            )
            for q in range(4)
        ]
        twice = rng.randrange(12) if rng.random() < 0.3 else None
        for month in range(12):
            day = date(year, month + 1, 28)
            bill = _cents(amount * SPENDING / 12 * rng.randint(80, 100) / 100)  # money in Decimal, never float
            rows.append(row(Kind.EXPENDITURE, day, bill, f"Kosten {MONTHS[month]} {year}"))
            if month == twice and day + timedelta(days=7) <= last_day:
                rows.append(row(Kind.EXPENDITURE, day, bill, f"Kosten {MONTHS[month]} {year}"))
                correction = f"Correctie: kosten {MONTHS[month]} {year} dubbel geboekt"
                rows.append(row(Kind.EXPENDITURE, day + timedelta(days=7), -bill, correction))
        return [r for r in rows if r.date <= last_day]
