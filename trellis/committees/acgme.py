"""The ACGME milestone upload CSV: one row per learner x subcompetency of a signed-off cycle.

The layout follows the ACGME ADS milestone upload as best known (program, resident,
PGY, milestone, level with half levels, "not yet assessable"); ADS changes its templates,
so the columns are configurable with the `TRELLIS_ACGME_CSV_COLUMNS` setting (a list of
the column names below, in the order wanted). Developmental frameworks are never included.
ADS knows the program by its ADS program number and each resident by their ACGME ID, so
the export is refused, naming who lacks one, until both are set (`acgme_readiness`).
Documented in docs/formats.md, "ACGME milestone upload CSV".
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from trellis.committees.models import CommitteeLevel, Review, ReviewCycle
from trellis.committees.rules import CommitteeError, review_items
from trellis.committees.selectors import cycle_current_levels, cycle_reviews
from trellis.lib.cells import SafeCsvWriter
from trellis.people.accreditation import acgme_ids
from trellis.people.models import Membership, Role, User


@dataclass(frozen=True)
class Line:
    """What one row of the upload is made from."""

    cycle: ReviewCycle
    review: Review
    level: CommitteeLevel
    acgme_id: str


COLUMNS: dict[str, Callable[[Line], Any]] = {
    "program_id": lambda x: x.cycle.program.ads_number,
    "program_name": lambda x: x.cycle.program.name,
    "review_period": lambda x: x.cycle.name,
    "meeting_date": lambda x: x.cycle.meeting_date.isoformat(),
    "resident_id": lambda x: x.acgme_id,
    "last_name": lambda x: x.review.learner.last_name,
    "first_name": lambda x: x.review.learner.first_name,
    "email": lambda x: x.review.learner.email,
    "pgy": lambda x: x.review.training_year or "",
    "framework": lambda x: x.level.item.framework.title,
    "milestone_code": lambda x: x.level.item.code,
    "milestone_name": lambda x: x.level.item.name,
    "level": lambda x: "" if x.level.level is None else f"{x.level.level:.1f}",
    "not_yet_assessable": lambda x: "Y" if x.level.not_yet_assessable else "N",
}
DEFAULT_COLUMNS = list(COLUMNS)


@dataclass
class Readiness:
    """What the upload still lacks: the program's ADS number, and the learners (with the
    membership where their ID is set) who have levels to export but no ACGME ID."""

    ads_number_missing: bool
    without_id: list[tuple[User, Membership]] = field(default_factory=list)
    ids: dict[int, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return not self.ads_number_missing and not self.without_id

    def message(self) -> str:
        missing = []
        if self.ads_number_missing:
            missing.append("the program's ADS program number")
        if self.without_id:
            names = ", ".join(person.display_name for person, _ in self.without_id)
            missing.append(f"an ACGME ID for {names}")
        return "The ACGME upload needs " + " and ".join(missing)


class AcgmeNotReady(CommitteeError):
    def __init__(self, readiness: Readiness) -> None:
        super().__init__(readiness.message())
        self.readiness = readiness


def acgme_readiness(*, cycle: ReviewCycle) -> Readiness:
    """Whether the cycle's upload can carry the identifiers ADS needs, and who lacks one."""
    program = cycle.program
    items = set(review_items(program=program).values_list("pk", flat=True))
    exported = {
        learner_id
        for learner_id, levels in cycle_current_levels(cycle=cycle).items()
        if not items.isdisjoint(levels)
    }
    ids = acgme_ids(program=program, people=exported)
    readiness = Readiness(ads_number_missing=not program.ads_number, ids=ids)
    lacking = (
        Membership.objects.filter(program=program, role=Role.LEARNER, person_id__in=exported)
        .exclude(person_id__in=list(ids))
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "person_id", "-start_date")
    )
    seen: set[int] = set()
    for membership in lacking:
        if membership.person_id not in seen:
            seen.add(membership.person_id)
            readiness.without_id.append((membership.person, membership))
    return readiness


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
    readiness = acgme_readiness(cycle=cycle)
    if not readiness.ready:
        raise AcgmeNotReady(readiness)
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
            line = Line(cycle, review, level, readiness.ids.get(review.learner_id, ""))
            rows.append([COLUMNS[name](line) for name in columns])
    return rows


def acgme_csv(*, cycle: ReviewCycle) -> str:
    out = io.StringIO()
    SafeCsvWriter(out, lineterminator="\r\n").writerows(acgme_rows(cycle=cycle))
    return out.getvalue()
