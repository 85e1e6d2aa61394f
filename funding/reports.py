"""The money reports of contract §12, for coordinators: what one programme did with its money in a year, and where
the year's spending went across the policy domains. The database adds up; Python only splits what it must split
(funding.money.split), a number of times that does not grow with the number of transactions."""

import math
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Abs, Cast, Coalesce, Mod, Round, Sign

from coalition.models import Domain, Programme, ProjectDomain
from pathways.outcomes.reports import programme_reach

from .models import MONEY, Allocation, CoFinancing, Transaction
from .money import CENT, split

ZERO = Decimal("0.00")


def _money(field: str, **filter) -> Coalesce:
    total = Sum(field, filter=Q(**filter) if filter else None)
    return Coalesce(total, Value(ZERO), output_field=DecimalField(**MONEY))


def programme_accountability(*, programme: Programme, year: int, today: date) -> dict:
    """A programme's year: its budget, what it allocated, committed, disbursed and spent (in the year and up to its
    end), the co-financing its spending drew against what it requires, and the residents it reached; per project
    with an allocation that year. The sums come from the allocations' running sums (funding.services keeps them):
    an allocation's transactions are dated in its year."""
    in_year = {"year": year}
    projects = list(
        Allocation.objects.filter(programme=programme, year__lte=year)
        .values("project", "project__name", "project__stopped_at", "project__ends_on")
        .annotate(
            allocations=Count("id", filter=Q(**in_year)),
            allocated=_money("amount", **in_year),
            committed=_money("committed", **in_year),
            disbursed=_money("disbursed", **in_year),
            spent_in_year=_money("spent", **in_year),
            spent_cumulative=_money("spent"),
        )
        .order_by("project__name", "project")
    )  # every project the programme allocated to up to the year: the cumulative totals count them all
    co_financing = _co_financing_shares(programme=programme, year=year)
    rows = [
        {
            "project": {"id": row["project"], "name": row["project__name"]},
            "allocated": row["allocated"],
            "spent_in_year": row["spent_in_year"],
            "spent_cumulative": row["spent_cumulative"],
            "co_financing_cumulative": co_financing.get(row["project"], ZERO),
            "finished": row["project__stopped_at"] is not None
            or (row["project__ends_on"] is not None and row["project__ends_on"] < today),
        }
        for row in projects
        if row["allocations"]
    ]
    totals = {
        key: sum((row[key] for row in projects), ZERO)
        for key in ("allocated", "committed", "disbursed", "spent_in_year", "spent_cumulative")
    }
    co_financing_cumulative = sum(co_financing.values(), ZERO)
    required = (programme.co_financing_ratio * totals["spent_cumulative"]).quantize(CENT, rounding=ROUND_HALF_UP)
    reach = programme_reach(programme_id=programme.pk, year=year)
    return {
        "programme": programme,
        "year": year,
        "budget": programme.budget,
        **totals,
        "co_financing_cumulative": co_financing_cumulative,
        "co_financing_required": required,
        "co_financing_met": co_financing_cumulative >= required,
        **reach,
        "projects": rows,
    }


def _co_financing_shares(*, programme: Programme, year: int) -> dict[int, Decimal]:
    """Project → the programme's share of its co-financing up to the year's end: each year's co-financing of a
    project split over the programmes that allocated to it that year, in proportion to their allocations."""
    funded = Allocation.objects.filter(programme=programme, project=OuterRef("project"), year=OuterRef("year"))
    brought = CoFinancing.objects.filter(Exists(funded), year__lte=year).values("project", "year")
    allocations = defaultdict(list)  # (project, year) → [(programme, amount)], the programmes in the order of ids
    for project, year_, programme_id, amount in (
        Allocation.objects.filter(Exists(funded), year__lte=year)
        .order_by("project", "year", "programme")
        .values_list("project", "year", "programme", "amount")
    ):
        allocations[project, year_].append((programme_id, amount))
    shares: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for project, year_, total in brought.annotate(total=Sum("amount")).values_list("project", "year", "total"):
        ids, weights = zip(*allocations[project, year_], strict=True)
        if sum(weights) > 0:  # allocations of nothing draw no co-financing
            shares[project] += split(total, list(weights))[ids.index(programme.pk)]
    return shares


def domain_report(*, year: int) -> dict:
    """The year's expenditures across the policy domains: each split over its project's domains by their shares
    (largest remainder, so each split adds up to its expenditure), then added up per domain and programme.

    A split is linear in whole multiples of the shares' total: with c = m·q + r cents and m a multiple of every
    project's total share, split(c) = q·(m/total)·shares + split(r). So the database groups the expenditures by
    project, programme, sign and remainder r, adding up q and counting, and each group is split once: exact to
    the cent, and at most m groups per project and programme however many transactions there are."""
    shares = defaultdict(list)  # project → [(domain, share)], in the order listed (larger share first)
    for project, domain, share in ProjectDomain.objects.values_list("project", "domain", "share"):
        shares[project].append((domain, share))
    # Shares add up to 100 (contract §11), so this is 100; past the largest amount of cents (14 digits) every q is
    # 0 and grouping by remainder is grouping by amount — still exact, and within a bigint.
    modulus = min(math.lcm(*(sum(share for _, share in listed) for listed in shares.values())), 10**14)
    cents = Cast(Round(Abs("amount") * 100), BigIntegerField())  # rounded: SQLite keeps decimals as floats
    groups = (
        Transaction.objects.filter(kind=Transaction.Kind.EXPENDITURE, date__year=year)
        .values(project=F("allocation__project"), programme=F("allocation__programme"), sign=Sign("amount"))
        .annotate(remainder=Mod(cents, modulus, output_field=BigIntegerField()))
        .values("project", "programme", "sign", "remainder")
        .annotate(multiples=Sum(cents / modulus, output_field=BigIntegerField()), count=Count("id"))
    )
    spent = defaultdict(lambda: defaultdict(int))  # domain → programme → cents
    projects = defaultdict(set)
    splits = {}  # (project, remainder) → its split: the same for every programme and sign
    for group in groups:
        listed = shares.get(group["project"]) or [(None, 1)]  # a project without domains: under none
        total = sum(share for _, share in listed)
        key = group["project"], group["remainder"]
        if key not in splits:
            splits[key] = split(group["remainder"] * CENT, [share for _, share in listed])
        for (domain, share), part in zip(listed, splits[key], strict=True):
            whole = group["multiples"] * (modulus // total) * share
            spent[domain][group["programme"]] += int(group["sign"]) * (whole + int(part / CENT) * group["count"])
            projects[domain].add(group["project"])
    names = dict(Programme.objects.filter(pk__in={p for by in spent.values() for p in by}).values_list("pk", "name"))
    results = [
        {
            "domain": domain,
            "spent": sum(spent[domain].values()) * CENT,
            "by_programme": [
                {"programme": {"id": programme, "name": names[programme]}, "spent": cents * CENT}
                for programme, cents in sorted(spent[domain].items(), key=lambda item: (names[item[0]], item[0]))
            ],
            "projects": len(projects[domain]),
        }
        for domain in [*Domain.values, *([None] if None in spent else [])]
    ]
    return {"year": year, "spent": sum(result["spent"] for result in results), "results": results}
