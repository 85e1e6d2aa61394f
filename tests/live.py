"""Real parallel requests: each from a thread of its own, through the whole stack (middleware, authentication,
throttling, the view, the request's transaction) on a database connection of its own, released at one moment.
For the limits and guarantees that must hold however many requests arrive at once; in `transaction=True` tests."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import orjson
from django.db import connections
from django.test import Client


def in_parallel(count: int, method: str, path: str, body: dict | None = None, **headers: str) -> list:
    """`count` identical requests, sent at the same moment; their responses."""
    start = threading.Barrier(count)

    def one(_):
        client = Client()
        try:
            start.wait()
            return client.generic(
                method, path, b"" if body is None else orjson.dumps(body), "application/json", **headers
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def statuses(responses: list) -> Counter:
    return Counter(response.status_code for response in responses)
