"""The ranges every way in shares (issue 16)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models

from trellis.lib.bounds import MAX_ID, decimal_problem, plausible_date

SCORE = models.DecimalField(max_digits=7, decimal_places=2)


def test_decimal_problem_holds_a_number_to_its_column() -> None:
    assert decimal_problem(Decimal("99999.99"), SCORE) == ""
    assert decimal_problem(Decimal("-3.5"), SCORE) == ""
    assert decimal_problem(Decimal("1E+2"), SCORE) == ""
    assert "too large" in decimal_problem(Decimal("1E+999999999"), SCORE)
    assert "too large" in decimal_problem(Decimal("100000"), SCORE)
    assert "decimal place" in decimal_problem(Decimal("1.234"), SCORE)
    assert "not a number" in decimal_problem(Decimal("NaN"), SCORE)
    assert "not a number" in decimal_problem(Decimal("-Infinity"), SCORE)


def test_plausible_date_is_from_1990_to_a_year_ahead_by_default() -> None:
    today = dt.date.today()
    assert plausible_date(dt.date(1990, 1, 1)) == ""
    assert plausible_date(today + dt.timedelta(days=300)) == ""
    assert plausible_date(dt.date(1, 1, 1)) == "0001-01-01 is before 1990-01-01"
    assert "ahead" in plausible_date(today + dt.timedelta(days=400))
    assert plausible_date(today + dt.timedelta(days=400), years_ahead=20) == ""
    assert "ahead" in plausible_date(dt.date(9999, 12, 31), years_ahead=20)


def test_max_id_is_the_largest_bigint() -> None:
    assert MAX_ID == 9223372036854775807
