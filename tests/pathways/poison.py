"""Rows the real database refuses, for the tests of a reminder sweep that must not let one bad row hold up the rest.

Once the reminders' texts fit their columns, no data the API accepts makes the sweep's SQL fail; but a constraint, a
trigger or a type the future brings may refuse some row. A trigger refusing the rows that match a condition stands in
for that: the error is the database's own, raised for that row only, inside the sweep's statements.
"""

from contextlib import contextmanager
from itertools import count

from django.db import connection

_names = count()


@contextmanager
def refused(table: str, when: str):
    """While inside, the database refuses to insert or update a row of `table` for which `when` (SQL over NEW)
    holds. Dropped on the way out, also after a transactional test (whose flush would not drop it)."""
    name = f"test_refuse_{next(_names)}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION 'row refused by {name}'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW WHEN ({when}) "
                f"EXECUTE FUNCTION {name}()"
            )
            drops = [f"DROP TRIGGER {name} ON {table}", f"DROP FUNCTION {name}()"]
        else:
            for event in ("INSERT", "UPDATE"):
                cursor.execute(
                    f"CREATE TRIGGER {name}_{event} BEFORE {event} ON {table} FOR EACH ROW WHEN {when} "
                    f"BEGIN SELECT RAISE(ABORT, 'row refused by {name}'); END"
                )
            drops = [f"DROP TRIGGER {name}_{event}" for event in ("INSERT", "UPDATE")]
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for drop in drops:
                cursor.execute(drop)
