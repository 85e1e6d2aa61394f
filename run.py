#!/usr/bin/env python3
"""Werkpad in one command, on a machine with nothing but Python 3.11.

    python3 run.py          install, migrate, load the demo coalition, start the API, a worker and the scheduler
    python3 run.py test     install and run the test suite (extra arguments go to pytest)

Without DATABASE_URL and CELERY_BROKER_URL it runs on SQLite and an embedded broker; with them, on PostgreSQL
and Redis. Everything is installed into .venv next to this file.
"""

import hashlib
import os
import signal
import subprocess
import sys
import time
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
        venv.create(VENV, with_pip=True)
    step("Installing Werkpad and its dependencies (pip shows progress)")
    subprocess.run([PYTHON, "-m", "pip", "install", "--upgrade", "pip"], check=True)
    subprocess.run([PYTHON, "-m", "pip", "install", "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def serve() -> int:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("DJANGO_DEBUG", "1")
    step("Preparing the database")
    manage("migrate", "--noinput", env=env)
    step("Loading the demo coalition")
    manage("seed_demo", env=env)
    celery = str(BIN / "celery")
    processes = {
        "api": subprocess.Popen([PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"], cwd=ROOT, env=env),
        "worker": subprocess.Popen(
            [celery, "-A", "workers", "worker", "--loglevel=INFO", "--concurrency=2"], cwd=ROOT, env=env
        ),
        # One scheduler only: it decides when the sweep runs, the workers do it.
        "scheduler": subprocess.Popen([celery, "-A", "workers", "beat", "--loglevel=INFO"], cwd=ROOT, env=env),
    }
    time.sleep(3)
    base = f"http://{HOST}:{PORT}"
    print(
        f"""
Werkpad is running (Ctrl-C stops everything):
  API docs (Swagger UI)  {base}/api/v1/docs
  OpenAPI schema         {base}/api/v1/openapi.json
  Health                 {base}/api/v1/health
  Back office (admin)    {base}/admin/
The demo logins are listed above.
""",
        flush=True,
    )
    try:
        while all(process.poll() is None for process in processes.values()):
            time.sleep(1)
        stopped = [name for name, process in processes.items() if process.poll() is not None]
        print(f"Stopped unexpectedly: {', '.join(stopped)}; shutting down the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT if os.name != "nt" else signal.CTRL_C_EVENT)
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def test(args: list[str]) -> int:
    return subprocess.run([PYTHON, "-m", "pytest", *args], cwd=ROOT).returncode


def main() -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs under whatever python3 the machine has
        sys.exit("Werkpad needs Python 3.11 or newer.")
    command, *args = sys.argv[1:] or ["serve"]
    install()
    if command == "serve":
        return serve()
    if command == "test":
        return test(args)
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
