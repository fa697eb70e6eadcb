"""The rules of a review, in one place: which items a committee rates, which levels are
valid, and who may do what."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from decimal import Decimal
from statistics import median

from django.db.models import QuerySet

from trellis.assessments.evidence import ItemEvidence
from trellis.committees.models import ReviewCycle
from trellis.frameworks.models import Item, ItemKind
from trellis.frameworks.selectors import nearest_half
from trellis.people.models import Program, Role

CYCLE_MANAGERS = frozenset({Role.DIRECTOR, Role.COORDINATOR})
COMMITTEE_VIEWERS = frozenset({Role.COMMITTEE, Role.DIRECTOR, Role.COORDINATOR})
# Who may record levels and decisions at the meeting (the coordinator keeps the minutes
# but does not vote).
COMMITTEE_VOTERS = frozenset({Role.COMMITTEE, Role.DIRECTOR})
SIGNERS = frozenset({Role.DIRECTOR})


def may_withdraw_proposal(*, proposed_by_id: int, user_id: int, roles: AbstractSet[Role]) -> bool:
    """A proposal is withdrawn by whoever made it, or by the chair (the director), who
    runs the meeting; another committee member may not take back a colleague's."""
    return proposed_by_id == user_id or not roles.isdisjoint(SIGNERS)


class CommitteeError(Exception):
    """A committee rule refused the change; the message says why, for a person to read."""


def review_items(*, program: Program, kind: str = ItemKind.SUBCOMPETENCY) -> QuerySet[Item]:
    """The items a committee reviews: those of the frameworks the program uses now, never a
    developmental one."""
    return (
        Item.objects.filter(
            kind=kind,
            framework__adoptions__program=program,
            framework__adoptions__replaced_at=None,
            framework__developmental=False,
        )
        .select_related("framework", "framework__scale", "scale")
        .prefetch_related("scale__levels", "framework__scale__levels")
        .order_by("framework__title", "position", "id")
    )


def check_level(*, item: Item, level: Decimal | None, not_yet_assessable: bool) -> None:
    if not_yet_assessable:
        if level is not None:
            raise CommitteeError(f"{item.code}: give a level or 'not yet assessable', not both")
        return
    if level is None:
        raise CommitteeError(f"{item.code}: a level or 'not yet assessable' is required")
    if not item.accepts_level(level):
        raise CommitteeError(f"{item.code}: {level} is not a level on this item's scale")


def require_open(cycle: ReviewCycle) -> None:
    if cycle.is_locked:
        raise CommitteeError(
            f"The {cycle.name} review was signed off; record a correction, with a reason, instead"
        )


# How many of an item's latest observed levels a suggestion weighs.
SUGGESTION_WEIGHS = 3


def nearest_level(level: Decimal, item: Item) -> Decimal:
    """`level` at the nearest level the item's scale accepts (half levels where it takes
    them)."""
    allowed = item.accepted_levels()
    half = nearest_half(level)
    return min(allowed, key=lambda v: abs(v - half)) if allowed else half


def suggested_level(ev: ItemEvidence | None, item: Item) -> Decimal | None:
    """What the period's evidence suggests for an item: the median of its last
    SUGGESTION_WEIGHS observed levels, not whichever came last, at a level the scale
    accepts; None without an observed level. A starting point that a pre-reviewer confirms
    or changes, never a proposal of its own."""
    levels = [p.level for p in ev.observed if p.level is not None] if ev else []
    if not levels:
        return None
    return nearest_level(Decimal(median(levels[-SUGGESTION_WEIGHS:])), item)
