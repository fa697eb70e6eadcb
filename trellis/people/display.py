"""How people-side values read on a page."""

from __future__ import annotations

from trellis.people.models import Program, ProgramKind


def training_year_label(program: Program, year: int | None) -> str:
    """'PGY 2' in a residency, 'Year 2' elsewhere."""
    if year is None:
        return "Year not set"
    if program.kind == ProgramKind.RESIDENCY:
        return f"PGY {year}"
    return f"Year {year}"
