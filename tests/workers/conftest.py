"""Real processes for the fault tests of the reminder engine: a private redis-server the test starts, stops and
restarts on its own port, and Celery workers (`celery -A workers worker`) that it can SIGKILL and start again.

The workers read the test database that pytest-django created, so the tests that use them are
`django_db(transaction=True)`: a worker sees only committed rows. Every process gets a timeout and is killed at the
end of its test, whatever happened.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import redis
from django.db import connection

from pathways.models import OutboxEmail
from tests.conftest import REQUIRE_SERVICES
from tests.workers.mail import recorded
from workers.celery import app

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], object], *, timeout: float, what: str, every: float = 0.1):
    """Polls `condition` until it is truthy (and returns it); fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def _stop(process: subprocess.Popen, sig: int) -> None:
    """Sends `sig` to the process and everything it started (its own session), then reaps it."""
    if process.poll() is None:
        with suppress(ProcessLookupError):  # it died on its own meanwhile
            os.killpg(process.pid, sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


class RedisServer:
    """A redis-server of the test's own, keeping nothing on disk: stopping it loses whatever it held."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
                *("--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")),
            ],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # CI moves the clock with libfaketime, which clashes with redis-server's jemalloc; Redis keeps no dates.
            env={name: value for name, value in os.environ.items() if name != "LD_PRELOAD"},
        )
        wait_until(self._answers, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process, signal.SIGTERM)
            self.process = None

    @contextmanager
    def hung(self):
        """The server stopped in its tracks (SIGSTOP): connections are accepted by the kernel, never answered."""
        os.kill(self.process.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(self.process.pid, signal.SIGCONT)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def messages_waiting(self) -> int:
        """Messages queued or delivered to a worker and not yet acknowledged (acks_late: until the task ends)."""
        client = self.client()
        queued = sum(client.llen(key) for key in client.scan_iter() if client.type(key) == b"list")
        return queued + client.hlen("unacked")

    def restore_unacknowledged(self) -> int:
        """What the Redis transport does once a message's visibility timeout has passed: hand it out again.
        Done by kombu's own code, with the timeout taken as already over."""
        with app.connection_for_write(self.url, transport_options={"visibility_timeout": 0}) as broker:
            waiting = self.client().hlen("unacked")
            broker.default_channel.qos.restore_visible(num=1000, interval=1)
        return waiting

    def _answers(self) -> bool:
        try:
            return self.client().ping()
        except redis.RedisError:
            return False


class Worker:
    """One `celery -A workers worker` process (with its pool) that can be killed outright."""

    def __init__(self, *, env: dict[str, str], log: Path, concurrency: int):
        self.log = log
        self.name = log.stem
        with log.open("w") as output:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "workers", "worker", "--loglevel", "INFO"),
                    *("--pool", "prefork", "--concurrency", str(concurrency), "--hostname", f"{self.name}@%h"),
                    *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self._ready, timeout=STARTUP_SECONDS, what=f"the worker to start (log: {log})", every=0.2)

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"The worker exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
        return " ready." in self.log.read_text()

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes at once, as when its machine dies."""
        self.stop()
        # PostgreSQL ends their sessions, and so their transactions and row locks, only once it notices.
        wait_until(lambda: not self._sessions(), timeout=10, what=f"PostgreSQL to end the sessions of {self.name}")

    def _sessions(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
                [self.name],
            )
            return cursor.fetchone()[0]

    def stop(self) -> None:
        _stop(self.process, signal.SIGKILL)


@contextmanager
def broker_at(url: str):
    """Points this process's Celery app (what the API and the sweep publish with) at another broker."""
    previous = os.environ.get("CELERY_BROKER_URL")
    _use_broker(url)
    try:
        yield
    finally:
        _use_broker(previous)


def _use_broker(url: str | None) -> None:
    # Celery reads CELERY_BROKER_URL from the environment before its configuration, and caches its connection and
    # producer pools: set both, and forget the pools, so that the next publish connects to `url`.
    if url is None:
        os.environ.pop("CELERY_BROKER_URL", None)
    else:
        os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


class Lab:
    """The processes of one fault test and what they did."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.mail = folder / "mail"
        self.redis = RedisServer(folder)
        self.workers: list[Worker] = []

    def start_worker(self, *, concurrency: int = 1, **env: object) -> Worker:
        """A worker on the test database and the private broker; `env` adds or overrides its settings
        (EMAIL_MAX_ATTEMPTS=2, TEST_MAIL_DELAY_SECONDS=1, ...)."""
        database = connection.settings_dict
        name = f"worker{len(self.workers) + 1}"
        worker_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": (
                f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:{database['PORT']}"
                f"/{database['NAME']}?application_name={name}"  # to tell its sessions apart
            ),
            "CELERY_BROKER_URL": self.redis.url,
            "TEST_EMAIL_BACKEND": "tests.workers.mail.RecordingBackend",
            "TEST_MAIL_FOLDER": str(self.mail),
            "LOG_LEVEL": "INFO",
            **{key: str(value) for key, value in env.items()},
        }
        worker = Worker(env=worker_env, log=self.folder / f"{name}.log", concurrency=concurrency)
        self.workers.append(worker)
        return worker

    def sent(self) -> list[dict]:
        return recorded(self.mail, "sent")

    def begun(self) -> list[dict]:
        return recorded(self.mail, "begun")

    def wait_for_workers_idle(self, timeout: float = 60) -> None:
        """Until every message was taken and acknowledged (twice in a row: a message being moved is in neither)."""

        def idle_twice() -> bool:
            if self.redis.messages_waiting():
                return False
            time.sleep(0.3)
            return not self.redis.messages_waiting()

        wait_until(idle_twice, timeout=timeout, what="the workers to finish their tasks")

    def wait_for_outbox_settled(self, timeout: float = 60) -> None:
        """Until no e-mail is pending. A pending row is the only one anyone may still send (a send in progress
        holds it pending until it commits), so after this the e-mails recorded are final."""
        wait_until(
            lambda: not OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING).exists(),
            timeout=timeout,
            what="every outbox e-mail to be sent or failed",
        )

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.redis.stop()


@pytest.fixture
def lab(transactional_db, tmp_path):
    """A private redis-server (started) with this process's Celery app pointed at it; workers on demand."""
    if shutil.which("redis-server") is None:
        message = "the fault tests start their own redis-server, and none is installed"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    lab = Lab(tmp_path)
    try:
        lab.redis.start()
        with broker_at(lab.redis.url):
            yield lab
    finally:
        lab.close()
