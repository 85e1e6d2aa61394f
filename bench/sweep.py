"""One reminder sweep over a million check-ins falling due at once, against one raw UPDATE … RETURNING; and how
fast a real worker sends the e-mails.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/werkpad python bench/sweep.py \\
        [--check-ins 1000000] [--batch-size 20000] [--emails 20000]

Works in its own database (werkpad_bench_sweep on the server DATABASE_URL names; created when missing) and its own
Redis database (--broker, redis://127.0.0.1:6379/9): it purges its queue before and after, and deletes only the keys
it created there.

- Seeding, set-wise (INSERT … SELECT generate_series): 200 coaches, 20 employers, a programme with check-ins on days
  1 to 10, and for every 10 check-ins a resident with a coach, one open pathway (placed, its history walked from
  intake, current_pathway set) and a confirmed placement that started 12 days ago. Every check-in is scheduled and
  due (none is missed yet), so the sweep makes each `due` with one check_in_due for its coach and one outbox e-mail.
  Residents, pathways and placements are kept for the next run on the same day. Before each measurement the
  check-ins are written again, and their history, the notifications and the outbox emptied (TRUNCATE), then
  VACUUM ANALYZE and CHECKPOINT: every measurement starts from the same tables, and none pays for the previous
  one's checkpoint. The seeding session runs with session_replication_role = replica: its rows are valid by
  construction, so it skips the foreign-key checks and the change-history triggers that would only slow it down.
- Baseline: one `UPDATE pathways_checkin SET status = 'due' … RETURNING id` over the same rows, ids fetched (the
  table's change-history trigger fires for it as for the sweep).
- Sweep: reminders_sweep(now, deliver=notifications.handover.enqueue_emails) on Redis, timed whole, per batch and per
  statement (Django's execute_wrapper), then checked: states, notifications to the coaches, outbox rows, and the ids
  in the queue. Then again at other batch sizes (--compare).
- Side by side (--side-by-side, 2): that many sweeps at once on their own connections, as the workers run them when
  a sweep with a backlog asks for more (notifications.tasks.sweep_reminders); checked like the single sweep.
- Delivery: `celery -A workers worker --concurrency 2` on the same database and broker, with Django's file backend
  (EMAIL_URL=filemail://…), sends --emails of the pending e-mails: a subset, as a million would take hours at the
  rate it prints.
"""

import argparse
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
import redis
from list_api import bench_database_url, setup_django  # the sibling benchmark's database and Django set-up
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 30
REFERENCE = "a claim-and-enqueue of 1M rows took 12 s on a machine like ours"
COACHES = 200
EMPLOYERS = 20
PER_PLACEMENT = 10  # check-ins per placement, on days 1 to 10 after its start
START_DAYS_AGO = 12  # so every check-in is due (day 1 to 10 ≤ 12) and none missed (12 - 1 < 14 days)
CHUNK = 100_000  # check-ins per INSERT while seeding
QUEUE = "celery"  # Celery's default queue, where enqueue_emails publishes
PHASES = {  # what each statement of the sweep writes, by how it starts
    "UPDATE pathways_checkin": "claim+update",
    "INSERT INTO pathways_notification": "notifications",
    "INSERT INTO pathways_outboxemail": "outbox",
    "UPDATE pathways_outboxemail": "re-drive",
}
COLUMNS = ["claim+update", "notifications", "outbox", "commit", "enqueue", "re-drive", "other"]


# --- Seeding --------------------------------------------------------------------------------------------------


def step(message: str, conn: psycopg.Connection, *statements: tuple[str, dict]) -> None:
    """Runs the statements in one transaction and says how long they took."""
    started = time.perf_counter()
    print(f"  {message} …", end="", flush=True)
    with conn.transaction():
        for sql, params in statements:
            conn.execute(sql, params)
    print(f" {time.perf_counter() - started:.1f} s")


