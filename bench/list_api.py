"""How much the API costs over the database: GET /api/v1/residents?pageSize=50 against hand-written SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/werkpad python bench/list_api.py [--residents 20000]

Works in its own database (werkpad_bench on the server DATABASE_URL names; created when missing, seeded once and
reused). Both sides are measured in one process, interleaved, after a warm-up, and must return the same JSON:

- API: a coordinator's request with a real knox token through Django's test client, so the whole stack runs
  (middleware, authentication, throttling, filters, pagination, serializer, renderer) in an atomic request.
- Baseline: one statement through psycopg that returns the count and the page's 50 rows with their current
  pathway, turned into the same dicts (camelCase keys, Amsterdam offsets) and serialised with orjson. One
  statement is the least a hand-written endpoint needs for `count` and a consistent page, so the ratio is what
  Django and DRF add on top of the database's own work.
- Logged baseline: the same, plus what the access log (contract §10) asks of any endpoint that shows residents:
  one INSERT of an entry per resident shown, committed with the read.
- Full baseline, the headline (issue 9): the same work as the API in hand-written code, in one transaction — the
  token looked up by its key with its user, its digest compared and its expiry and the user checked (knox's own
  `hash_token`), the page with its count, and the access log's INSERT. The ratio to it is what Django and DRF add
  on top of the work the contract requires; the target (at most 2.5x) is set against it.
- The API again with, in turn, the token lookup left out (DRF's `force_authenticate`), the access log left out,
  and both: what each costs, and what the list machinery alone (routing, scoping, filters, pagination,
  serialising, rendering) comes to.
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

import orjson
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PATH = "/api/v1/residents?pageSize=50"
TARGET_RATIO = 2.5  # against the full baseline

BASELINE_SQL = """
SELECT (SELECT count(*) FROM pathways_resident),
       r.id, r.first_name, r.last_name, r.email, r.phone, r.date_of_birth, r.neighbourhood_id, r.coach_id,
       r.programme_id, r.consent_given_at, r.created_at, p.id, p.stage
FROM pathways_resident r LEFT JOIN pathways_pathway p ON p.id = r.current_pathway_id
ORDER BY r.last_name, r.first_name, r.id
LIMIT 50
"""
TOKEN_SQL = """
SELECT t.digest, t.expiry, u.id, u.is_active, u.is_superuser, u.role
FROM knox_authtoken t JOIN coalition_user u ON u.id = t.user_id
WHERE t.token_key = %s
"""
LOG_SQL = """
INSERT INTO pathways_accesslogentry (at, user_id, role, resident_id, method, path)
SELECT now(), %s, 'coordinator', id, 'GET', '/api/v1/residents' FROM pathways_resident WHERE id = ANY(%s)
"""
KEYS = (
    "id",
    "firstName",
    "lastName",
    "email",
    "phone",
    "dateOfBirth",
    "neighbourhood",
    "coach",
    "programme",
    "consentGivenAt",
    "createdAt",
)


def bench_database_url(name: str) -> str:
    """DATABASE_URL with its database replaced by `name`, which is created when it does not exist."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/werkpad")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")
    return urlunsplit(parts._replace(path=f"/{name}"))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "werkpad-bench-key-not-for-production")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    # Throttled as always, never refused; per second, so the history the throttle keeps stays a normal size.
    os.environ.setdefault("THROTTLE_RATE_USER", "1000000/s")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # WhiteNoise: static files not collected
    import django

    django.setup()


def seed(total: int) -> None:
    """The demo coalition with `total` residents, written by `seed_demo` (idempotent: it only tops up)."""
    from django.core.management import call_command

    from pathways.models import Resident

    if Resident.objects.count() >= total:
        print(f"{Resident.objects.count()} residents already seeded.")
        return
    call_command("seed_demo", residents=total)
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # fresh statistics and visibility map, as a settled database has


def coordinator_token() -> tuple[int, str]:
    """The bench coordinator's id and a fresh token of theirs."""
    from knox.models import AuthToken

    from coalition.models import Role, User

    user, _ = User.objects.get_or_create(username="bench-coordinator", defaults={"role": Role.COORDINATOR})
    AuthToken.objects.filter(user=user).delete()
    return user.pk, AuthToken.objects.create(user)[1]


def baseline(conn: psycopg.Connection) -> bytes:
    return page_json(conn.execute(BASELINE_SQL).fetchall())


def logged_baseline(conn: psycopg.Connection, user_id: int) -> bytes:
    with conn.transaction():
        rows = conn.execute(BASELINE_SQL).fetchall()
        conn.execute(LOG_SQL, [user_id, [row[1] for row in rows]])
    return page_json(rows)


def full_baseline(conn: psycopg.Connection, token: str) -> bytes:
    """Authenticates the token as the API does, then the logged page."""
    with conn.transaction():
        user_id = authenticated(conn, token)
        rows = conn.execute(BASELINE_SQL).fetchall()
        conn.execute(LOG_SQL, [user_id, [row[1] for row in rows]])
    return page_json(rows)


