"""What the idempotency app tells others."""

from django.dispatch import Signal

# A stored answer was sent again: `request` (Django's), `user` and `residents_shown` (the ids the answer shows).
answer_replayed = Signal()
