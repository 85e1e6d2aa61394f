"""Splitting money exactly (contract §12): every split adds up to the cent to the amount it splits."""

from decimal import Decimal

CENT = Decimal("0.01")


def split(amount: Decimal, weights: list[int | Decimal]) -> list[Decimal]:
    """`amount` (two decimals) in parts proportional to `weights`, by largest remainder: each part gets its exact
    share rounded down to the cent, and the cents left over go one each to the largest remainders — ties to the
    larger weight, then to the one listed first. A negative amount is split as its absolute value and negated, so
    that a correction undoes exactly what its original added. In whole numbers throughout (cents, and the weights
    scaled to whole numbers), so exact and quick."""
    places = max((-Decimal(weight).as_tuple().exponent for weight in weights), default=0)
    units = [int(Decimal(weight).scaleb(max(places, 0))) for weight in weights]
    total = sum(units)
    if total <= 0 or any(unit < 0 for unit in units):
        raise ValueError("weights must be non-negative and not all zero")
    cents = int(abs(amount).scaleb(2))
    parts = [cents * unit // total for unit in units]
    order = sorted(range(len(units)), key=lambda i: (-(cents * units[i] % total), -units[i], i))
    for i in order[: cents - sum(parts)]:
        parts[i] += 1
    sign = -1 if amount < 0 else 1
    return [Decimal(sign * part) * CENT for part in parts]
