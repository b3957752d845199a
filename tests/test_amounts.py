from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.tables.amounts import AmountError, fen, parse_decimal, plain, to_yuan


def test_wan_yuan_to_exact_yuan_with_two_places():
    for literal, unit, expected in (("6041.24", "万元", "60412400.00"), ("0.1", "万元", "1000.00"),
                                    ("0", "万元", "0.00"), ("15", "元", "15.00"),
                                    ("31,214,205.80", "元", "31214205.80"), ("0.000001", "万元", "0.01")):
        value = to_yuan(literal, unit)
        # the value and its two places: str() shows the exponent a Decimal carries
        assert str(value) == expected, (literal, unit, value)


def test_negative_zero_is_zero():
    assert str(fen(Decimal("-0.00"))) == "0.00"
    assert str(to_yuan("-0", "元")) == "0.00"


def test_full_width_digits_and_thousands_commas():
    assert parse_decimal("１５,０３４") == Decimal(15034)
    assert parse_decimal("15,034") == Decimal(15034)


@pytest.mark.parametrize("bad", ["", "——", "4.37。", "1,23", "abc", "1.2.3"])
def test_not_a_number(bad):
    with pytest.raises(AmountError):
        parse_decimal(bad)


@pytest.mark.parametrize("literal, unit", [("0.0000001", "万元"), ("0.001", "元"), ("31,214,205.805", "元")])
def test_fraction_of_a_fen_is_an_error_not_a_rounding(literal, unit):
    with pytest.raises(AmountError, match="not a whole number of fen"):
        to_yuan(literal, unit)


def test_an_amount_beyond_the_published_precision_is_refused():
    # Parquet holds amounts as decimal128(18, 2): 16 digits of yuan
    assert str(to_yuan("9999999999999999.99", "元")) == "9999999999999999.99"
    with pytest.raises(AmountError, match="16 digits"):
        to_yuan("10000000000000000", "元")


@given(st.integers(min_value=0, max_value=10**12))
def test_round_trip_of_two_decimal_wan_yuan(cents_of_wan):
    literal = f"{cents_of_wan // 100}.{cents_of_wan % 100:02d}"
    assert to_yuan(literal, "万元") == cents_of_wan * 100
    assert to_yuan(literal, "万元").as_tuple().exponent == -2
    assert plain(parse_decimal(literal)) == plain(Decimal(literal))
