"""The state of the database, to prove that a refused request changed nothing."""

from django.apps import apps
from django.db import connection


def snapshot(target) -> tuple:
    """The row count of every table (many-to-many ones included), in one query, and the fields of the object
    written to."""
    models = apps.get_models(include_auto_created=True)
    # (pghistory's Events are a view over the history's tables, built by each query, not a table of their own.)
    tables = sorted({model._meta.db_table for model in models if model._meta.managed and not model._meta.proxy})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"SELECT '{table}', COUNT(*) FROM {quote(table)}" for table in tables))
        counts = dict(cursor.fetchall())
    fields = type(target)._default_manager.filter(pk=target.pk).values().get() if target is not None else None
    return counts, fields
