"""8 clients booking expenditures against one allocation at once, through the API: throughput, latency, and the
final sum checked against the allocation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/werkpad python bench/expenditures.py [--seconds 30]

Works in its own database (werkpad_bench_expenditures on the server DATABASE_URL names; created when missing and
migrated; each run makes a programme, a project and an allocation of its own).

- Clients: --clients processes (8), each with its own database connection, posting `POST /api/v1/transactions`
  as a coordinator with a real knox token through the whole stack in-process (middleware, authentication,
  throttling, the view and the service in an atomic request), for --seconds: expenditures of €1.00 to €200.00
  (random, exact to the cent) against the one allocation, all of them on its row lock. The allocation (--amount)
  is sized to run out during the run, so that the second part is all refusals (409 `/budget-exceeded`) racing the
  last bookings.
- Figures: requests and bookings a second, the median and 95th percentile latency of the bookings (201) and of the
  refusals (409), printed every 5 seconds as it goes and in total.
- Check: the allocation's running sum never exceeds its amount, equals the sum of its expenditures' rows, and equals
  what the clients were told was booked; every answer was a 201 or a 409.
"""

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import orjson
from list_api import bench_database_url, setup_django  # the sibling benchmark's database and Django set-up

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PATH = "/api/v1/transactions"
PROGRESS_EVERY = 5  # seconds


def arrange(amount: Decimal) -> tuple[str, dict, int]:
    """A coordinator's token, the body every client books with (less its amount), and the allocation's id."""
    from django.utils import timezone
    from knox.models import AuthToken

    from coalition.models import Organisation, Programme, Project, Role, User
    from funding.models import Allocation

    user, _ = User.objects.get_or_create(username="bench-coordinator", defaults={"role": Role.COORDINATOR})
    AuthToken.objects.filter(user=user).delete()
    today, run = timezone.localdate(), timezone.now().strftime("%Y-%m-%d %H:%M:%S.%f")
    programme = Programme.objects.create(
        name=f"Regio Deal Den Haag Zuidwest ({run})",
        kind=Programme.Kind.REGIO_DEAL,
        budget=amount,
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
    )
    lead = Organisation.objects.create(name=f"Lokaal Werkbedrijf Zuidwest ({run})", kind=Organisation.Kind.OTHER)
    project = Project.objects.create(name=f"Lokaal Werkbedrijf ({run})", lead_organisation=lead, starts_on=today)
    allocation = Allocation.objects.create(programme=programme, project=project, year=today.year, amount=amount)
    body = {
        "programme": programme.pk,
        "project": project.pk,
        "kind": "expenditure",
        "date": today.isoformat(),
        "receiver": lead.pk,
        "description": "Work coaches, by the hour.",
    }
    return AuthToken.objects.create(user)[1], body, allocation.pk


def warm_up(token: str) -> None:
    """One request before the fork, so that each client starts with the API's modules loaded."""
    from django.test import Client

    response = Client(HTTP_AUTHORIZATION=f"Token {token}").get(PATH, {"pageSize": 1})
    assert response.status_code == 200, response.content


def client(n: int, token: str, body: dict, until: float, counts, results) -> None:
    """One client: books until `until` (time.monotonic, shared by the processes), counting as it goes."""
    from django.test import Client

    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    rng = random.Random(n)
    latencies: dict[int, list[float]] = {201: [], 409: []}
    statuses, booked, last_booked = Counter(), Decimal(0), 0.0
    while time.monotonic() < until:
        amount = Decimal(rng.randint(100, 20_000)) / 100
        start = time.perf_counter()
        response = api.post(PATH, orjson.dumps({**body, "amount": str(amount)}), content_type="application/json")
        elapsed = time.perf_counter() - start
        statuses[response.status_code] += 1
        latencies.setdefault(response.status_code, []).append(elapsed)
        if response.status_code == 201:
            booked, last_booked = booked + amount, time.monotonic()
        with counts.get_lock():
            counts[0 if response.status_code == 201 else 1] += 1
    results.put((latencies, statuses, booked, last_booked))


def ms(values: list[float], quantile: int) -> str:
    if len(values) < 2:
        return "   -   "
    return f"{statistics.quantiles(values, n=100)[quantile - 1] * 1000:7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--amount", type=Decimal, default=Decimal("75000.00"), help="the allocation, in euros")
    parser.add_argument("--database", default="werkpad_bench_expenditures")
    args = parser.parse_args()

    database_url = bench_database_url(args.database)
    print(f"Database: {args.database} (a dedicated benchmark database; DATABASE_URL's own is not touched).")
    os.environ["LOG_LEVEL"] = "ERROR"  # a refused booking is expected here, not worth a warning each
    setup_django(database_url)

    from django.core.management import call_command
    from django.db import connections
    from django.db.models import Sum

    from funding.models import Allocation

    call_command("migrate", verbosity=0)
    token, body, allocation_id = arrange(args.amount)
    warm_up(token)
    connections.close_all()  # each client opens its own after the fork

    fork = multiprocessing.get_context("fork")
    counts, results = fork.Array("l", 2), fork.Queue()
    start = time.monotonic()
    until = start + args.seconds
    processes = [
        fork.Process(target=client, args=(n, token, body, until, counts, results)) for n in range(args.clients)
    ]
    for process in processes:
        process.start()
    print(f"{args.clients} clients booking against an allocation of €{args.amount:,.2f} for {args.seconds:g} s:")
    while (now := time.monotonic()) < until:
        time.sleep(min(PROGRESS_EVERY, until - now))
        booked, refused = counts[0], counts[1]
        print(f"  {time.monotonic() - start:5.1f} s: {booked:6d} booked, {refused:6d} refused")
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.monotonic() - start

    latencies: dict[int, list[float]] = {}
    statuses = Counter()
    told = Decimal(0)
    for client_latencies, client_statuses, booked, _ in outcomes:
        for status, values in client_latencies.items():
            latencies.setdefault(status, []).extend(values)
        statuses += client_statuses
        told += booked
    booking = max(last for *_, last in outcomes) - start  # until the allocation ran out, or the run ended
    everything = [value for values in latencies.values() for value in values]

    allocation = Allocation.objects.get(pk=allocation_id)
    rows = allocation.transactions.aggregate(total=Sum("amount", default=0), count=Sum(1, default=0))
    total = statuses.total()
    print(f"Requests: {total} in {elapsed:.1f} s, {total / elapsed:.0f} a second; {dict(sorted(statuses.items()))}")
    print(f"  bookings: {statuses[201] / booking:.0f} a second over the {booking:.1f} s the allocation lasted")
    print("  latency (ms):   median     p95")
    for label, values in (
        ("booked (201)", latencies.get(201, [])),
        ("refused (409)", latencies.get(409, [])),
        ("all", everything),
    ):
        print(f"    {label:14s} {ms(values, 50)} {ms(values, 95)}   ({len(values)} requests)")
    print(
        f"Allocation €{allocation.amount:,.2f}: spent €{allocation.spent:,.2f} in {rows['count']} expenditures, "
        f"rows add up to €{rows['total']:,.2f}, the clients were told €{told:,.2f}"
    )
    problems = []
    if allocation.spent > allocation.amount:
        problems.append("the running sum is over the allocation")
    if not allocation.spent == rows["total"] == told:
        problems.append("the running sum, the rows and the answers disagree")
    if rows["count"] != statuses[201]:
        problems.append("a booking answered 201 is missing, or one not answered 201 was kept")
    if set(statuses) - {201, 409}:
        problems.append("an answer other than 201 or 409")
    print("Check: " + ("; ".join(problems) if problems else "OK — never over, every sum equal"))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
