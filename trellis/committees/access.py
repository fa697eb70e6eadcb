"""Who may see and do what in a program's committee. Outsiders get 404; members of the
program without a committee role get 403."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from trellis.committees.models import ProposedLevel, Review, ReviewCycle
from trellis.committees.rules import (
    COMMITTEE_VIEWERS,
    COMMITTEE_VOTERS,
    CYCLE_MANAGERS,
    SIGNERS,
    may_withdraw_proposal,
)
from trellis.people.access import MemberAccess, get_program_for
from trellis.people.models import User


@dataclass(frozen=True)
class CommitteeAccess(MemberAccess):
    @property
    def can_manage_cycles(self) -> bool:
        return self.holds(CYCLE_MANAGERS)

    @property
    def can_vote(self) -> bool:
        return self.holds(COMMITTEE_VOTERS)

    @property
    def can_sign_off(self) -> bool:
        return self.holds(SIGNERS)

    def can_propose(self, review: Review) -> bool:
        return review.pre_reviewer_id == self.user.pk or self.can_sign_off

    def can_withdraw(self, proposal: ProposedLevel) -> bool:
        return may_withdraw_proposal(
            proposed_by_id=proposal.proposed_by_id, user_id=self.user.pk, roles=self.roles
        )


def get_committee_for(user: User, slug: str) -> CommitteeAccess:
    """The program's committee, for someone who sits on it or runs it."""
    access = get_program_for(user, slug)
    if not access.roles & COMMITTEE_VIEWERS:
        raise PermissionDenied("Only the program's committee may see its reviews")
    return CommitteeAccess(access=access, user=user)


def get_cycle_for(user: User, slug: str, pk: int) -> tuple[CommitteeAccess, ReviewCycle]:
    committee = get_committee_for(user, slug)
    cycle = ReviewCycle.objects.filter(program=committee.access.program, pk=pk).first()
    if cycle is None:
        raise Http404("No such review cycle")
    return committee, cycle


def get_review_for(user: User, slug: str, cycle_pk: int, pk: int) -> tuple[CommitteeAccess, Review]:
    committee, cycle = get_cycle_for(user, slug, cycle_pk)
    review = Review.objects.filter(cycle=cycle, pk=pk).select_related("learner", "cycle").first()
    if review is None:
        raise Http404("No such review")
    if review.learner_id == user.pk:
        # A committee member who is also a learner of the program never sees their own
        # review in progress.
        raise PermissionDenied("You may not review yourself")
    review.cycle = cycle
    return committee, review


def get_proposal_for(
    user: User, slug: str, cycle_pk: int, review_pk: int, pk: int
) -> tuple[CommitteeAccess, ProposedLevel]:
    """A proposal of a review the user's committee may see; 404 for anyone else."""
    committee, review = get_review_for(user, slug, cycle_pk, review_pk)
    proposal = ProposedLevel.objects.filter(review=review, pk=pk).select_related("item").first()
    if proposal is None:
        raise Http404("No such proposal")
    proposal.review = review
    return committee, proposal