def seed_base(conn: psycopg.Connection, *, placements: int, today: date, now: datetime) -> None:
    """Coaches, employers and the programme (once); residents, pathways and placements (again when the count or
    the day changed)."""
    start = today - timedelta(days=START_DAYS_AGO)
    present = conn.execute(
        "SELECT count(*), min(start_date), max(start_date) FROM pathways_placement WHERE status = 'confirmed'"
    ).fetchone()
    if present == (placements, start, start):
        print(f"Residents, pathways and {placements:,} placements already seeded today: kept.")
        return
    print(f"Seeding {placements:,} residents, pathways and placements (tables emptied first):")
    step(
        "coaches, employers, programme",
        conn,
        (
            """INSERT INTO coalition_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                                          is_active, date_joined, role)
               SELECT '!', false, 'bench.coach.' || n, 'Coach', 'Number ' || n,
                      'bench.coach.' || n || '@werkpad.example', false, true, %(now)s, 'coach'
               FROM generate_series(1, %(coaches)s) n
               ON CONFLICT (username) DO NOTHING""",
            {"now": now, "coaches": COACHES},
        ),
        (
            """INSERT INTO coalition_organisation (name, kind, is_active)
               SELECT 'Bench employer ' || n, 'employer', true FROM generate_series(1, %(employers)s) n
               ON CONFLICT (name) DO NOTHING""",
            {"employers": EMPLOYERS},
        ),
        (
            """INSERT INTO coalition_programme
                   (name, kind, budget, co_financing_ratio, starts_on, ends_on, check_in_days)
               VALUES ('Bench programme', 'other', 1000000, 0, %(today)s - 365, %(today)s + 3650, %(days)s::jsonb)
               ON CONFLICT (name) DO NOTHING""",
            {"today": today, "days": json.dumps(list(range(1, PER_PLACEMENT + 1)))},
        ),
    )
    step(
        "TRUNCATE the pathway tables",
        conn,
        (
            """TRUNCATE pathways_outboxemail, pathways_notification, pathways_checkin, pathways_placement,
                        pathways_enrolment, pathways_stagechange, pathways_accesslogentry, pathways_pathway,
                        pathways_resident RESTART IDENTITY""",
            {},
        ),
    )
    times = {
        "n": placements,
        "opened": now - timedelta(days=60),
        "searching": now - timedelta(days=50),
        "proposed": now - timedelta(days=20),
        "confirmed": now - timedelta(days=15),
        "start": start,
    }
    # Resident n has pathway n and placement n; their foreign keys to each other are checked at commit.
    step(
        f"{placements:,} residents with coaches, their open pathways (placed) and history",
        conn,
        (
            """INSERT INTO pathways_resident (id, first_name, last_name, email, phone, consent_given_at, created_at,
                                             coach_id, current_pathway_id, programme_id)
               SELECT n, 'Resident', 'Bench ' || n, '', '', %(opened)s, %(opened)s,
                      coaches[1 + n %% cardinality(coaches)], n, programme
               FROM generate_series(1, %(n)s) n,
                    (SELECT array_agg(id ORDER BY id) coaches FROM coalition_user
                     WHERE username LIKE 'bench.coach.%%') c,
                    (SELECT id programme FROM coalition_programme WHERE name = 'Bench programme') p""",
            times,
        ),
        (
            """INSERT INTO pathways_pathway (id, stage, started_at, exit_reason, resident_id)
               SELECT n, 'placed', %(opened)s, '', n FROM generate_series(1, %(n)s) n""",
            times,
        ),
        (
            """INSERT INTO pathways_stagechange (sequence, from_stage, to_stage, at, note, pathway_id)
               SELECT s.sequence, s.from_stage, s.to_stage, s.at, s.note, n
               FROM generate_series(1, %(n)s) n,
                    (VALUES (1, '', 'intake', %(opened)s, ''),
                            (2, 'intake', 'job_search', %(searching)s, ''),
                            (3, 'job_search', 'placed', %(confirmed)s, 'Placement confirmed: Orderpicker.'))
                    s(sequence, from_stage, to_stage, at, note)""",
            times,
        ),
    )
    step(
        f"{placements:,} confirmed placements",
        conn,
        (
            """INSERT INTO pathways_placement (id, job_title, start_date, hours_per_week, contract_type, status,
                                              proposed_at, confirmed_at, decline_reason, end_reason, employer_id,
                                              pathway_id)
               SELECT n, 'Orderpicker', %(start)s, 32, 'fixed_term', 'confirmed', %(proposed)s, %(confirmed)s,
                      '', '', employers[1 + n %% cardinality(employers)], n
               FROM generate_series(1, %(n)s) n,
                    (SELECT array_agg(id ORDER BY id) employers FROM coalition_organisation
                     WHERE name LIKE 'Bench employer %%') e""",
            times,
        ),
        *(
            (f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %(n)s)", times)
            for table in ("pathways_resident", "pathways_pathway", "pathways_placement")
        ),
    )


