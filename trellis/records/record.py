"""A learner's record page: the evidence, plus committee levels per review period and a
heat map of latest levels by period.

Committee levels come from the committees app when it is installed; only signed-off
review cycles are shown (a level under discussion is not yet the committee's), and of
the rows for one review and item the newest wins (corrections supersede).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps

from trellis.people.models import Program, User
from trellis.plans.models import Plan
from trellis.plans.selectors import open_plans_in_program
from trellis.records.selectors import ItemEvidence, LearnerEvidence, learner_evidence

HEATMAP_MONTHS = 3

# An item with its committee level per review period.
Row = tuple[ItemEvidence, list[Decimal | None | str]]


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class CommitteeLevels:
    periods: list[Period]
    # item id -> period key -> level (None: not yet assessable)
    levels: dict[int, dict[str, Decimal | None]]

    def for_item(self, item_id: int) -> list[Decimal | None | str]:
        row = self.levels.get(item_id, {})
        return [row.get(p.key, "") for p in self.periods]


@dataclass(frozen=True)
class LearnerRecord:
    evidence: LearnerEvidence
    committee: CommitteeLevels | None
    periods: list[Period]
    plans: list[Plan]

    @property
    def learner(self) -> User:
        return self.evidence.learner

    def rows(self, items: list[ItemEvidence]) -> list[Row]:
        """Each item with its committee level per review period ("" where none)."""
        return [(e, self.committee.for_item(e.item.pk) if self.committee else []) for e in items]

    @property
    def subcompetency_rows(self) -> list[Row]:
        return self.rows(self.evidence.subcompetencies)

    @property
    def epa_rows(self) -> list[Row]:
        return self.rows(self.evidence.epas)


def committee_levels(*, program: Program, learner: User) -> CommitteeLevels | None:
    """None when the committees app is not installed."""
    if not apps.is_installed("trellis.committees"):
        return None
    try:
        from trellis.committees.models import CommitteeLevel, CycleStatus
    except ImportError:  # pragma: no cover - the app is being built alongside
        return None
    rows = (
        CommitteeLevel.objects.filter(
            review__learner=learner,
            review__cycle__program=program,
            review__cycle__status=CycleStatus.SIGNED_OFF,
        )
        .values_list(
            "item_id",
            "level",
            "review__cycle_id",
            "review__cycle__name",
            "review__cycle__period_start",
            "review__cycle__period_end",
        )
        .order_by("review__cycle__period_end", "recorded_at", "pk")
    )
    periods: dict[str, Period] = {}
    levels: dict[int, dict[str, Decimal | None]] = {}
    for item_id, level, cycle_id, name, start, end in rows:
        key = f"c{cycle_id}"
        periods.setdefault(key, Period(key, name, start, end))
        levels.setdefault(item_id, {})[key] = level
    return CommitteeLevels(sorted(periods.values(), key=lambda p: p.end), levels)


def heatmap_periods(evidence: LearnerEvidence, months: int = HEATMAP_MONTHS) -> list[Period]:
    """Consecutive periods of `months` months covering the learner's observations."""
    days = [p.observed_on for e in evidence.items for p in e.points]
    if not days:
        return []
    first, last = min(days), max(days)
    start = dt.date(first.year, ((first.month - 1) // months) * months + 1, 1)
    out = []
    while start <= last:
        m = start.month - 1 + months
        nxt = dt.date(start.year + m // 12, m % 12 + 1, 1)
        label = (
            f"{start:%b %Y}" if months == 1 else f"{start:%b}–{nxt - dt.timedelta(days=1):%b %Y}"
        )
        out.append(Period(start.isoformat(), label, start, nxt - dt.timedelta(days=1)))
        start = nxt
    return out


def latest_by_period(item: ItemEvidence, periods: list[Period]) -> list[Decimal | None]:
    """The latest observed level in each period (None where there was none)."""
    out: list[Decimal | None] = []
    observed = item.observed
    for period in periods:
        inside = [p.level for p in observed if period.start <= p.observed_on <= period.end]
        out.append(inside[-1] if inside else None)
    return out


def learner_record(
    *,
    program: Program,
    learner: User,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> LearnerRecord:
    evidence = learner_evidence(program=program, learner=learner, start=start, end=end)
    return LearnerRecord(
        evidence=evidence,
        committee=committee_levels(program=program, learner=learner),
        periods=heatmap_periods(evidence),
        plans=list(open_plans_in_program(owner=learner, program=program)),
    )
