"""One largest-remainder split for every split of money (contract §12): the parts add up to the cent, none is a
cent or more from its exact share, and ties go to the larger share, then to the one listed first."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funding.money import split

AMOUNTS = st.integers(min_value=-(10**12), max_value=10**12).map(lambda cents: Decimal(cents).scaleb(-2))
WHOLE = st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12)
DECIMAL = st.lists(
    st.integers(min_value=0, max_value=10**9).map(lambda c: Decimal(c).scaleb(-2)), min_size=1, max_size=8
)
WEIGHTS = st.one_of(WHOLE, DECIMAL).filter(lambda weights: sum(weights) > 0)


@given(AMOUNTS, WEIGHTS)
def test_the_parts_add_up_to_the_cent_and_each_lies_within_a_cent_of_its_share(amount, weights):
    parts = split(amount, weights)
    assert sum(parts) == amount
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert part.as_tuple().exponent == -2
        assert abs(Fraction(part) - Fraction(amount) * Fraction(weight) / Fraction(total)) < Fraction(1, 100)


@given(AMOUNTS, WEIGHTS)
def test_a_negative_amount_is_the_positive_split_negated(amount, weights):
    assert split(-amount, weights) == [-part for part in split(amount, weights)]


@pytest.mark.parametrize(
    ("amount", "weights", "parts"),
    [
        ("1000.01", [60, 40], ["600.01", "400.00"]),  # the larger remainder (.6 of a cent) gets the cent
        ("0.02", [1, 3], ["0.00", "0.02"]),  # remainders tie (half a cent each): to the larger share
        ("0.01", [50, 50], ["0.01", "0.00"]),  # remainders and shares tie: to the one listed first
        ("0.02", [1, 1, 1], ["0.01", "0.01", "0.00"]),
        ("-0.01", [50, 50], ["-0.01", "0.00"]),  # as its absolute value, negated
        ("100.00", [0, 3], ["0.00", "100.00"]),
        ("0.00", [1, 1], ["0.00", "0.00"]),
    ],
)
def test_ties_by_example(amount, weights, parts):
    assert split(Decimal(amount), weights) == [Decimal(part) for part in parts]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_weights_must_share_something(weights):
    with pytest.raises(ValueError):
        split(Decimal("1.00"), weights)
