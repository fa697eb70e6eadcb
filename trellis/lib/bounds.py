"""The ranges a value taken in must fall within, whoever gives it (web form, API, command
line or importer), so that what the database holds can always be shown again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

MAX_ID = 2**63 - 1  # the largest id a 64-bit integer column (PostgreSQL, SQLite) holds

EARLIEST = dt.date(1990, 1, 1)  # before competency-based records; older is a typing error
# Observations and exams: at most a year ahead; schedules: up to twenty years ahead.
YEARS_AHEAD = 1
PLAN_YEARS_AHEAD = 20


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def plausible_date(day: dt.date, *, years_ahead: int = YEARS_AHEAD) -> str:
    """What is wrong with a date given for a record, or "": between 1990-01-01 and
    `years_ahead` years from today. Charts and reports walk the span of the dates held,
    so a year 1 or 9999 would make every one of them enormous."""
    latest = _years_after(dt.date.today(), years_ahead)
    if day < EARLIEST:
        return f"{day.isoformat()} is before {EARLIEST.isoformat()}"
    if day > latest:
        return f"{day.isoformat()} is more than {years_ahead} year(s) ahead"
    return ""


def decimal_problem(value: Decimal, field: models.DecimalField[Any, Any]) -> str:
    """What is wrong with a number for the decimal column, or "": not a finite number
    (NaN, Infinity), or more digits than the column's max_digits / decimal_places."""
    if not value.is_finite():
        return f"{value} is not a number"
    whole_digits = field.max_digits - field.decimal_places
    # adjusted() is the power of ten of the first digit; no arithmetic, so no overflow
    if value and value.adjusted() >= whole_digits:
        return f"{value} is too large (at most {whole_digits} digit(s) before the point)"
    # small enough now for quantize to stay within the context's precision
    if value.quantize(Decimal(1).scaleb(-field.decimal_places)) != value:
        return f"{value} has more than {field.decimal_places} decimal place(s)"
    return ""
