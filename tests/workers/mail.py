"""An e-mail backend for worker subprocesses that leaves a durable trace a test can count across processes.

Configured from the environment (tests/settings.py selects it with TEST_EMAIL_BACKEND):
- TEST_MAIL_FOLDER: each message is recorded as one JSON file in `sent/` once "sent"; before that, a file in
  `begun/` says a send started (so a test can kill the worker in the middle of one);
- TEST_MAIL_DELAY_SECONDS: how long each send takes (a slow SMTP server);
- TEST_MAIL_POISON: a recipient whose message kills the worker process outright, every time;
- TEST_MAIL_DIE_AFTER_ACCEPTING: a recipient whose message, the first time, is accepted (recorded as sent) and then
  kills the worker before it can record the send: the one window §7 admits.
"""

import json
import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(os.environ["TEST_MAIL_FOLDER"])
        delay = float(os.environ.get("TEST_MAIL_DELAY_SECONDS", "0"))
        poison = os.environ.get("TEST_MAIL_POISON")
        dies_after = os.environ.get("TEST_MAIL_DIE_AFTER_ACCEPTING")
        for message in email_messages:
            record = {
                "to": message.to,
                "subject": message.subject,
                "body": message.body,
                "message_id": message.extra_headers.get("Message-ID"),
                "pid": os.getpid(),
            }
            _write(folder / "begun", record)
            if poison in message.to:
                os._exit(1)  # what a segfaulting library would do: no exception, no cleanup
            time.sleep(delay)
            _write(folder / "sent", record)
            if dies_after in message.to and not (folder / "died").exists():
                (folder / "died").touch()
                os._exit(1)
        return len(email_messages)


def _write(folder: Path, record: dict) -> None:
    """One file per record, renamed into place so a reader never sees half of one."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns()}-{uuid.uuid4().hex}.json"
    partial = folder / f".{name}"
    partial.write_text(json.dumps(record))
    partial.rename(folder / name)


def recorded(folder: Path, stage: str = "sent") -> list[dict]:
    """The messages recorded in `folder` (by any process), oldest first."""
    path = folder / stage
    if not path.exists():
        return []
    return [json.loads(file.read_text()) for file in sorted(path.glob("[!.]*.json"))]
