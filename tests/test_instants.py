"""Werkpad's DateTimeField (api/viewsets.py) writes every instant exactly as DRF's own field does."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from api.serializers import DateTimeField

UTC = datetime.UTC
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
VALUES = {
    "whole second": datetime.datetime(2026, 11, 28, 6, 0, tzinfo=UTC),
    "microseconds": datetime.datetime(2026, 11, 28, 6, 0, 0, 120, tzinfo=UTC),
    "last moment of winter time": datetime.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),
    "first moment of summer time": datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    "the hour that comes twice": datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    "given in another zone": datetime.datetime(2026, 7, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("America/Curacao")),
    "offset with seconds": datetime.datetime(1930, 1, 1, 12, 0, tzinfo=UTC),
    "first day": datetime.datetime(1, 1, 1, tzinfo=UTC),
    "last day": datetime.datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
    "naive": datetime.datetime(2026, 11, 28, 6, 0),
    "a date": datetime.date(2026, 11, 28),
    "text": "2026-11-28T06:00:00Z",
    "nothing": None,
}
FIELDS = {
    "default zone": {},
    "UTC": {"default_timezone": UTC},
    "Amsterdam": {"default_timezone": AMSTERDAM},
    "another format": {"format": "%d-%m-%Y %H:%M"},
    "no format": {"format": None},
}


def written(field: serializers.DateTimeField, value):
    try:
        return field.to_representation(value)
    except Exception as exc:  # the same failure is the same answer
        return type(exc)


@pytest.mark.parametrize("value", VALUES.values(), ids=VALUES.keys())
@pytest.mark.parametrize("options", FIELDS.values(), ids=FIELDS.keys())
def test_an_instant_is_written_as_drf_writes_it(options, value):
    with timezone.override(AMSTERDAM):
        ours, drfs = DateTimeField(**options), serializers.DateTimeField(**options)
        assert written(ours, value) == written(drfs, value)


def test_utc_is_written_with_a_z():
    field = DateTimeField(default_timezone=UTC)
    assert field.to_representation(VALUES["whole second"]) == "2026-11-28T06:00:00Z"
