"""The domain does not import the queue, notifications knows no domain app, and the API layer and the project's
wiring know no app at all (issue 10)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The domain's modules: none of them may bring in Celery or the workers, however indirectly.
DOMAIN = [
    "coalition.models",
    "coalition.services",
    "coalition.apis",
    "history.services",
    "pathways.models",
    "pathways.admin",
    "pathways.urls",
    "pathways.locks",
    "pathways.scopes",
    *(
        f"pathways.{package}.{module}"
        for package in ("journey", "learning", "placements", "privacy")
        for module in ("services", "selectors", "apis")
    ),
    "pathways.outcomes.apis",
    "pathways.placements.reminders",
    "pathways.privacy.access_log",
    "demo.residents",
    "demo.evaluation",
    "demo.funding",
    "demo.management.commands.seed_demo",
    "notifications.models",
    "notifications.sources",
    "notifications.sweep",
    "notifications.emails",
    "notifications.handover",
    "notifications.services",
    "notifications.apis",
    "notifications.admin",
    "notifications.management.commands.send_reminders",
]

# Set up without the workers app (whose package is the Celery app), import each module, and name any that
# brought the queue in.
PROBE = """
import importlib, sys
import django
from django.conf import settings
settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "workers"]
django.setup()
for module in sys.argv[1:]:
    importlib.import_module(module)
    if any(name.split(".")[0] in {"celery", "workers"} for name in sys.modules):
        print(module)
        break
"""


def test_the_domain_does_not_import_the_queue():
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *DOMAIN],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "", "PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.strip() == ""


# What notifications may use of the other apps: the API's shared filters. (The user model comes through
# settings.AUTH_USER_MODEL and get_user_model.)
NOTIFICATIONS_MAY_IMPORT = {"coalition.filters"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
    return names


def test_notifications_imports_no_domain_app():
    for path in (ROOT / "notifications").rglob("*.py"):
        domain = {name for name in _imports(path) if name.split(".")[0] in {"coalition", "pathways", "history"}}
        assert domain <= NOTIFICATIONS_MAY_IMPORT | {"history.context"}, (path.name, sorted(domain))


def test_only_tasks_modules_import_celery():
    for app in ("coalition", "pathways", "history", "notifications", "demo"):
        for path in (ROOT / app).rglob("*.py"):
            queue = {name for name in _imports(path) if name.split(".")[0] in {"celery", "workers"}}
            assert not queue or path.name == "tasks.py", (path, sorted(queue))


APPS = {"coalition", "pathways", "history", "notifications", "idempotency", "workers", "demo"}


def test_the_api_layer_and_the_projects_wiring_import_no_app():
    """`api/` (what every endpoint shares) and `config/` (settings and URLs) offer hooks the apps fill in: a signal
    for the residents an answer shows, the permission class and the apps' URLs named in the settings."""
    for folder in ("api", "config"):
        for path in (ROOT / folder).rglob("*.py"):
            imported = {name for name in _imports(path) if name.split(".")[0] in APPS}
            assert not imported, (f"{folder}/{path.name}", sorted(imported))
