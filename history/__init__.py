"""Change history of personal data and of pathways: who changed what, when, from which value to which.

Kept by PostgreSQL triggers (django-pghistory), so that bulk updates and raw SQL are recorded as surely as a
model's save(). The event tables are append-only; only erasure (pathways.privacy.services.resident_erase) rewrites them.
"""
