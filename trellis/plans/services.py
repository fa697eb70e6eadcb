"""Writes on plans and shares. Every change is audited in its own transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from trellis.audit.services import audit_record, audited_update, snapshot
from trellis.frameworks.models import Item, as_level
from trellis.lib.bounds import PLAN_YEARS_AHEAD, plausible_date
from trellis.people.models import Membership, Program, ProgramKind, User
from trellis.plans.models import CheckIn, Plan, PlanStatus, Share, ShareScope

PLAN_FIELDS = [
    "owner",
    "program",
    "item",
    "current_level",
    "target_level",
    "actions",
    "evidence",
    "status",
    "reflection",
    "opened_by_type",
    "opened_by_id",
]
SHARE_FIELDS = ["owner", "scope", "plan", "grantee", "office", "withdrawn_at"]


def _level(value: Decimal | float | int | None, item: Item) -> Decimal | None:
    if value is None:
        return None
    level = as_level(value)
    if level is None or not item.accepts_level(level):
        allowed = ", ".join(f"{v:g}" for v in item.accepted_levels())
        raise ValidationError(f"{value} is not a level of {item.code or item.name}: {allowed}.")
    return level.quantize(Decimal("0.1"))


def _check_levels(current: Decimal | None, target: Decimal | None) -> None:
    if current is not None and target is not None and target <= current:
        raise ValidationError("The target level must be above the current level.")


@transaction.atomic
def plan_create(
    *,
    owner: User,
    program: Program,
    item: Item,
    current_level: Decimal | float | int | None,
    target_level: Decimal | float | int | None,
    actions: str,
    evidence: str = "",
    check_ins: list[dt.date] | None = None,
    opened_by: models.Model | None = None,
    acting_user: User | None,
) -> Plan:
    """Open a plan for `owner`. `opened_by` is whatever opened it on the owner's behalf
    (a committee decision); it is kept as type label and id, so plans depend on nothing
    above them."""
    if not actions.strip():
        raise ValidationError("Say what you will do.")
    current, target = _level(current_level, item), _level(target_level, item)
    _check_levels(current, target)
    for day in check_ins or []:
        if problem := plausible_date(day, years_ahead=PLAN_YEARS_AHEAD):
            raise ValidationError(f"The check-in date {problem}.")
    plan = Plan.objects.create(
        owner=owner,
        program=program,
        item=item,
        current_level=current,
        target_level=target,
        actions=actions.strip(),
        evidence=evidence.strip(),
        opened_by_type=opened_by._meta.label_lower if opened_by is not None else "",
        opened_by_id=str(opened_by.pk) if opened_by is not None else "",
        created_by=acting_user,
    )
    CheckIn.objects.bulk_create(
        [CheckIn(plan=plan, due_on=day) for day in sorted(set(check_ins or []))]
    )
    audit_record(
        actor=acting_user,
        action="plan.create",
        target=plan,
        after=snapshot(plan, PLAN_FIELDS) | {"check_ins": [str(d) for d in check_ins or []]},
        program=program,
    )
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: Plan,
    current_level: Decimal | float | int | None,
    target_level: Decimal | float | int | None,
    actions: str,
    evidence: str,
    acting_user: User,
) -> Plan:
    if not plan.is_open:
        raise ValidationError("A closed plan cannot be changed.")
    if not actions.strip():
        raise ValidationError("Say what you will do.")
    current, target = _level(current_level, plan.item), _level(target_level, plan.item)
    _check_levels(current, target)
    return audited_update(
        plan,
        changes={
            "current_level": current,
            "target_level": target,
            "actions": actions.strip(),
            "evidence": evidence.strip(),
        },
        fields=PLAN_FIELDS,
        actor=acting_user,
        action="plan.update",
        program=plan.program,
    )


@transaction.atomic
def check_in_add(*, plan: Plan, due_on: dt.date, acting_user: User) -> CheckIn:
    if not plan.is_open:
        raise ValidationError("A closed plan takes no new check-ins.")
    if problem := plausible_date(due_on, years_ahead=PLAN_YEARS_AHEAD):
        raise ValidationError(f"The check-in date {problem}.")
    check_in = CheckIn.objects.create(plan=plan, due_on=due_on)
    audit_record(
        actor=acting_user,
        action="plan.check_in_add",
        target=plan,
        after={"check_in": check_in.pk, "due_on": str(due_on)},
        program=plan.program,
    )
    return check_in


@transaction.atomic
def check_in_record(
    *, check_in: CheckIn, note: str, done_on: dt.date | None = None, acting_user: User
) -> CheckIn:
    if not check_in.plan.is_open:
        raise ValidationError("The plan is closed.")
    if done_on is not None and (problem := plausible_date(done_on)):
        raise ValidationError(f"The date {problem}.")
    before = {"done_on": str(check_in.done_on or ""), "note": check_in.note}
    check_in.done_on = done_on or timezone.localdate()
    check_in.note = note.strip()
    check_in.save()
    audit_record(
        actor=acting_user,
        action="plan.check_in",
        target=check_in.plan,
        before=before,
        after={"check_in": check_in.pk, "done_on": str(check_in.done_on), "note": check_in.note},
        program=check_in.plan.program,
    )
    return check_in


@transaction.atomic
def plan_close(*, plan: Plan, reflection: str, acting_user: User) -> Plan:
    if not plan.is_open:
        raise ValidationError("The plan is already closed.")
    if not reflection.strip():
        raise ValidationError("Write a short reflection before closing the plan.")
    return audited_update(
        plan,
        changes={
            "status": PlanStatus.CLOSED,
            "reflection": reflection.strip(),
            "closed_at": timezone.now(),
        },
        fields=PLAN_FIELDS,
        actor=acting_user,
        action="plan.close",
        program=plan.program,
    )


@transaction.atomic
def share_grant(
    *,
    owner: User,
    scope: ShareScope,
    grantee: User | None = None,
    office: Program | None = None,
    plan: Plan | None = None,
    acting_user: User,
) -> Share:
    """Grant (or keep) a share. Only the owner may grant their own data."""
    if acting_user.pk != owner.pk:
        raise ValidationError("Only the owner can share their own data.")
    if (grantee is None) == (office is None):
        raise ValidationError("Share with one person or with one office.")
    if grantee is not None and grantee.pk == owner.pk:
        raise ValidationError("You always see your own data.")
    if (scope == ShareScope.PLAN) != (plan is not None):
        raise ValidationError("A plan share names exactly one plan.")
    if plan is not None and plan.owner_id != owner.pk:
        raise ValidationError("You can only share your own plans.")
    if office is not None and not (
        office.kind == ProgramKind.FACULTY_DEVELOPMENT
        and Membership.objects.filter(person=owner, program=office).exists()
    ):
        raise ValidationError("Share only with the faculty-development office you belong to.")
    existing = Share.objects.filter(
        owner=owner, scope=scope, plan=plan, grantee=grantee, office=office, withdrawn_at=None
    ).first()
    if existing is not None:
        return existing
    share = Share.objects.create(
        owner=owner, scope=scope, plan=plan, grantee=grantee, office=office
    )
    audit_record(
        actor=acting_user, action="share.grant", target=share, after=snapshot(share, SHARE_FIELDS)
    )
    return share


@transaction.atomic
def share_withdraw(*, share: Share, acting_user: User) -> Share:
    if acting_user.pk != share.owner_id:
        raise ValidationError("Only the owner can withdraw a share.")
    if share.withdrawn_at is not None:
        return share
    before = snapshot(share, SHARE_FIELDS)
    share.withdrawn_at = timezone.now()
    share.save(update_fields=["withdrawn_at"])
    audit_record(
        actor=acting_user,
        action="share.withdraw",
        target=share,
        before=before,
        after=snapshot(share, SHARE_FIELDS),
    )
    return share
