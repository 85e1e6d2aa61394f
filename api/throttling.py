"""Request rates counted so that a limit holds under any concurrency (contract §1).

DRF's own throttles read a list of past requests from the cache and write it back: requests that arrive together
all read the same list and all pass. Here every request is one atomic increment of a counter in the cache (INCR on
Redis, a lock in local memory), per fixed window of the rate's duration, so the (N+1)th request of a window is
refused however many arrive at once. Processes share the counts only when they share the cache (`CACHE_URL`).
"""

import logging
import math

from django.conf import settings
from django.core.cache import cache
from rest_framework import throttling

logger = logging.getLogger(__name__)


def cache_count(key: str, timeout: int) -> int:
    """Adds one to the counter at `key` (made with `timeout` seconds to live when it is new), atomically, and
    returns what it holds now."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # it expired between the two calls: this is the first of a new counter
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)


class AtomicRateMixin:
    """`allow_request` for DRF's SimpleRateThrottle subclasses: an atomic count per window, not a shared list."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.wait_seconds = max(1, math.ceil((window + 1) * self.duration - now))
        return cache_count(f"{key}:{window}", self.duration) <= self.num_requests

    def wait(self) -> float:
        return self.wait_seconds


class UserRateThrottle(AtomicRateMixin, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(AtomicRateMixin, throttling.AnonRateThrottle):
    pass


def warn_if_counting_apart() -> None:
    """At a server's start: without a shared cache every process keeps its own counts, and each limit is
    multiplied by the number of processes."""
    if not settings.DEBUG and settings.CACHES["default"]["BACKEND"].endswith(".LocMemCache"):
        logger.warning(
            "CACHE_URL is not set: request rates and failed logins are counted in each process's own memory, so "
            "with several processes (gunicorn workers, containers) every limit is multiplied by their number. "
            "Point CACHE_URL at Redis (redis://host:6379/1) wherever more than one process serves the API."
        )
