"""The back office for coordinators: residents and everything on their pathways, each package's pages in its
`admin.py` (Django's admin loads this module).

Stages and statuses are read-only here. They change only through the API, whose services check each move against
its table and write the history with it; an edit in the admin would skip both. For the same reason pathways,
enrolments, placements and check-ins are never added or deleted here, and residents
are not deleted (erasure keeps the row, anonymised)."""

from .journey import admin as journey_admin
from .learning import admin as learning_admin
from .placements import admin as placements_admin
from .privacy import admin as privacy_admin

__all__ = ["journey_admin", "learning_admin", "placements_admin", "privacy_admin"]
