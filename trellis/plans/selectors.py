"""Reads on plans and shares: what a person may see of another's developmental data."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F, Q, QuerySet

from trellis.frameworks.crosswalk import items_through
from trellis.frameworks.models import Item
from trellis.people.models import Program, User
from trellis.plans.models import Coaching, Plan, PlanStatus, Share, ShareScope


def plans_of(*, owner: User, status: PlanStatus | None = None) -> QuerySet[Plan]:
    plans = Plan.objects.filter(owner=owner).select_related("item__framework", "program")
    if status is not None:
        plans = plans.filter(status=status)
    return plans.prefetch_related("check_ins")


def open_plans_of(*, owner: User) -> QuerySet[Plan]:
    """For the learner record: the owner's open plans (the caller checks who may look)."""
    return plans_of(owner=owner, status=PlanStatus.OPEN)


def plan_seen_by_program() -> Q:
    """A filter on Plan: the plans a program's staff and committee see. A plan a committee
    decision or the staff opened; a plan the learner wrote themself only once they open it
    to the program."""
    own = Q(created_by=F("owner")) & ~Q(opened_by_type="committees.decision")
    return ~own | Q(shared_with_program=True)


def open_plans_in_program(
    *, owner: User, program: Program, private: bool = False
) -> QuerySet[Plan]:
    """A learner's open plans in one program, as the learner record shows them: to the
    program's staff those it may see (`plan_seen_by_program`), to the learner and their
    coach (`private`) all of them. Plans on developmental items stay their owner's."""
    plans = (
        open_plans_of(owner=owner)
        .filter(program=program)
        .exclude(item__framework__developmental=True)
    )
    return plans if private else plans.filter(plan_seen_by_program())


def plans_now(*, program: Program, plans: Sequence[Plan]) -> dict[int, list[Item]]:
    """Plan id -> the items a plan is read under now, for a plan whose item belongs to a
    framework version the program moved on from (`frameworks.crosswalk`). The plan keeps
    its item; a plan on a current item is not in the answer."""
    carried = items_through(program=program) if plans else {}
    wanted = {p.pk: carried[p.item_id].to for p in plans if p.item_id in carried}
    found = Item.objects.select_related("framework").in_bulk(
        {i for ids in wanted.values() for i in ids}
    )
    return {pk: [found[i] for i in ids if i in found] for pk, ids in wanted.items() if ids}


def active_shares(*, owner: User) -> QuerySet[Share]:
    return Share.objects.filter(owner=owner, withdrawn_at=None).select_related(
        "grantee", "office", "plan__item"
    )


def shares_with(*, viewer: User) -> QuerySet[Share]:
    """Grants, still in force, that let `viewer` see someone's data."""
    return Share.objects.filter(grantee=viewer, withdrawn_at=None).select_related(
        "owner", "plan__item"
    )


def shared_scopes(*, owner: User, viewer: User) -> set[str]:
    """The scopes of `owner`'s data that `viewer` may see now ("portfolio" implies all)."""
    if owner.pk == viewer.pk:
        return set(ShareScope.values)
    scopes = set(
        Share.objects.filter(owner=owner, grantee=viewer, withdrawn_at=None)
        .exclude(scope=ShareScope.PLAN)
        .values_list("scope", flat=True)
    )
    if ShareScope.PORTFOLIO in scopes:
        scopes = set(ShareScope.values) - {ShareScope.PLAN}
    return scopes


def plans_shared_with(*, owner: User, viewer: User) -> QuerySet[Plan]:
    """The owner's plans that `viewer` may read: each shared one, or all under a portfolio
    share."""
    if ShareScope.PORTFOLIO in shared_scopes(owner=owner, viewer=viewer):
        return plans_of(owner=owner)
    ids = Share.objects.filter(
        owner=owner, grantee=viewer, withdrawn_at=None, scope=ShareScope.PLAN
    ).values("plan_id")
    return plans_of(owner=owner).filter(pk__in=ids)


def plan_visible_to(*, plan: Plan, viewer: User) -> bool:
    """The owner, their current coach in the plan's program, and those they shared it with."""
    if plan.owner_id == viewer.pk:
        return True
    if Coaching.objects.filter(
        program_id=plan.program_id, learner_id=plan.owner_id, coach=viewer, end_date__isnull=True
    ).exists():
        return True
    return Share.objects.filter(
        Q(scope=ShareScope.PLAN, plan=plan) | Q(scope=ShareScope.PORTFOLIO),
        owner_id=plan.owner_id,
        grantee=viewer,
        withdrawn_at=None,
    ).exists()


def office_sharers(*, office: Program, scope: ShareScope) -> QuerySet[User]:
    """People who let `office` count their data in `scope` into its aggregates."""
    ids = Share.objects.filter(office=office, scope=scope, withdrawn_at=None).values("owner_id")
    return User.objects.filter(pk__in=ids)
