"""What the API layer tells the apps."""

from django.dispatch import Signal

# An answer shows residents' personal data: `request`, `user`, `role` (the role acted in) and `resident_ids`.
# Sent in the request's transaction by every ServiceViewSet, and by the idempotency middleware when it sends a
# stored answer again; the access log (pathways) writes an entry per resident.
residents_shown = Signal()
