"""The decorator that puts a model's rows under change history (imported by the models of the other apps)."""

import pghistory

from . import models  # noqa: F401 — pghistory places the event models in this app's models module: load it first

APPEND_ONLY_TRIGGER = "append_only"  # pghistory's name for the trigger that refuses updates and deletes of events


def tracked(*, exclude: list[str] | None = None):
    """Every insert, update and delete of the model's rows is kept, as the row after the change (for a delete: the
    row before it), in an event model of this app, with the context of the change (who, in what role). Event rows
    can be neither updated nor deleted, except by erasure, which passes the append-only trigger by name.
    The triggers fire once per statement, over its transition tables: a set-wise UPDATE of 100,000 check-ins (as
    the reminder sweep makes) takes about twice as long with them, and four to five times with a trigger per row."""
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        exclude=exclude,
        app_label="history",
        append_only=True,
        level=pghistory.Statement,
    )
