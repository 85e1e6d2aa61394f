"""Real parallel requests: each from a thread of its own, through the whole stack (middleware, authentication,
throttling, the view, the request's transaction) on a database connection of its own, released at one moment.
For the limits and guarantees that must hold however many requests arrive at once; in `transaction=True` tests."""

import threading
from collections import Counter

import orjson
from django.db import connections
from django.test import Client


def in_threads(count: int, target) -> list:
    """Runs target(n) in `count` threads released at the same moment, each with its own database connection;
    answers their results, or raises the first error."""
    start = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            results[n] = target(n)
        except BaseException as exc:  # re-raised in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def in_parallel(count: int, method: str, path: str, body: dict | None = None, **headers: str) -> list:
    """`count` identical requests, sent at the same moment; their responses."""
    content = b"" if body is None else orjson.dumps(body)
    return in_threads(count, lambda _: Client().generic(method, path, content, "application/json", **headers))


def statuses(responses: list) -> Counter:
    return Counter(response.status_code for response in responses)
