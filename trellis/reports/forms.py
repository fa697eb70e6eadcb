"""The period an accreditation evidence package covers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms

from trellis.lib.bounds import plausible_date
from trellis.reports.accreditation import default_period


class _DateInput(forms.DateInput):
    input_type = "date"


class PeriodForm(forms.Form):
    """Both dates default to the last 365 days, and the form shows them."""

    start = forms.DateField(label="From", widget=_DateInput())
    end = forms.DateField(label="To", widget=_DateInput())

    def __init__(self, query: Mapping[str, str]) -> None:
        first, last = default_period()
        data = {"start": first.isoformat(), "end": last.isoformat()}
        data.update({k: query[k] for k in ("start", "end") if query.get(k)})
        super().__init__(data)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = default_period()
        start, end = data.get("start") or first, data.get("end") or last
        data["start"], data["end"] = start, end
        problems = {name: plausible_date(day, years_ahead=1) for name, day in data.items()}
        if start > end and not problems["end"]:
            problems["end"] = "The end comes before the start"
        for name, problem in problems.items():
            if problem:
                self.add_error(name, problem)  # which also takes it out of cleaned_data
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """The chosen period (call after is_valid())."""
        return self.cleaned_data["start"], self.cleaned_data["end"]
