"""The Celery app: `celery -A workers worker` and `celery -A workers beat` start the workers and the scheduler.

The tasks live with the apps that own their work (`notifications/tasks.py`, `pathways/tasks.py`, found in the
installed apps); what the scheduler asks for, and how often, is settings.CELERY_BEAT_SCHEDULE.
"""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("werkpad")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _ensure_broker_folders() -> None:
    """The embedded (filesystem) broker keeps its messages in folders that must exist before anyone connects."""
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        folder = app.conf.broker_transport_options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)


app.on_after_configure.connect(lambda sender, **kwargs: _ensure_broker_folders(), weak=False)
