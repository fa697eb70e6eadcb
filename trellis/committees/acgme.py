"""The ACGME milestone upload CSV: one row per learner x subcompetency of a signed-off cycle.

The layout follows the ACGME ADS milestone upload as best known (program, resident,
PGY, milestone, level with half levels, "not yet assessable"); ADS changes its templates,
so the columns are configurable with the `TRELLIS_ACGME_CSV_COLUMNS` setting (a list of
the column names below, in the order wanted). Developmental frameworks are never included.
Documented in docs/formats.md, "ACGME milestone upload CSV".
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.conf import settings

from trellis.committees.models import CommitteeLevel, Review, ReviewCycle
from trellis.committees.rules import CommitteeError, review_items
from trellis.committees.selectors import cycle_current_levels, cycle_reviews
from trellis.lib.cells import SafeCsvWriter

Row = tuple[Review, CommitteeLevel]

COLUMNS: dict[str, Callable[[ReviewCycle, Review, CommitteeLevel], Any]] = {
    "program_id": lambda c, r, lv: c.program.slug,
    "program_name": lambda c, r, lv: c.program.name,
    "review_period": lambda c, r, lv: c.name,
    "meeting_date": lambda c, r, lv: c.meeting_date.isoformat(),
    "resident_id": lambda c, r, lv: r.learner.pk,
    "last_name": lambda c, r, lv: r.learner.last_name,
    "first_name": lambda c, r, lv: r.learner.first_name,
    "email": lambda c, r, lv: r.learner.email,
    "pgy": lambda c, r, lv: r.training_year or "",
    "framework": lambda c, r, lv: lv.item.framework.title,
    "milestone_code": lambda c, r, lv: lv.item.code,
    "milestone_name": lambda c, r, lv: lv.item.name,
    "level": lambda c, r, lv: "" if lv.level is None else f"{lv.level:.1f}",
    "not_yet_assessable": lambda c, r, lv: "Y" if lv.not_yet_assessable else "N",
}
DEFAULT_COLUMNS = list(COLUMNS)


def export_columns() -> list[str]:
    wanted = list(getattr(settings, "TRELLIS_ACGME_CSV_COLUMNS", None) or DEFAULT_COLUMNS)
    unknown = [name for name in wanted if name not in COLUMNS]
    if unknown:
        raise CommitteeError(f"Unknown ACGME CSV column(s): {', '.join(unknown)}")
    return wanted


def acgme_rows(*, cycle: ReviewCycle) -> list[list[Any]]:
    """The header row, then one row per learner x subcompetency with a committee level."""
    if not cycle.is_locked:
        raise CommitteeError(f"{cycle.name} is not signed off; only final levels are exported")
    columns = export_columns()
    items = list(review_items(program=cycle.program))
    levels = cycle_current_levels(cycle=cycle)
    rows: list[list[Any]] = [columns]
    for review in cycle_reviews(cycle=cycle).order_by("learner__last_name", "learner__first_name"):
        mine = levels.get(review.learner_id, {})
        for item in items:
            level = mine.get(item.pk)
            if level is None:
                continue
            level.item = item
            rows.append([COLUMNS[name](cycle, review, level) for name in columns])
    return rows


def acgme_csv(*, cycle: ReviewCycle) -> str:
    out = io.StringIO()
    SafeCsvWriter(out, lineterminator="\r\n").writerows(acgme_rows(cycle=cycle))
    return out.getvalue()
