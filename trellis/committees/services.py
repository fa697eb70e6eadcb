"""Writes for committee reviews. Every function runs in one transaction with its audit
event; after sign-off only `correction_record` may change a review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from trellis.audit.services import audit_record, audited_create, snapshot
from trellis.committees.models import (
    CommitteeLevel,
    CycleStatus,
    Decision,
    EntrustmentDecision,
    Outcome,
    Review,
    ReviewCycle,
    ReviewStatus,
)
from trellis.committees.rules import (
    COMMITTEE_VOTERS,
    SIGNERS,
    CommitteeError,
    check_level,
    require_open,
)
from trellis.committees.selectors import undecided_reviews
from trellis.frameworks.models import Item, ItemKind, level_in
from trellis.lib.bounds import PLAN_YEARS_AHEAD, plausible_date
from trellis.people.models import Program, Role, User
from trellis.people.selectors import program_members, program_roles
from trellis.plans.services import plan_create

PLAN_CHECK_IN_DAYS = 90

LEVEL_FIELDS = ["review", "item", "level", "not_yet_assessable", "supersedes", "reason"]
DECISION_FIELDS = ["review", "outcome", "rationale", "supersedes", "reason"]
ENTRUSTMENT_FIELDS = ["review", "item", "level", "rationale", "supersedes", "reason"]


@dataclass(frozen=True)
class LevelInput:
    item: Item
    level: Decimal | None
    not_yet_assessable: bool = False


@dataclass(frozen=True)
class DecisionInput:
    outcome: str
    rationale: str


@dataclass(frozen=True)
class PlanInput:
    """The learning plan a decision opens (required with "advance with a plan")."""

    item: Item
    target_level: Decimal | None
    actions: str


@dataclass(frozen=True)
class EntrustmentInput:
    item: Item
    level: Decimal
    rationale: str = ""


def _require_role(user: User, program: Program, roles: frozenset[Role], what: str) -> None:
    if not program_roles(person=user, program=program) & roles:
        raise CommitteeError(f"{user} may not {what} in {program}")


@transaction.atomic
def cycle_create(
    *,
    program: Program,
    name: str,
    period_start: dt.date,
    period_end: dt.date,
    meeting_date: dt.date,
    share_prereview_notes: bool = False,
    acting_user: User | None,
) -> ReviewCycle:
    """Open a review cycle with a review for every current learner of the program."""
    if period_end < period_start:
        raise CommitteeError("The review period must end after it starts")
    for what, day in (("period", period_start), ("period", period_end), ("meeting", meeting_date)):
        if problem := plausible_date(day, years_ahead=PLAN_YEARS_AHEAD):
            raise CommitteeError(f"The {what} date {problem}")
    if ReviewCycle.objects.filter(program=program, name=name).exists():
        raise CommitteeError(f"{program} already has a review cycle named {name!r}")
    cycle = ReviewCycle.objects.create(
        program=program,
        name=name,
        period_start=period_start,
        period_end=period_end,
        meeting_date=meeting_date,
        share_prereview_notes=share_prereview_notes,
    )
    learners = program_members(program=program, role=Role.LEARNER)
    Review.objects.bulk_create(
        Review(cycle=cycle, learner=m.person, training_year=m.training_year) for m in learners
    )
    audit_record(
        actor=acting_user,
        action="committee.cycle_create",
        target=cycle,
        after={
            **snapshot(cycle, ["name", "period_start", "period_end", "meeting_date"]),
            "reviews": cycle.reviews.count(),
        },
        program=program,
    )
    return cycle


@transaction.atomic
def reviewers_assign(
    *, cycle: ReviewCycle, assignments: Mapping[Review, User | None], acting_user: User | None
) -> int:
    """Set the pre-reviewer of each review given; returns how many changed."""
    require_open(cycle)
    changed = 0
    for review, reviewer in assignments.items():
        if review.cycle_id != cycle.pk:
            raise CommitteeError(f"{review} is not in {cycle.name}")
        if reviewer is not None:
            _require_role(reviewer, cycle.program, COMMITTEE_VOTERS, "pre-review")
            if reviewer.pk == review.learner_id:
                raise CommitteeError("A learner may not pre-review themselves")
        if review.pre_reviewer_id == (reviewer.pk if reviewer else None):
            continue
        before = snapshot(review, ["pre_reviewer"])
        review.pre_reviewer = reviewer
        review.save(update_fields=["pre_reviewer"])
        audit_record(
            actor=acting_user,
            action="committee.reviewer_assign",
            target=review,
            before=before,
            after=snapshot(review, ["pre_reviewer"]),
            program=cycle.program,
        )
        changed += 1
    return changed


def _current_level(review: Review, item: Item) -> CommitteeLevel | None:
    return CommitteeLevel.objects.filter(
        review=review, item=item, superseded_by__isnull=True
    ).first()


def _level_write(
    *, review: Review, change: LevelInput, acting_user: User, reason: str, action: str
) -> CommitteeLevel | None:
    check_level(item=change.item, level=change.level, not_yet_assessable=change.not_yet_assessable)
    current = _current_level(review, change.item)
    level = None if change.not_yet_assessable else change.level
    if current is not None and (current.level, current.not_yet_assessable) == (
        level,
        change.not_yet_assessable,
    ):
        return None
    row = CommitteeLevel.objects.create(
        review=review,
        item=change.item,
        level=level,
        not_yet_assessable=change.not_yet_assessable,
        recorded_by=acting_user,
        reason=reason,
        supersedes=current,
    )
    return audited_create(
        row,
        fields=LEVEL_FIELDS,
        actor=acting_user,
        action=action,
        replaces=current,
        program=review.cycle.program,
    )


@transaction.atomic
def committee_level_record(
    *,
    review: Review,
    item: Item,
    level: Decimal | None,
    not_yet_assessable: bool = False,
    acting_user: User,
) -> CommitteeLevel | None:
    """Record the committee's level for one item; a change is a new row superseding the
    old one. Returns None when the level is unchanged."""
    require_open(review.cycle)
    return _level_write(
        review=review,
        change=LevelInput(item, level, not_yet_assessable),
        acting_user=acting_user,
        reason="",
        action="committee.level_record",
    )


@transaction.atomic
def committee_levels_record(
    *, review: Review, levels: Sequence[LevelInput], acting_user: User
) -> list[CommitteeLevel]:
    """One Save on the meeting screen: every level of one learner, all or nothing."""
    require_open(review.cycle)
    rows = []
    for change in levels:
        row = committee_level_record(
            review=review,
            item=change.item,
            level=change.level,
            not_yet_assessable=change.not_yet_assessable,
            acting_user=acting_user,
        )
        if row is not None:
            rows.append(row)
    return rows


def _check_decision(change: DecisionInput) -> None:
    if change.outcome not in Outcome.values:
        raise CommitteeError(f"Unknown outcome {change.outcome!r}")
    if not change.rationale.strip():
        raise CommitteeError("A decision needs its rationale")


@transaction.atomic
def decision_record(
    *,
    review: Review,
    outcome: str,
    rationale: str,
    plan: PlanInput | None = None,
    acting_user: User,
) -> Decision:
    """Record the progression decision. "Advance with a plan" opens the learner's plan
    (through the plans app) in the same transaction; remediation may open one too."""
    require_open(review.cycle)
    if outcome == Outcome.ADVANCE_WITH_PLAN and plan is None:
        raise CommitteeError("Advancing with a plan needs the plan: an item and its actions")
    decision = _decision_write(
        review=review,
        change=DecisionInput(outcome, rationale),
        acting_user=acting_user,
        reason="",
        action="committee.decision_record",
    )
    if plan is not None and outcome in (Outcome.ADVANCE_WITH_PLAN, Outcome.REMEDIATION):
        current = _current_level(review, plan.item)
        plan_create(
            owner=review.learner,
            program=review.cycle.program,
            item=plan.item,
            current_level=current.level if current else None,
            target_level=plan.target_level,
            actions=plan.actions,
            evidence=f"Committee decision, {review.cycle.name}: {decision.rationale}",
            check_ins=[review.cycle.meeting_date + dt.timedelta(days=PLAN_CHECK_IN_DAYS)],
            opened_by=decision,
            acting_user=acting_user,
        )
    return decision


def _decision_write(
    *, review: Review, change: DecisionInput, acting_user: User, reason: str, action: str
) -> Decision:
    _check_decision(change)
    current = Decision.objects.filter(review=review, superseded_by__isnull=True).first()
    row = Decision.objects.create(
        review=review,
        outcome=change.outcome,
        rationale=change.rationale.strip(),
        recorded_by=acting_user,
        reason=reason,
        supersedes=current,
    )
    if review.status != ReviewStatus.DECIDED:
        review.status = ReviewStatus.DECIDED
        review.save(update_fields=["status"])
    audit_record(
        actor=acting_user,
        action=action,
        target=row,
        before=snapshot(current, DECISION_FIELDS) if current else None,
        after=snapshot(row, DECISION_FIELDS),
        program=review.cycle.program,
    )
    return row


def _entrustment_write(
    *, review: Review, change: EntrustmentInput, acting_user: User, reason: str, action: str
) -> EntrustmentDecision:
    if change.item.kind != ItemKind.EPA:
        raise CommitteeError(f"{change.item.code} is not an EPA")
    allowed = change.item.accepted_levels()
    if allowed and not level_in(change.level, allowed):
        raise CommitteeError(f"{change.item.code}: {change.level} is not on the EPA's scale")
    current = EntrustmentDecision.objects.filter(
        review=review, item=change.item, superseded_by__isnull=True
    ).first()
    row = EntrustmentDecision.objects.create(
        review=review,
        item=change.item,
        level=change.level,
        rationale=change.rationale.strip(),
        recorded_by=acting_user,
        reason=reason,
        supersedes=current,
    )
    return audited_create(
        row,
        fields=ENTRUSTMENT_FIELDS,
        actor=acting_user,
        action=action,
        replaces=current,
        program=review.cycle.program,
    )


@transaction.atomic
def entrustment_record(
    *, review: Review, item: Item, level: Decimal, rationale: str = "", acting_user: User
) -> EntrustmentDecision:
    require_open(review.cycle)
    return _entrustment_write(
        review=review,
        change=EntrustmentInput(item, level, rationale),
        acting_user=acting_user,
        reason="",
        action="committee.entrustment_record",
    )


@transaction.atomic
def cycle_meeting_start(*, cycle: ReviewCycle, acting_user: User | None) -> ReviewCycle:
    require_open(cycle)
    before = snapshot(cycle, ["status"])
    cycle.status = CycleStatus.MEETING
    cycle.save(update_fields=["status"])
    audit_record(
        actor=acting_user,
        action="committee.meeting_start",
        target=cycle,
        before=before,
        after=snapshot(cycle, ["status"]),
        program=cycle.program,
    )
    return cycle


@transaction.atomic
def cycle_sign_off(*, cycle: ReviewCycle, acting_user: User) -> ReviewCycle:
    """Lock the cycle. Only the program director (the chair) signs off, and only once
    every learner has a decision."""
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    require_open(cycle)
    _require_role(acting_user, cycle.program, SIGNERS, "sign off a committee review")
    undecided = undecided_reviews(cycle=cycle)
    if undecided:
        names = ", ".join(str(r.learner) for r in undecided)
        raise CommitteeError(f"Every learner needs a decision before sign-off; missing: {names}")
    before = snapshot(cycle, ["status", "signed_off_at", "signed_off_by"])
    cycle.status = CycleStatus.SIGNED_OFF
    cycle.signed_off_at = timezone.now()
    cycle.signed_off_by = acting_user
    cycle.save(update_fields=["status", "signed_off_at", "signed_off_by"])
    audit_record(
        actor=acting_user,
        action="committee.sign_off",
        target=cycle,
        before=before,
        after=snapshot(cycle, ["status", "signed_off_at", "signed_off_by"]),
        program=cycle.program,
    )
    return cycle


Correction = LevelInput | DecisionInput | EntrustmentInput


@transaction.atomic
def correction_record(
    *, review: Review, change: Correction, reason: str, acting_user: User
) -> CommitteeLevel | Decision | EntrustmentDecision:
    """Correct a signed-off review: a new row supersedes the old one, with the reason, and
    the audit event keeps the before and after."""
    cycle = review.cycle
    if not cycle.is_locked:
        raise CommitteeError("The review is not signed off yet; change it directly")
    _require_role(acting_user, cycle.program, SIGNERS, "correct a signed-off review")
    if not reason.strip():
        raise CommitteeError("A correction needs its reason")
    reason = reason.strip()
    if isinstance(change, LevelInput):
        row = _level_write(
            review=review,
            change=change,
            acting_user=acting_user,
            reason=reason,
            action="committee.level_correct",
        )
        if row is None:
            raise CommitteeError("The corrected level is the same as the recorded one")
        return row
    if isinstance(change, DecisionInput):
        return _decision_write(
            review=review,
            change=change,
            acting_user=acting_user,
            reason=reason,
            action="committee.decision_correct",
        )
    return _entrustment_write(
        review=review,
        change=change,
        acting_user=acting_user,
        reason=reason,
        action="committee.entrustment_correct",
    )


@dataclass(frozen=True)
class MeetingInput:
    """Everything recorded for one learner with one Save on the meeting screen."""

    levels: Sequence[LevelInput]
    entrustments: Sequence[EntrustmentInput]
    decision: DecisionInput | None
    plan: PlanInput | None = None


@transaction.atomic
def meeting_record(*, review: Review, data: MeetingInput, acting_user: User) -> None:
    """Levels, entrustment and decision for one learner, all or nothing. Unchanged values
    write nothing."""
    require_open(review.cycle)
    _require_role(acting_user, review.cycle.program, COMMITTEE_VOTERS, "record levels")
    committee_levels_record(review=review, levels=data.levels, acting_user=acting_user)
    current = {
        row.item_id: row.level
        for row in EntrustmentDecision.objects.filter(review=review, superseded_by__isnull=True)
    }
    for ent in data.entrustments:
        if current.get(ent.item.pk) != ent.level:
            entrustment_record(
                review=review,
                item=ent.item,
                level=ent.level,
                rationale=ent.rationale,
                acting_user=acting_user,
            )
    if data.decision is not None:
        now = Decision.objects.filter(review=review, superseded_by__isnull=True).first()
        same = now is not None and (now.outcome, now.rationale) == (
            data.decision.outcome,
            data.decision.rationale.strip(),
        )
        if not same:
            decision_record(
                review=review,
                outcome=data.decision.outcome,
                rationale=data.decision.rationale,
                plan=data.plan,
                acting_user=acting_user,
            )
