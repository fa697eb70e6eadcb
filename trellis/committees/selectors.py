"""Reads for committee reviews.

`committee_levels_for(*, learner, program)` is the public read other apps use (the learner
record, reports): the signed-off history of one learner's committee reviews, newest first,
with the current (non-superseded) level per item, the decision and entrustment decisions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TypeVar

from django.db.models import QuerySet

from trellis.committees.models import (
    CommitteeLevel,
    CycleStatus,
    Decision,
    EntrustmentDecision,
    Outcome,
    ProposedLevel,
    Review,
    ReviewCycle,
    ReviewStatus,
)
from trellis.frameworks.crosswalk import items_through
from trellis.people.models import Program, User

# A committee judgement kept as superseding rows: a level or an entrustment decision.
Judged = TypeVar("Judged", CommitteeLevel, EntrustmentDecision)


def cycles_for(*, program: Program) -> QuerySet[ReviewCycle]:
    return ReviewCycle.objects.filter(program=program).order_by("-period_end", "-id")


def cycle_reviews(*, cycle: ReviewCycle) -> QuerySet[Review]:
    return cycle.reviews.select_related("learner", "pre_reviewer")


def undecided_reviews(*, cycle: ReviewCycle) -> QuerySet[Review]:
    """Reviews of the cycle with no decision yet (sign-off waits for them)."""
    return cycle_reviews(cycle=cycle).exclude(decisions__isnull=False)


def current_levels(*, review: Review) -> dict[int, CommitteeLevel]:
    """The committee's level per item id: the row no later row supersedes."""
    rows = CommitteeLevel.objects.filter(review=review, superseded_by__isnull=True)
    return {row.item_id: row for row in rows}


def _current_in_cycle(model: type[Judged], cycle: ReviewCycle) -> dict[int, dict[int, Judged]]:
    """The rows of `model` no later row supersedes, per learner id, per item id."""
    out: dict[int, dict[int, Judged]] = {}
    rows = model.objects.filter(review__cycle=cycle, superseded_by__isnull=True).select_related(
        "review"
    )
    for row in rows:
        out.setdefault(row.review.learner_id, {})[row.item_id] = row
    return out


def cycle_current_levels(*, cycle: ReviewCycle) -> dict[int, dict[int, CommitteeLevel]]:
    """Current committee levels per learner id, per item id, for one cycle."""
    return _current_in_cycle(CommitteeLevel, cycle)


def current_decision(*, review: Review) -> Decision | None:
    return Decision.objects.filter(review=review, superseded_by__isnull=True).first()


def current_entrustments(*, review: Review) -> dict[int, EntrustmentDecision]:
    rows = EntrustmentDecision.objects.filter(review=review, superseded_by__isnull=True)
    return {row.item_id: row for row in rows}


def cycle_current_entrustments(*, cycle: ReviewCycle) -> dict[int, dict[int, EntrustmentDecision]]:
    """The current entrustment decision per learner id, per EPA id, for one cycle."""
    return _current_in_cycle(EntrustmentDecision, cycle)


def latest_proposals(*, review: Review) -> dict[int, ProposedLevel]:
    """The current proposal per item id: the newest row, unless it was withdrawn (then
    the item has no proposal; an older row never comes back in its place)."""
    newest: dict[int, ProposedLevel] = {}
    for row in ProposedLevel.objects.filter(review=review).select_related("proposed_by"):
        newest.setdefault(row.item_id, row)  # ordered newest first
    return {item_id: row for item_id, row in newest.items() if not row.is_withdrawn}


def decided_items(*, review: Review) -> set[int] | None:
    """The item ids the committee has decided for the review (a level or an entrustment
    recorded); None when the whole review is decided or signed off. A proposal for a
    decided item is part of how the decision was reached and is no longer withdrawn."""
    if review.status == ReviewStatus.DECIDED or review.cycle.is_locked:
        return None
    levels = CommitteeLevel.objects.filter(review=review).order_by().values_list("item_id")
    ents = EntrustmentDecision.objects.filter(review=review).order_by().values_list("item_id")
    return {item_id for (item_id,) in levels.union(ents)}


def previous_review(*, review: Review) -> Review | None:
    """The learner's review in the program's latest signed-off cycle before this one."""
    cycle = review.cycle
    return (
        Review.objects.filter(
            learner_id=review.learner_id,
            cycle__program_id=cycle.program_id,
            cycle__status=CycleStatus.SIGNED_OFF,
            cycle__period_end__lt=cycle.period_end,
        )
        .exclude(cycle=cycle)
        .select_related("cycle")
        .order_by("-cycle__period_end", "-cycle_id")
        .first()
    )


@dataclass(frozen=True)
class PreviousLevel:
    level: Decimal | None
    not_yet_assessable: bool
    # The item it was recorded on, where the program has since moved to a new version.
    carried_from: str = ""


def previous_levels(*, review: Review) -> dict[int, PreviousLevel]:
    """The previous signed-off cycle's committee level per item id (empty if none). A
    level recorded on an item the program moved on from is given under the items it
    became (see `frameworks.crosswalk`), naming where it came from."""
    before = previous_review(review=review)
    if before is None:
        return {}
    out = {
        item_id: PreviousLevel(row.level, row.not_yet_assessable)
        for item_id, row in current_levels(review=before).items()
    }
    for old, origin in items_through(program=review.cycle.program).items():
        row = out.get(old)
        if row is None:
            continue
        for new in origin.to:
            out.setdefault(new, replace(row, carried_from=origin.label))
    return out