def reset(conn: psycopg.Connection, *, check_ins: int, today: date) -> None:
    """The state before a sweep: every check-in scheduled, no notification, no outbox row."""
    started = time.perf_counter()
    print("Reset: TRUNCATE check-ins (and their history), notifications and outbox; the check-ins written again:")
    start = today - timedelta(days=START_DAYS_AGO)
    with conn.transaction():
        conn.execute(
            """TRUNCATE pathways_outboxemail, pathways_notification, pathways_checkin, history_checkinevent
               RESTART IDENTITY"""
        )
        with tqdm(total=check_ins, unit=" check-ins", unit_scale=True, leave=False) as progress:
            for first in range(1, check_ins + 1, CHUNK):
                last = min(first + CHUNK - 1, check_ins)
                # Check-in n: placement (n - 1) / 10 + 1, day (n - 1) % 10 + 1, due on start date + day.
                conn.execute(
                    """INSERT INTO pathways_checkin (id, day, due_on, status, outcome, notes, support_needs,
                                                     placement_id)
                       SELECT n, d, %(start)s + d, 'scheduled', '', '', '[]', (n - 1) / %(per)s + 1
                       FROM generate_series(%(first)s::int, %(last)s::int) n,
                            LATERAL (SELECT ((n - 1) %% %(per)s + 1)::int d) day""",
                    {"start": start, "per": PER_PLACEMENT, "first": first, "last": last},
                )
                progress.update(last - first + 1)
        conn.execute("SELECT setval(pg_get_serial_sequence('pathways_checkin', 'id'), %s)", [check_ins])
    written = time.perf_counter() - started
    conn.execute(
        "VACUUM ANALYZE pathways_checkin, pathways_notification, pathways_outboxemail, pathways_placement, "
        "pathways_pathway, pathways_resident"
    )
    conn.execute("CHECKPOINT")
    print(
        f"  {check_ins:,} check-ins written in {written:.1f} s; VACUUM ANALYZE and CHECKPOINT "
        f"{time.perf_counter() - started - written:.1f} s"
    )


# --- Measuring ------------------------------------------------------------------------------------------------


@dataclass
class Batch:
    rows: int
    ended: float  # seconds since the sweep began
    wall: float  # seconds since the previous batch ended
    phases: Counter


