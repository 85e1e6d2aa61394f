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


def fetch(sql: str, params: list) -> list[tuple]:
    """The rows of one hand-written statement (a SELECT, or a write with RETURNING)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: list) -> int:
    """Runs one hand-written write; answers how many rows it changed."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def compiled(queryset) -> tuple[str, list]:
    """The SQL of an ORM query and its parameters, to be used inside hand-written SQL (unordered: as a part of a
    larger statement, an ORDER BY would only cost a sort)."""
    if not queryset.query.is_sliced:
        queryset = queryset.order_by()
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)
