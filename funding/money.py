"""Splitting money exactly (contract §12): every split adds up to the cent to the amount it splits."""

from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def split(amount: Decimal, weights: list[int | Decimal]) -> list[Decimal]:
    """`amount` (two decimals) in parts proportional to `weights`, by largest remainder: each part gets its exact
    share rounded down to the cent, and the cents left over go one each to the largest remainders — ties to the
    larger weight, then to the one listed first. A negative amount is split as its absolute value and negated, so
    that a correction undoes exactly what its original added."""
    total = sum(weights)
    if total <= 0 or any(weight < 0 for weight in weights):
        raise ValueError("weights must be non-negative and not all zero")
    cents = int(abs(amount) / CENT)
    exact = [Fraction(cents) * Fraction(weight) / Fraction(total) for weight in weights]
    parts = [int(share) for share in exact]  # floor: every share is non-negative
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), -weights[i], i))
    for i in order[: cents - sum(parts)]:
        parts[i] += 1
    sign = -1 if amount < 0 else 1
    return [Decimal(sign * part) * CENT for part in parts]