@dataclass
class Sweep:
    """One sweep, timed: each statement by what it writes, each batch as it is handed to the broker."""

    batch_size: int
    log: bool
    began: float = 0.0
    wall: float = 0.0
    batches: list[Batch] = field(default_factory=list)
    totals: Counter = field(default_factory=Counter)
    current: Counter = field(default_factory=Counter)
    mark: float = 0.0

    def statement(self, execute, sql, params, many, context):
        """Django's execute_wrapper: times every statement the sweep runs."""
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            text = sql.lstrip()
            phase = next((name for prefix, name in PHASES.items() if text.startswith(prefix)), "other")
            self.current[phase] += time.perf_counter() - started

    def deliver(self, email_ids: list[int]) -> None:
        """The sweep's deliver: enqueue_emails, timed; it runs once per batch, after the batch committed."""
        from notifications.handover import enqueue_emails

        started = time.perf_counter()
        enqueue_emails(email_ids)
        now = time.perf_counter()
        self.current["enqueue"] += now - started
        wall = now - self.mark
        self.current["other"] += wall - sum(self.current.values())  # fetching rows, Python
        batch = Batch(rows=len(email_ids), ended=now - self.began, wall=wall, phases=self.current)
        self.batches.append(batch)
        self.totals.update(self.current)
        self.current, self.mark = Counter(), now
        if self.log:
            done = sum(b.rows for b in self.batches)
            print(
                f"  batch {len(self.batches):4}  {batch.rows:>7,} rows {batch.wall * 1000:6.0f} ms "
                f"({phases_ms(batch.phases)})  → {done:>9,} rows at {batch.ended:5.1f} s"
            )

    def commit(self, commit):
        """Wraps the connection's commit, where PostgreSQL runs the deferred foreign-key checks of the batch."""

        def timed():
            started = time.perf_counter()
            try:
                return commit()
            finally:
                self.current["commit"] += time.perf_counter() - started

        return timed

    def run(self, now: datetime):
        from django.db import connection
        from django.test import override_settings

        from history.context import system_context
        from notifications.handover import SWEEP_TASK
        from notifications.sweep import reminders_sweep

        connection._commit = self.commit(connection._commit)  # Django's hook under commit(); no public one
        try:
            with (
                override_settings(REMINDER_SWEEP_BATCH_SIZE=self.batch_size),
                connection.execute_wrapper(self.statement),
                system_context(SWEEP_TASK),  # as notifications.tasks.sweep_reminders runs it: the history's context
            ):
                self.began = self.mark = time.perf_counter()
                report = reminders_sweep(now=now, deliver=self.deliver)
                self.wall = time.perf_counter() - self.began
        finally:
            del connection._commit  # the class's own again
        # What ran after the last hand-over: the empty claim that ends the loop, placements, the re-drive.
        self.current["other"] += self.wall - (self.mark - self.began) - sum(self.current.values())
        self.totals.update(self.current)
        return report

    @property
    def rows(self) -> int:
        return sum(batch.rows for batch in self.batches)


def side_by_side(count: int, now: datetime) -> tuple[float, int]:
    """`count` sweeps at once, each on its own connection, as that many worker processes run them once a sweep
    with a backlog asks for more (notifications.tasks.sweep_reminders). Answers the wall time and the check-ins
    swept."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from history.context import system_context
    from notifications.handover import SWEEP_TASK, enqueue_emails
    from notifications.sweep import reminders_sweep

    def one_sweep(_):
        try:
            with system_context(SWEEP_TASK):
                report = reminders_sweep(now=now, deliver=enqueue_emails)
            return report.counts["became_due"] + report.counts["became_missed"]
        finally:
            connection.close()  # this thread's own

    began = time.perf_counter()
    with ThreadPoolExecutor(count) as pool:
        swept = sum(pool.map(one_sweep, range(count)))
    return time.perf_counter() - began, swept


def load() -> str:
    """Other work on the machine skews every figure: say how busy it was."""
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def phases_ms(phases: Counter) -> str:
    return "  ".join(f"{name} {phases[name] * 1000:5.0f}" for name in COLUMNS if name != "re-drive")


def baseline(database_url: str, today: date) -> tuple[float, int]:
    """One UPDATE … RETURNING over the same rows, the ids fetched and committed."""
    with psycopg.connect(database_url) as conn:
        started = time.perf_counter()
        ids = conn.execute(
            "UPDATE pathways_checkin SET status = 'due' WHERE status = 'scheduled' AND due_on <= %s RETURNING id",
            [today],
        ).fetchall()
        conn.commit()
        return time.perf_counter() - started, len(ids)


def check_database(conn: psycopg.Connection, check_ins: int) -> None:
    """Every check-in due, one check_in_due to its resident's coach each, one pending outbox e-mail each."""
    conn.execute("ANALYZE pathways_checkin, pathways_notification, pathways_outboxemail")  # or the joins crawl
    due, not_due, to_coach, notifications, pending, emails = conn.execute(
        """SELECT (SELECT count(*) FROM pathways_checkin WHERE status = 'due'),
                  (SELECT count(*) FROM pathways_checkin WHERE status <> 'due'),
                  (SELECT count(*) FROM pathways_notification n
                   JOIN pathways_checkin c ON c.id = n.object_id
                   JOIN pathways_placement p ON p.id = c.placement_id
                   JOIN pathways_pathway pw ON pw.id = p.pathway_id
                   JOIN pathways_resident r ON r.id = pw.resident_id
                   WHERE n.kind = 'check_in_due' AND n.object_type = 'check_in' AND n.recipient_id = r.coach_id),
                  (SELECT count(*) FROM pathways_notification),
                  (SELECT count(*) FROM pathways_outboxemail WHERE status = 'pending'),
                  (SELECT count(*) FROM pathways_outboxemail)"""
    ).fetchone()
    expected = (check_ins, 0, check_ins, check_ins, check_ins, check_ins)
    found = (due, not_due, to_coach, notifications, pending, emails)
    if found != expected:
        sys.exit(f"The sweep did not write what it should: {found} instead of {expected}.")
    print(f"  checked: {due:,} due, {to_coach:,} check_in_due to their coaches, {pending:,} outbox e-mails pending")


