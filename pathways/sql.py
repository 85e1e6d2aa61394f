"""A list of ids as one parameter of hand-written SQL, on PostgreSQL and on SQLite (the development run).

One parameter rather than one per id: psycopg re-parses, uncached, every statement with more than 50 parameters
(a page of 50 residents crosses that; README, "Benchmarks"), and SQLite allows only so many.
"""

import json

from django.db import connection


def in_ids(column: str, ids: list[int]) -> tuple[str, object]:
    """The condition that `column` is one of `ids`, and its parameter."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", list(ids)
    return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(list(ids))


def ids_table(ids: list[int]) -> tuple[str, object]:
    """The ids as a table `ids` of one column, `id`, and its parameter."""
    if connection.vendor == "postgresql":
        return "unnest(CAST(%s AS bigint[])) AS ids(id)", list(ids)
    return "(SELECT value AS id FROM json_each(%s)) AS ids", json.dumps(list(ids))
