"""Handing work to the broker without ever making a caller wait on it (settings.TASK_PUBLISHER names `publish`).

Everything published here is also in the database: a message lost because the broker was down is found again by
the next sweep. So a publish is tried once, quickly, and a failure is logged rather than raised.
"""

import logging

from .celery import app

logger = logging.getLogger(__name__)

# One attempt, each step bounded by a second: by default kombu waits 2 s and connects again before giving up, and
# a hung broker holds a command for the whole socket_timeout the workers need for their long polls.
FAIL_FAST = {"max_retries": 0, "socket_connect_timeout": 1, "socket_timeout": 1}


def broker_reachable() -> bool:
    """Whether the broker accepts a connection now (settings.BROKER_CHECK, for /health)."""
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def publish(task_name: str, *arguments: tuple) -> bool:
    """One message of `task_name` per tuple of arguments, over one connection; False if the broker failed."""
    try:
        with app.connection_for_write(transport_options=FAIL_FAST) as connection:
            for args in arguments:
                app.send_task(task_name, args=args, retry=False, connection=connection)
    except Exception as exc:  # any broker trouble: the sweep re-drives from the database
        logger.warning("Could not publish %s (%s); the next sweep will pick it up.", task_name, exc)
        return False
    return True