def authenticated(conn: psycopg.Connection, token: str) -> int:
    """The coordinator a token belongs to, checked as the API checks it: knox's digest, its expiry, an active user."""
    from hmac import compare_digest

    from knox.crypto import hash_token
    from knox.settings import CONSTANTS

    user_id = None
    for digest, expiry, candidate, is_active, is_superuser, role in conn.execute(
        TOKEN_SQL, [token[: CONSTANTS.TOKEN_KEY_LENGTH]]
    ):
        if (expiry is None or expiry > datetime.now(UTC)) and compare_digest(hash_token(token), digest):
            user_id = candidate if is_active and (is_superuser or role == "coordinator") else None
    assert user_id is not None, "the bench coordinator's token must authenticate"
    return user_id


def page_json(rows: list[tuple]) -> bytes:
    results = []
    for row in rows:
        resident = dict(zip(KEYS, row[1:12], strict=True))
        resident["currentPathway"] = {"id": row[12], "stage": row[13]} if row[12] is not None else None
        results.append(resident)
    count = rows[0][0] if rows else 0
    following = "http://testserver/api/v1/residents?page=2&pageSize=50" if count > 50 else None
    return orjson.dumps({"count": count, "next": following, "previous": None, "results": results})


def prepared(description: str, *, residents: int, repeat: int, warmup: int, database: str):
    """The command line (each default overridable), then Django on the bench's own database, migrated and seeded
    with `--residents`; the arguments and the database's URL."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--residents", type=int, default=residents)
    parser.add_argument("--repeat", type=int, default=repeat, help="measured requests per side")
    parser.add_argument("--warmup", type=int, default=warmup)
    parser.add_argument("--database", default=database)
    args = parser.parse_args()

    database_url = bench_database_url(args.database)
    print(f"Database: {args.database} (a dedicated benchmark database; DATABASE_URL's own is not touched).")
    setup_django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seed(args.residents)
    return args, database_url


def medians(sides: dict, *, warmup: int, repeat: int) -> dict[str, float]:
    """Each side's median in milliseconds, over `repeat` runs after `warmup`, interleaved so that drift on the
    machine hits every side alike."""
    for _ in range(warmup):
        for run in sides.values():
            run()
    times = {side: [] for side in sides}
    for _ in range(repeat):
        for side, run in sides.items():
            start = time.perf_counter()
            run()
            times[side].append(time.perf_counter() - start)
    return {side: statistics.median(times[side]) * 1000 for side in sides}


def main() -> None:
    args, database_url = prepared(
        __doc__.splitlines()[0], residents=20_000, repeat=1000, warmup=100, database="werkpad_bench"
    )

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from coalition.models import User

    user_id, token = coordinator_token()
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    pre_authenticated = APIClient()
    pre_authenticated.force_authenticate(User.objects.get(pk=user_id))
    conn = psycopg.connect(database_url, autocommit=True, options="-c TimeZone=Europe/Amsterdam")

    def request(through=client, logged=True) -> bytes:
        with nullcontext() if logged else mock.patch("pathways.privacy.access_log.access_log_record", return_value=0):
            response = through.get(PATH)
        assert response.status_code == 200, response.content
        return response.content

    if not orjson.loads(request()) == orjson.loads(baseline(conn)) == orjson.loads(full_baseline(conn, token)):
        sys.exit("The API and the baseline disagree; the comparison would be meaningless.")
    with CaptureQueriesContext(connection) as captured:
        request()
    queries = captured.captured_queries  # read now: the next request clears the connection's log

    sides = {
        "api": request,
        "baseline": lambda: baseline(conn),
        "logged": lambda: logged_baseline(conn, user_id),
        "full": lambda: full_baseline(conn, token),
        "no token lookup": lambda: request(through=pre_authenticated),
        "no access log": lambda: request(logged=False),
        "neither": lambda: request(through=pre_authenticated, logged=False),
    }
    ms = medians(sides, warmup=args.warmup, repeat=args.repeat)
    api_ms, baseline_ms, full_ms = ms["api"], ms["baseline"], ms["full"]
    ratio = api_ms / full_ms
    print(f"GET {PATH} as a coordinator, {args.repeat} requests per side after {args.warmup} warm-up:")
    print(f"  baseline (psycopg + orjson, one statement):  {baseline_ms:7.3f} ms median")
    print(f"  logged baseline (+ the access log's INSERT): {ms['logged']:7.3f} ms median")
    print(f"  full baseline (+ the token lookup):          {full_ms:7.3f} ms median")
    print(f"  API (full Django/DRF stack):                 {api_ms:7.3f} ms median, {len(queries)} queries")
    verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
    print(f"  ratio to the full baseline: {ratio:.2f}x (target ≤ {TARGET_RATIO}x) {verdict}")
    print(f"  to the logged baseline: {api_ms / ms['logged']:.2f}x; to the plain one: {api_ms / baseline_ms:.2f}x")
    print("  the API with parts left out (same run):")
    for side, part in (("no token lookup", "the token lookup"), ("no access log", "the access log")):
        print(f"    without {part + ':':21s} {ms[side]:7.3f} ms median ({part} costs {api_ms - ms[side]:.2f} ms)")
    print(f"    without either, the list machinery alone: {ms['neither']:7.3f} ms, {ms['neither'] / baseline_ms:.2f}x")
    for query in queries:
        print(f"    {query['time']}s  {query['sql'][:150]}")


if __name__ == "__main__":
    main()
