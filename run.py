#!/usr/bin/env python3
"""Werkpad in one command, on a machine with nothing but Python 3.11.

    python3 run.py          install, migrate, load the demo coalition, start the API, a worker and the scheduler
    python3 run.py test     install and run the test suite (extra arguments go to pytest)

Without DATABASE_URL and CELERY_BROKER_URL it runs on SQLite and an embedded broker; with them, on PostgreSQL
and Redis. Everything is installed into .venv next to this file. WERKPAD_HOST and WERKPAD_PORT choose where the
API listens (127.0.0.1:8000).
"""

import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"
HOST, PORT = os.environ.get("WERKPAD_HOST", "127.0.0.1"), os.environ.get("WERKPAD_PORT", "8000")


def step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def install() -> None:
    """Create .venv and install the project with its test tools, again only when pyproject.toml changed."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not PYTHON.exists():
        step(f"Creating a virtual environment in {VENV}")
        try:
            venv.create(VENV, with_pip=True)
        except subprocess.CalledProcessError:
            sys.exit("Could not create a virtual environment with pip (on Debian or Ubuntu: apt install python3-venv).")
    step("Installing Werkpad and its dependencies into .venv (a minute or two the first time)")
    subprocess.run([PYTHON, "-m", "pip", "install", "--progress-bar", "on", "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def manage(*args: str, env: dict, capture: bool = False) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )
    return done.stdout or ""


def port_taken() -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((HOST, int(PORT))) == 0


def relay(name: str, process: subprocess.Popen, ready: threading.Event) -> None:
    """Print a process's output line by line behind its name, so the three logs stay readable side by side."""
    for line in process.stdout:
        sys.stdout.write(f"{name:>9} | {line}")
        sys.stdout.flush()
        if name == "worker" and line.rstrip().endswith(" ready."):  # Celery's "celery@host ready."
            ready.set()


def health(base: str) -> str | None:
    """The health body once the API answers at all (200 or 503), None while it doesn't."""
    try:
        with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:
        return error.read().decode()
    except OSError:
        return None


def stop_on_signal(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM and SIGHUP shut down as Ctrl-C does


def serve() -> int:
    if port_taken():
        sys.exit(f"Something already listens on {HOST}:{PORT}; choose another port with WERKPAD_PORT.")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("DJANGO_DEBUG", "1")
    env.setdefault("CORS_ALLOWED_ORIGINS", "http://localhost:5173,http://localhost:3000")  # Vite's and React's
    step("Preparing the database")
    manage("migrate", "--noinput", env=env)
    seeded = "seed_demo" in manage("help", "--commands", env=env, capture=True).split()
    if seeded:
        step("Loading the demo coalition")
        manage("seed_demo", env=env)
    else:
        step("No seed_demo command in this version: starting without demo data")
    step("Starting the API, a worker and the scheduler")
    celery = [str(BIN / "celery"), "-A", "workers"]
    # The embedded broker cannot drop the event queue of a `celery events` that has gone, so event messages would
    # pile up in its folder: there the worker sends no events. With Redis, `celery events` shows every task.
    embedded = env.get("CELERY_BROKER_URL", "filesystem://").startswith("filesystem://")
    events = ["--without-heartbeat", "--without-gossip", "--without-mingle"] if embedded else ["--task-events"]
    commands = {
        "api": [str(PYTHON), "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
        "worker": [*celery, "worker", "--loglevel=INFO", "--concurrency=2", *events],
        # One scheduler only: it decides when periodic work is due, the workers do it.
        "scheduler": [*celery, "beat", "--loglevel=INFO"],
    }
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, stop_on_signal)
    processes: dict[str, subprocess.Popen] = {}
    relays: list[threading.Thread] = []
    worker_ready = threading.Event()
    try:
        for name, command in commands.items():
            # A session of their own: Ctrl-C reaches only this script, which then stops each process once.
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            processes[name] = process
            relays.append(threading.Thread(target=relay, args=(name, process, worker_ready), daemon=True))
            relays[-1].start()
        base = f"http://{HOST}:{PORT}"
        status = None
        # The summary comes last: once the API answers and the worker is ready (or a minute has passed).
        deadline = time.monotonic() + 60
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
            status = status or health(base)
            if status and (worker_ready.is_set() or time.monotonic() > deadline):
                break
        if status is not None:
            needs_debug = "" if "DJANGO_DEBUG" in os.environ else "DJANGO_DEBUG=1 "
            celery_command = f"{needs_debug}{BIN / 'celery'} -A workers"
            watch = "   (and its lines above)" if embedded else f"\n                         {celery_command} events"
            logins = (
                "demo logins: under 'Loading the demo coalition' above"
                if seeded
                else "create a login: manage.py createsuperuser"
            )
            print(
                f"""
Werkpad is running (Ctrl-C stops everything):
  API docs (Swagger UI)  {base}/api/v1/docs
  OpenAPI schema         {base}/api/v1/openapi.json
  Health                 {base}/api/v1/health  ->  {status}
  Back office (admin)    {base}/admin/   ({logins})
  Watch the worker       {celery_command} inspect active{watch}
""",
                flush=True,
            )
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
        stopped = ", ".join(name for name, process in processes.items() if process.poll() is not None)
        print(f"\nStopped unexpectedly: {stopped}; shutting down the rest.", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nShutting down the API, the worker and the scheduler...", flush=True)
        return 0
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut the shutdown short
        for process in processes.values():
            if process.poll() is None:
                process.terminate()  # Celery's warm shutdown: the worker finishes the task at hand
        for name, process in processes.items():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop in 30 s; killing it.", file=sys.stderr, flush=True)
                process.kill()
                process.wait()
        for thread in relays:
            thread.join(timeout=2)  # the last lines of each log


def test(args: list[str]) -> int:
    return subprocess.run([PYTHON, "-m", "pytest", *args], cwd=ROOT).returncode


def main() -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs under whatever python3 the machine has
        sys.exit("Werkpad needs Python 3.11 or newer.")
    command, *args = sys.argv[1:] or ["serve"]
    if command not in ("serve", "test"):
        sys.exit(__doc__)
    install()
    return serve() if command == "serve" else test(args)


if __name__ == "__main__":
    sys.exit(main())
