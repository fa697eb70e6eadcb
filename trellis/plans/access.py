"""Who may see a plan. Anyone but the owner and those the owner shared it with gets 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from trellis.people.models import User
from trellis.plans.models import Plan, Share
from trellis.plans.selectors import plan_visible_to


@dataclass(frozen=True)
class PlanAccess:
    plan: Plan
    is_owner: bool


def get_plan_for(user: User, pk: int) -> PlanAccess:
    if not user.is_authenticated:
        raise Http404("No such plan")
    plan = Plan.objects.select_related("item__framework", "program", "owner").filter(pk=pk).first()
    if plan is None or not plan_visible_to(plan=plan, viewer=user):
        raise Http404("No such plan")
    return PlanAccess(plan=plan, is_owner=plan.owner_id == user.pk)


def get_own_plan(user: User, pk: int) -> Plan:
    access = get_plan_for(user, pk)
    if not access.is_owner:
        raise Http404("No such plan")
    return access.plan


def get_own_share(user: User, pk: int) -> Share:
    share = Share.objects.filter(pk=pk, owner_id=user.pk).first() if user.is_authenticated else None
    if share is None:
        raise Http404("No such share")
    return share
