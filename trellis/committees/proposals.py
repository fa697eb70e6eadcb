"""Pre-review proposals: a pre-reviewer's proposed level per item, made one at a time or
the whole form at once, and withdrawn by whoever made it (or the chair) before the
committee decides. Each write runs in one transaction with its audit event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from trellis.audit.services import audit_record, audited_update, snapshot
from trellis.committees.models import ProposedLevel, Review, ReviewStatus
from trellis.committees.rules import (
    CommitteeError,
    check_level,
    may_withdraw_proposal,
    require_open,
)
from trellis.committees.selectors import decided_items, latest_proposals
from trellis.frameworks.models import Item
from trellis.people.models import User
from trellis.people.selectors import program_roles


@transaction.atomic
def level_propose(
    *,
    review: Review,
    item: Item,
    level: Decimal | None,
    not_yet_assessable: bool = False,
    note: str = "",
    acting_user: User,
) -> ProposedLevel:
    require_open(review.cycle)
    check_level(item=item, level=level, not_yet_assessable=not_yet_assessable)
    proposal = ProposedLevel.objects.create(
        review=review,
        item=item,
        level=level,
        not_yet_assessable=not_yet_assessable,
        note=note.strip(),
        proposed_by=acting_user,
    )
    if review.status == ReviewStatus.PENDING:
        review.status = ReviewStatus.PRE_REVIEWED
        review.save(update_fields=["status"])
    audit_record(
        actor=acting_user,
        action="committee.level_propose",
        target=proposal,
        after=snapshot(proposal, ["review", "item", "level", "not_yet_assessable", "note"]),
        program=review.cycle.program,
    )
    return proposal


@dataclass(frozen=True)
class ProposalInput:
    item: Item
    level: Decimal | None
    not_yet_assessable: bool = False
    note: str = ""


@transaction.atomic
def proposals_record(
    *, review: Review, proposals: Sequence[ProposalInput], acting_user: User
) -> list[ProposedLevel]:
    """The pre-review form's one submit: every proposal of one learner, all or nothing.
    A proposal equal to the item's current one writes nothing, so a repeated submission
    (Back and submit again, a phone's retry) never duplicates rows. Returns the new rows."""
    require_open(review.cycle)
    latest = latest_proposals(review=review)
    rows = []
    for p in proposals:
        now = latest.get(p.item.pk)
        level = None if p.not_yet_assessable else p.level
        if now is not None and (now.level, now.not_yet_assessable, now.note) == (
            level,
            p.not_yet_assessable,
            p.note.strip(),
        ):
            continue
        rows.append(
            level_propose(
                review=review,
                item=p.item,
                level=level,
                not_yet_assessable=p.not_yet_assessable,
                note=p.note,
                acting_user=acting_user,
            )
        )
    return rows


WITHDRAW_FIELDS = ["withdrawn_at", "withdrawn_by"]


@transaction.atomic
def proposal_withdraw(*, proposal: ProposedLevel, acting_user: User) -> ProposedLevel:
    """Take back a proposal before the committee decides its item: the row stays, marked
    with who withdrew it and when, and the item has no proposal until one is made again.
    Withdrawing a withdrawn proposal changes nothing (a repeated POST records nothing)."""
    proposal = (
        ProposedLevel.objects.select_for_update()
        .select_related("review__cycle")
        .get(pk=proposal.pk)
    )
    if proposal.is_withdrawn:
        return proposal
    review = proposal.review
    program = review.cycle.program
    require_open(review.cycle)
    roles = program_roles(person=acting_user, program=program)
    if not may_withdraw_proposal(
        proposed_by_id=proposal.proposed_by_id, user_id=acting_user.pk, roles=roles
    ):
        raise CommitteeError("Only the proposer, or the chair, may withdraw a proposal")
    if latest_proposals(review=review).get(proposal.item_id) != proposal:
        raise CommitteeError("A later proposal has replaced this one; withdraw that one instead")
    decided = decided_items(review=review)
    if decided is None or proposal.item_id in decided:
        raise CommitteeError("The committee has decided this already; the proposal stays")
    audited_update(
        proposal,
        changes={"withdrawn_at": timezone.now(), "withdrawn_by": acting_user},
        fields=WITHDRAW_FIELDS,
        actor=acting_user,
        action="committee.proposal_withdraw",
        program=program,
    )
    if review.status == ReviewStatus.PRE_REVIEWED and not latest_proposals(review=review):
        # Nothing left proposed: the review waits for its pre-review again.
        audited_update(
            review,
            changes={"status": ReviewStatus.PENDING},
            fields=["status"],
            actor=acting_user,
            action="committee.review_reopen",
            program=program,
        )
    return proposal