def latest_signed_off_cycle(*, program: Program) -> ReviewCycle | None:
    return (
        ReviewCycle.objects.filter(program=program, status=CycleStatus.SIGNED_OFF)
        .order_by("-period_end", "-signed_off_at", "-id")
        .first()
    )


def review_neighbours(*, review: Review) -> tuple[Review | None, Review | None]:
    """The previous and next learner in the cycle's order, for the meeting screen."""
    ids = list(cycle_reviews(cycle=review.cycle).values_list("pk", flat=True))
    at = ids.index(review.pk)
    prev_id = ids[at - 1] if at > 0 else None
    next_id = ids[at + 1] if at + 1 < len(ids) else None
    found = Review.objects.in_bulk([i for i in (prev_id, next_id) if i is not None])
    return (found.get(prev_id) if prev_id else None, found.get(next_id) if next_id else None)


@dataclass(frozen=True)
class SignedOffLevel:
    cycle_id: int
    cycle_name: str
    period_start: dt.date
    period_end: dt.date
    item_id: int
    level: Decimal | None  # None: not yet assessable
    carried_from: str = ""  # set where item_id is the new item an older level is read under


def signed_off_levels(*, learner: User, program: Program) -> list[SignedOffLevel]:
    """The learner's current committee level per item in each signed-off cycle of the
    program (corrections applied), oldest cycle first. Cycles not yet signed off are left
    out: a level under discussion is not yet the committee's. A level on an item the
    program moved on from is given again under each item it became (`carried_from` says
    where it came from); the row itself keeps its item."""
    rows = (
        CommitteeLevel.objects.filter(
            review__learner=learner,
            review__cycle__program=program,
            review__cycle__status=CycleStatus.SIGNED_OFF,
            superseded_by__isnull=True,
        )
        .values_list(
            "review__cycle_id",
            "review__cycle__name",
            "review__cycle__period_start",
            "review__cycle__period_end",
            "item_id",
            "level",
        )
        .order_by("review__cycle__period_end", "review__cycle_id", "recorded_at", "pk")
    )
    found = [SignedOffLevel(*row) for row in rows]
    carried = items_through(program=program) if found else {}
    out: list[SignedOffLevel] = []
    for row in found:
        out.append(row)
        origin = carried.get(row.item_id)
        if origin is not None:
            out.extend(replace(row, item_id=n, carried_from=origin.label) for n in origin.to)
    return out


def cycle_outcomes(*, cycle: ReviewCycle) -> dict[int, str]:
    """The current decision's outcome (its label) per learner id, for one cycle."""
    rows = Decision.objects.filter(review__cycle=cycle, superseded_by__isnull=True).values_list(
        "review__learner_id", "outcome"
    )
    labels = dict(Outcome.choices)
    return {learner_id: str(labels.get(outcome, outcome)) for learner_id, outcome in rows}


def signed_off_item_levels(*, program: Program, item_id: int) -> list[tuple[int, dt.date, Decimal]]:
    """Every learner's current committee level on one item in each signed-off cycle of the
    program, as (learner id, the cycle's period end, level), oldest cycle first; "not yet
    assessable" is left out."""
    rows = (
        CommitteeLevel.objects.filter(
            item_id=item_id,
            review__cycle__program=program,
            review__cycle__status=CycleStatus.SIGNED_OFF,
            superseded_by__isnull=True,
            level__isnull=False,
        )
        .values_list("review__learner_id", "review__cycle__period_end", "level")
        .order_by("review__cycle__period_end", "review__cycle_id", "pk")
    )
    return [(learner_id, end, level) for learner_id, end, level in rows if level is not None]


@dataclass
class SignedOffReview:
    cycle: ReviewCycle
    review: Review
    levels: dict[int, CommitteeLevel]
    decision: Decision | None
    entrustments: dict[int, EntrustmentDecision] = field(default_factory=dict)


def committee_levels_for(*, learner: User, program: Program) -> list[SignedOffReview]:
    """The learner's signed-off committee reviews in the program, newest first. Levels and
    entrustment are keyed by item id and hold the current row (corrections applied).
    Cycles not yet signed off are left out: nothing is final until the chair signs."""
    reviews = (
        Review.objects.filter(
            learner=learner, cycle__program=program, cycle__status=CycleStatus.SIGNED_OFF
        )
        .select_related("cycle")
        .order_by("-cycle__period_end", "-cycle_id")
    )
    by_review: dict[int, SignedOffReview] = {
        r.pk: SignedOffReview(cycle=r.cycle, review=r, levels={}, decision=None) for r in reviews
    }
    ids = list(by_review)
    for level in CommitteeLevel.objects.filter(review_id__in=ids, superseded_by__isnull=True):
        by_review[level.review_id].levels[level.item_id] = level
    for decision in Decision.objects.filter(review_id__in=ids, superseded_by__isnull=True):
        by_review[decision.review_id].decision = decision
    for ent in EntrustmentDecision.objects.filter(review_id__in=ids, superseded_by__isnull=True):
        by_review[ent.review_id].entrustments[ent.item_id] = ent
    return list(by_review.values())
