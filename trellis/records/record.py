"""A learner's record page: the evidence, plus committee levels per review period and a
heat map of latest levels by period.

Committee levels come from the committees app (`signed_off_levels`): only signed-off
review cycles are shown, with corrections applied. The evidence itself is
`trellis.assessments.evidence`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache

from trellis.assessments.evidence import (
    ItemEvidence,
    LearnerEvidence,
    SelfLevel,
    learner_evidence,
    learner_self_levels,
)
from trellis.committees.selectors import signed_off_levels
from trellis.frameworks.models import Item
from trellis.people.models import Program, User
from trellis.plans.models import Plan
from trellis.plans.selectors import open_plans_in_program, plans_now

HEATMAP_MONTHS = 3
# Columns the heat map draws at most, the most recent: ten years of quarters. Its work
# grows with the span of the dates held, whatever they are (issue 16).
HEATMAP_MAX_PERIODS = 40

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
    committee: CommitteeLevels
    periods: list[Period]
    plans: list[Plan]
    # item id -> where the learner last placed themself (the full view only)
    self_levels: dict[int, SelfLevel] = field(default_factory=dict)
    # plan id -> the items a plan on a replaced framework version is read under now
    plans_now: dict[int, list[Item]] = field(default_factory=dict)

    @property
    def earlier_left_out(self) -> bool:
        """Whether observations before the heat map's first period were left out of it."""
        if not self.periods:
            return False
        first = self.periods[0].start
        return any(p.observed_on < first for e in self.evidence.items for p in e.points)

    @property
    def learner(self) -> User:
        return self.evidence.learner

    def rows(self, items: list[ItemEvidence]) -> list[Row]:
        """Each item with its committee level per review period ("" where none)."""
        return [(e, self.committee.for_item(e.item.pk)) for e in items]

    @property
    def subcompetency_rows(self) -> list[Row]:
        return self.rows(self.evidence.subcompetencies)

    @property
    def epa_rows(self) -> list[Row]:
        return self.rows(self.evidence.epas)


def committee_levels(*, program: Program, learner: User) -> CommitteeLevels:
    periods: dict[str, Period] = {}
    levels: dict[int, dict[str, Decimal | None]] = {}
    for row in signed_off_levels(learner=learner, program=program):
        key = f"c{row.cycle_id}"
        periods.setdefault(key, Period(key, row.cycle_name, row.period_start, row.period_end))
        levels.setdefault(row.item_id, {})[key] = row.level
    return CommitteeLevels(sorted(periods.values(), key=lambda p: p.end), levels)


def _period_start(day: dt.date, months: int) -> dt.date:
    return dt.date(day.year, ((day.month - 1) // months) * months + 1, 1)


def heatmap_periods(
    evidence: LearnerEvidence,
    months: int = HEATMAP_MONTHS,
    max_periods: int = HEATMAP_MAX_PERIODS,
) -> list[Period]:
    """Consecutive periods of `months` months covering the learner's observations, the
    latest `max_periods` of them (`LearnerRecord.earlier_left_out` says when that cut)."""
    days = [p.observed_on for e in evidence.items for p in e.points]
    if not days:
        return []
    first, last = min(days), max(days)
    back = _period_start(last, months)
    back_months = back.year * 12 + back.month - 1 - (max_periods - 1) * months
    earliest = dt.date(back_months // 12, back_months % 12 + 1, 1) if back_months >= 12 else first
    start = max(_period_start(first, months), earliest)
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
    full: bool = True,
    with_comments: bool = True,
    private_plans: bool = False,
) -> LearnerRecord:
    """The learner's record. Not `full` (a supervisor's view, `RecordsAccess.sees_decisions`):
    the evidence a supervisor needs to teach and rate (observations, logs), without the
    committee's levels, exam scores, plans and the learner's self-assessment.
    `with_comments`: see `learner_evidence`. `private_plans`: the learner's own plans they
    have not opened to the program too (for the learner and their coach)."""
    evidence = learner_evidence(
        program=program, learner=learner, start=start, end=end, with_comments=with_comments
    )
    if not full:
        evidence.exams = []
    plans = (
        list(open_plans_in_program(owner=learner, program=program, private=private_plans))
        if full
        else []
    )
    return LearnerRecord(
        evidence=evidence,
        committee=(
            committee_levels(program=program, learner=learner) if full else CommitteeLevels([], {})
        ),
        periods=heatmap_periods(evidence),
        plans=plans,
        plans_now=plans_now(program=program, plans=plans),
        self_levels=(
            learner_self_levels(program=program, learner=learner, through=evidence.carried)
            if full
            else {}
        ),
    )


# --- one computed record for a page and its charts -------------------------------------
# The record page computes the record once and keeps it briefly under a random token
# that its chart URLs carry (?r=...), so the charts show exactly what the page shows and
# the evidence is not gathered three times. A chart asked for without a token (or after
# the token has expired, or on another worker process) computes the record itself.
RECORD_KEPT_SECONDS = 300


def _record_key(token: str) -> str:
    return f"trellis:record:{token}"


def record_keep(record: LearnerRecord) -> str:
    """Keep `record` for its charts; the token to put in their URLs."""
    token = secrets.token_urlsafe(16)
    cache.set(_record_key(token), record, RECORD_KEPT_SECONDS)
    return token


def record_recall(*, token: str, program: Program, learner: User) -> LearnerRecord:
    """The record kept under `token` if it is this learner's in this program, else a new
    one, without comments (no chart draws them). The caller has checked that the viewer may
    see the learner's record."""
    kept = cache.get(_record_key(token)) if token else None
    if (
        isinstance(kept, LearnerRecord)
        and kept.evidence.learner.pk == learner.pk
        and kept.evidence.program.pk == program.pk
    ):
        return kept
    return learner_record(program=program, learner=learner, with_comments=False)
