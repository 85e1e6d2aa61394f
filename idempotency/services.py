"""Carrying out a POST once per user and `Idempotency-Key` (contract §1, "retries").

The first request with a key claims it in a row of its own, committed before the work, so that a concurrent
duplicate finds it. The work then runs in a transaction that holds that row locked and stores the answer in it
before committing: the work and its stored answer are committed together or not at all. A duplicate that finds
the row locked answers 409 (the first is still running); one that finds an answer replays it.

Which answers are stored: every answer under 500 except 429. A 4xx changed nothing (the request's transaction is
rolled back) and would answer the same again; a 429 and a 5xx did not carry the request out, so their claim is
released (left without an answer) and a retry with the same key carries it out afresh.
"""

import hashlib
from collections.abc import Callable
from datetime import timedelta

import orjson
from django.db import IntegrityError, OperationalError, transaction
from django.http import HttpResponse
from django.utils import timezone

from .models import Record

LIFETIME = timedelta(hours=24)


class KeyReused(Exception):
    """The key was used for another request (another path or body): 422."""


class StillRunning(Exception):
    """The first request with this key has not answered yet: 409."""


def fingerprint(*, method: str, path: str, body: bytes) -> str:
    """Equal for bodies equal as JSON (key order and spacing aside); a body that is not JSON counts as its bytes."""
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    return hashlib.sha256(f"{method} {path}\n".encode() + canonical).hexdigest()


def record_carry_out(*, user, key: str, fingerprint: str, work: Callable[[], HttpResponse]) -> HttpResponse:
    """The answer of `work()`, carried out once for this user and key within LIFETIME; a replay otherwise."""
    now = timezone.now()
    Record.objects.filter(created_at__lt=now - LIFETIME).delete()  # expired records go as new ones come
    for _attempt in range(2):  # a second time if the record expired and was removed between the two steps
        record = _claim(user=user, key=key, fingerprint=fingerprint, now=now)
        if record.created_at >= now - LIFETIME and record.fingerprint != fingerprint:
            raise KeyReused
        with transaction.atomic():
            try:
                locked = Record.objects.select_for_update(nowait=True).filter(pk=record.pk).first()
            except OperationalError as exc:  # the row is locked: its first request is running
                raise StillRunning from exc
            if locked is not None:
                return _answer(locked, fingerprint=fingerprint, now=now, work=work)
    raise StillRunning


def _claim(*, user, key: str, fingerprint: str, now) -> Record:
    """The record of this user and key, made (and committed) if there is none."""
    try:
        with transaction.atomic():
            return Record.objects.create(user=user, key=key, fingerprint=fingerprint, created_at=now)
    except IntegrityError:
        return Record.objects.get(user=user, key=key)


def _answer(record: Record, *, fingerprint: str, now, work: Callable[[], HttpResponse]) -> HttpResponse:
    if record.created_at < now - LIFETIME:  # an old use of the key: this is a new request
        record.fingerprint, record.created_at, record.status = fingerprint, now, None
    elif record.fingerprint != fingerprint:  # an expired record taken over by another request meanwhile
        raise KeyReused
    if record.status is not None:
        return _replay(record)
    response = work()
    if response.status_code < 500 and response.status_code != 429:
        record.status = response.status_code
        record.content_type = response.get("Content-Type", "")
        record.body = response.content
        record.location = response.get("Location", "")
    record.save()
    return response


def _replay(record: Record) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status, content_type=record.content_type or None)
    if record.location:
        response["Location"] = record.location
    return response