def queued_ids(client: redis.Redis) -> tuple[int, int, int]:
    """Messages in the queue, the outbox ids they carry, and how many distinct."""
    messages = client.lrange(QUEUE, 0, -1)
    ids = []
    for message in messages:
        envelope = json.loads(message)
        args, _kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
        ids += args[0]
    return len(messages), len(ids), len(set(ids))


def check_queue(client: redis.Redis, emails: int, per_task: int, batch_size: int) -> None:
    full, rest = divmod(emails, batch_size)
    expected = full * -(-batch_size // per_task) + -(-rest // per_task)
    messages, ids, distinct = queued_ids(client)
    if (messages, ids, distinct) != (expected, emails, emails):
        sys.exit(f"The queue holds {messages} messages with {ids} ids ({distinct} distinct): expected {expected}.")
    print(f"  queue: {messages:,} messages ({per_task} ids each) with {ids:,} distinct outbox ids")


def chart(sweep: Sweep, baseline_seconds: float, width: int = 50, lines: int = 12) -> None:
    """Rows handed to the broker against seconds, with the baseline's and the target's moments marked."""
    total = max(sweep.rows, 1)
    print(f"Rows done vs seconds (batch size {sweep.batch_size:,}; each █ is {total / width:,.0f} rows):")
    marks = {"baseline done": baseline_seconds, f"target {TARGET_SECONDS} s": TARGET_SECONDS}
    for line in range(1, lines + 1):
        moment = sweep.wall * line / lines
        done = sum(batch.rows for batch in sweep.batches if batch.ended <= moment)
        notes = [name for name, at in marks.items() if sweep.wall * (line - 1) / lines < at <= moment]
        bar = "█" * round(width * done / total)
        print(f"  {moment:6.1f} s │{bar:<{width}}│ {done:>9,}  {' ← '.join(['', *notes]).strip()}")


# --- Delivery -------------------------------------------------------------------------------------------------


def deliver_with_worker(conn: psycopg.Connection, *, emails: int, database_url: str, broker: str) -> float | None:
    """E-mails per second of one `celery -A workers worker --concurrency 2` sending `emails` pending e-mails."""
    from django.utils import timezone

    from notifications.handover import enqueue_emails

    folder = Path(tempfile.mkdtemp(prefix="werkpad-bench-mail-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "EMAIL_URL": f"filemail:///{folder / 'mail'}",
        "LOG_LEVEL": "WARNING",
    }
    log = folder / "worker.log"
    print(f"Delivery: a worker (concurrency 2) sends {emails:,} pending e-mails to {folder / 'mail'}:")
    with log.open("w") as output:
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "workers", "worker", "--loglevel", "INFO"),
                *("--pool", "prefork", "--concurrency", "2", "--hostname", "bench-sweep@%h"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped together with its pool
        )
    try:
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"The worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        ids = [row[0] for row in conn.execute(
            "SELECT id FROM pathways_outboxemail WHERE status = 'pending' ORDER BY id LIMIT %s", [emails]
        )]  # fmt: skip
        started = timezone.now()
        enqueue_emails(ids)
        deadline = time.monotonic() + 60 + len(ids) / 20  # patience for 20 e-mails/s at the very least
        with tqdm(total=len(ids), unit=" e-mails", leave=False) as progress:
            while True:
                done = conn.execute(
                    "SELECT count(*) FROM pathways_outboxemail WHERE id = ANY(%s) AND status <> 'pending'", [ids]
                ).fetchone()[0]
                progress.update(done - progress.n)
                if done == len(ids) or time.monotonic() > deadline or worker.poll() is not None:
                    break
                time.sleep(0.5)
        statuses = dict(
            conn.execute(
                "SELECT status, count(*) FROM pathways_outboxemail WHERE id = ANY(%s) GROUP BY status", [ids]
            ).fetchall()
        )
        finished = conn.execute("SELECT max(sent_at) FROM pathways_outboxemail WHERE id = ANY(%s)", [ids]).fetchone()
        written = sum(file.read_bytes().count(b"Message-ID: <outbox-") for file in (folder / "mail").glob("*"))
    finally:
        os.killpg(worker.pid, signal.SIGTERM)  # the worker this run started, and its pool
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    print(f"  outbox: {statuses}; messages in the files: {written:,}")
    if statuses.get("sent") != len(ids) or written != len(ids):
        print(f"  Not every e-mail was sent once; the worker's log is kept: {log}")
        return None
    seconds = (finished[0] - started).total_seconds()
    shutil.rmtree(folder)
    print(f"  {len(ids):,} e-mails in {seconds:.1f} s (publish to the last sent_at): {len(ids) / seconds:,.0f}/s")
    return len(ids) / seconds


