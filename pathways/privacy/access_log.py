"""The access log (NEN 7513, BIO 12.4): who looked at which resident's file, when, where and in what role.

Written for every answer of the API that shows residents (the `residents_shown` signal), in the request's own
transaction: an answer that fails after all leaves no entry. A page of residents is one INSERT, not one per row.
"""

from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from api.sql import in_ids
from coalition.models import User

from ..journey.models import Resident
from .models import AccessLogEntry


def access_log_record(*, user: User, role: str, resident_ids: Iterable[int], method: str, path: str) -> int:
    """One entry per resident shown (each once), all at one moment; `path` without its query string, which may
    carry personal data (a search). Returns the number of entries written.

    One INSERT … SELECT whose only parameters per row are the ids: `bulk_create` builds an instance and compiles
    and quotes six values per row, which took three to four times as long for a page of 50.
    """
    ids = list(dict.fromkeys(resident_ids))
    if not ids:
        return 0
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    shown, ids_param = in_ids("id", ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {AccessLogEntry._meta.db_table} (at, user_id, role, resident_id, method, path)
                SELECT %s, %s, %s, id, %s, %s FROM {Resident._meta.db_table} WHERE {shown}""",
            [at, user.pk, role, method, path, ids_param],
        )
        return cursor.rowcount


def log_residents_shown(sender, *, request, user: User, role: str, resident_ids: list[int], **kwargs) -> None:
    """`residents_shown` receiver: what an answer of the API shows (or shows again, replayed for a retry)."""
    access_log_record(user=user, role=role, resident_ids=resident_ids, method=request.method, path=request.path)
