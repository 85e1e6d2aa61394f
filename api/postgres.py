"""PostgreSQL connections as Django sets them up, without its slow reading of instants.

Django registers a `timestamptz` loader of its own that derives from psycopg's pure-Python one, because psycopg's
C loader cannot be subclassed (Django ticket #36960, psycopg issue #1273): every instant a query returns is parsed
in Python — for a page of 50 residents, 100 of them (what that costs: README, "Benchmarks"). Django only needs
its loader to put its own zone on what it reads; on a connection whose session Django keeps in UTC, psycopg's own
loader returns the same values, at C speed where psycopg[binary] is installed.
"""

import datetime

from django.conf import settings
from psycopg import adapters
from psycopg.adapt import Loader
from psycopg.postgres import types
from psycopg.pq import Format

TIMESTAMPTZ_OID = types["timestamptz"].oid
_FASTEST = adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)  # psycopg's, in C when psycopg[binary] is installed


class UtcTimestamptzLoader(Loader):
    """psycopg's fastest timestamptz loader, with the `timezone` Django compares to its own on every new cursor
    (where they differ, Django puts its loader back on that cursor)."""

    timezone = datetime.UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._load = _FASTEST(oid, context).load

    def load(self, data) -> datetime.datetime:
        return self._load(data)


def use_fast_timestamptz_loader(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: on PostgreSQL connections in UTC (Django's with USE_TZ), read instants
    with psycopg's loader."""
    if connection.vendor == "postgresql" and connection.timezone_name == "UTC" and "timestamptz" in settings.FAST_PATHS:
        connection.connection.adapters.register_loader(TIMESTAMPTZ_OID, UtcTimestamptzLoader)