# --- The run --------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-ins", type=int, default=1_000_000, help="check-ins falling due at once")
    parser.add_argument("--batch-size", type=int, default=None, help="REMINDER_SWEEP_BATCH_SIZE (default: setting)")
    parser.add_argument("--emails", type=int, default=20_000, help="e-mails the worker sends (0: no delivery)")
    parser.add_argument(
        "--compare", default="5000,20000,50000", help="batch sizes to compare, comma-separated ('' for none)"
    )
    parser.add_argument("--side-by-side", type=int, default=2, help="sweeps at once, as worker processes share one")
    parser.add_argument("--database", default="werkpad_bench_sweep")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/9", help="a Redis database of the bench's own")
    args = parser.parse_args()

    database_url = bench_database_url(args.database)
    print(f"Database: {args.database} (a dedicated benchmark database; DATABASE_URL's own is not touched).")
    os.environ["CELERY_BROKER_URL"] = args.broker  # read by the settings: the sweep publishes here
    setup_django(database_url)

    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    batch_size = args.batch_size or settings.REMINDER_SWEEP_BATCH_SIZE
    per_task = settings.EMAIL_IDS_PER_TASK
    now = timezone.now()
    today = timezone.localdate(now, timezone.get_default_timezone())
    client = redis.Redis.from_url(args.broker)
    keys_before = set(client.scan_iter())
    print(f"Broker: {args.broker} (queue '{QUEUE}' purged now and at the end; {len(keys_before)} keys there before)")
    client.delete(QUEUE)

    conn = psycopg.connect(database_url, autocommit=True)
    conn.execute("SET session_replication_role = replica")  # seeding only: see the docstring
    sweeps: dict[int, Sweep] = {}
    delivery = shared = None
    try:
        seed_base(conn, placements=-(-args.check_ins // PER_PLACEMENT), today=today, now=now)

        reset(conn, check_ins=args.check_ins, today=today)
        baseline_seconds, baseline_rows = baseline(database_url, today)
        print(f"Baseline: one UPDATE … RETURNING id: {baseline_rows:,} rows in {baseline_seconds:.2f} s ({load()})\n")

        for size in dict.fromkeys([batch_size, *(int(s) for s in args.compare.split(",") if s.strip())]):
            reset(conn, check_ins=args.check_ins, today=today)
            client.delete(QUEUE)
            sweep = Sweep(batch_size=size, log=size == batch_size)
            print(f"Sweep over {args.check_ins:,} check-ins, batch size {size:,}, to {args.broker} ({load()}):")
            report = sweep.run(timezone.now())
            print(
                f"  {sweep.wall:.2f} s: {report.counts['became_due']:,} due, {report.notifications:,} notifications, "
                f"{report.emails_queued:,} e-mails queued in {len(sweep.batches)} batches "
                f"({args.check_ins / sweep.wall:,.0f} rows/s)"
            )
            check_database(conn, args.check_ins)
            check_queue(client, args.check_ins, per_task, size)
            sweeps[size] = sweep
            if size == batch_size:
                chart(sweep, baseline_seconds)
            print()

        if args.side_by_side > 1:
            reset(conn, check_ins=args.check_ins, today=today)
            client.delete(QUEUE)
            print(f"{args.side_by_side} sweeps at once, each on its own connection ({load()}):")
            shared = side_by_side(args.side_by_side, timezone.now())
            print(f"  {shared[0]:.2f} s: {shared[1]:,} check-ins swept between them")
            check_database(conn, args.check_ins)
            check_queue(client, args.check_ins, per_task, batch_size)
            print()

        if args.emails:
            client.delete(QUEUE)  # the sweep's messages: the worker gets only the subset
            delivery = deliver_with_worker(conn, emails=args.emails, database_url=database_url, broker=args.broker)
    finally:
        created = [key for key in client.scan_iter() if key not in keys_before]
        if created:
            client.delete(*created)
        client.delete(QUEUE)
        print(f"Broker: deleted the {len(created)} keys this run created ({', '.join(k.decode() for k in created)})")
        conn.close()

    main_sweep = sweeps[batch_size]
    print(f"\n=== Results: {args.check_ins:,} check-ins falling due at once ===")
    print(f"Sweep (batch size {batch_size:,}), end to end with the enqueue on Redis: {main_sweep.wall:.2f} s, "
          f"{args.check_ins / main_sweep.wall:,.0f} rows/s")  # fmt: skip
    print(f"Baseline UPDATE … RETURNING: {baseline_seconds:.2f} s, {baseline_rows / baseline_seconds:,.0f} rows/s")
    print(f"Ratio: {main_sweep.wall / baseline_seconds:.1f}x the baseline")
    verdict = "MET" if main_sweep.wall < TARGET_SECONDS else "NOT MET"
    if args.check_ins != 1_000_000:
        verdict = "not comparable, the target is for 1,000,000 check-ins"
    print(f"Target: under {TARGET_SECONDS} s end to end ({REFERENCE}): {verdict}")
    if shared is not None:
        verdict = "MET" if shared[0] < TARGET_SECONDS and args.check_ins == 1_000_000 else "NOT MET"
        print(f"{args.side_by_side} sweeps sharing the work, as the workers do with a backlog: {shared[0]:.2f} s, "
              f"{args.check_ins / shared[0]:,.0f} rows/s; target {verdict}")  # fmt: skip
    print("Per phase (seconds, share of the sweep):")
    for name in COLUMNS:
        seconds = main_sweep.totals[name]
        print(f"  {name:<14} {seconds:6.2f} s  {100 * seconds / main_sweep.wall:4.0f} %")
    print("  (commit: PostgreSQL checks the batch's deferred foreign keys then; other: fetching the RETURNING rows")
    print("   into Python, building the statements, the placements step)")
    print("Batch sizes:")
    print(f"  {'size':>7} {'batches':>7} {'seconds':>8} {'rows/s':>8}  " + " ".join(f"{c:>13}" for c in COLUMNS))
    for size, sweep in sorted(sweeps.items()):
        phases = " ".join(f"{sweep.totals[c]:13.2f}" for c in COLUMNS)
        print(f"  {size:>7,} {len(sweep.batches):>7} {sweep.wall:8.2f} {args.check_ins / sweep.wall:8,.0f}  {phases}")
    best = min(sweeps, key=lambda size: sweeps[size].wall)
    gain = 1 - sweeps[best].wall / main_sweep.wall
    than = f"{gain:.0%} faster than {batch_size:,}" if best != batch_size else "the size measured above"
    print(f"  fastest: {best:,} ({than}; single runs, where ±10 % is noise on this machine)")
    if delivery is not None:
        print(f"Delivery: {delivery:,.0f} e-mails/s by one worker (concurrency 2, file backend), over {args.emails:,}")
        print(f"  ({args.check_ins:,} e-mails at that rate: {args.check_ins / delivery / 60:,.0f} minutes)")


if __name__ == "__main__":
    main()
