from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.tables.amounts import AmountError, parse_decimal, plain, to_yuan


def test_wan_yuan_to_exact_yuan():
    assert to_yuan("6041.24", "万元") == 60412400
    assert to_yuan("0.1", "万元") == 1000
    assert to_yuan("0", "万元") == 0
    assert to_yuan("15", "元") == 15


def test_full_width_digits_and_thousands_commas():
    assert parse_decimal("１５,０３４") == Decimal(15034)
    assert parse_decimal("15,034") == Decimal(15034)


@pytest.mark.parametrize("bad", ["", "——", "4.37。", "1,23", "abc", "1.2.3"])
def test_not_a_number(bad):
    with pytest.raises(AmountError):
        parse_decimal(bad)


def test_fraction_of_a_yuan_is_an_error_not_a_rounding():
    with pytest.raises(AmountError):
        to_yuan("0.000001", "万元")


@given(st.integers(min_value=0, max_value=10**12))
def test_round_trip_of_two_decimal_wan_yuan(cents_of_wan):
    literal = f"{cents_of_wan // 100}.{cents_of_wan % 100:02d}"
    assert to_yuan(literal, "万元") == cents_of_wan * 100
    assert plain(parse_decimal(literal)) == plain(Decimal(literal))
