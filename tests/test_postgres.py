"""Instants read through psycopg's own timestamptz loader (api/postgres.py) are the ones Django's would read."""

import datetime

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.adapt import AdaptersMap
from psycopg.pq import Format

from api.postgres import TIMESTAMPTZ_OID, UtcTimestamptzLoader

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db,
    pytest.mark.skipif("timestamptz" not in settings.FAST_PATHS, reason="FAST_PATHS leaves psycopg's loader out"),
]

# Microseconds and none, both offsets of Amsterdam, both sides of its DST changes, the epoch, far past and future.
INSTANTS = [
    "2026-11-28 06:00:00+00",
    "2026-11-28 06:00:00.000001+00",
    "2026-11-28 06:00:00.123456+01",
    "2026-03-29 00:59:59.999999+00",
    "2026-03-29 01:00:00+00",
    "2026-10-25 00:59:59+00",
    "2026-10-25 01:00:00+00",
    "1970-01-01 00:00:00+00",
    "1937-06-30 23:59:59+00:19:32",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]
SELECT = "SELECT v::timestamptz FROM unnest(%s::text[]) AS v"


def read(loader: type | None) -> list[datetime.datetime]:
    with connection.cursor() as cursor:
        if loader is not None:
            cursor.cursor.adapters.register_loader(TIMESTAMPTZ_OID, loader)
        cursor.execute(SELECT, [INSTANTS])
        return [row[0] for row in cursor.fetchall()]


def djangos_loader() -> type:
    """The loader Django registers for a UTC connection."""

    class Cursor:  # register_tzloader only reaches for `.adapters`
        adapters = AdaptersMap(psycopg.adapters)

    register_tzloader(datetime.UTC, Cursor)
    return Cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


def test_every_new_connection_and_cursor_reads_instants_with_psycopgs_loader():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        assert cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) is UtcTimestamptzLoader


def test_the_instants_read_are_djangos_to_the_microsecond_and_in_utc():
    ours, djangos = read(None), read(djangos_loader())

    assert ours == djangos
    assert all(instant.tzinfo is datetime.UTC for instant in ours)
    assert [instant.isoformat() for instant in ours] == [instant.isoformat() for instant in djangos]
