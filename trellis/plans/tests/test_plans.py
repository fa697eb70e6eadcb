from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.frameworks.models import Item
from trellis.plans.models import Plan, PlanStatus, ShareScope
from trellis.plans.services import (
    check_in_add,
    check_in_record,
    plan_close,
    plan_create,
    plan_update,
    share_grant,
    share_withdraw,
)
from trellis.testing import People

pytestmark = pytest.mark.django_db


def _item() -> Item:
    return Item.objects.filter(
        framework__slug="clinician-educator-milestones", kind="subcompetency"
    ).first()  # type: ignore[return-value]


def _plan(people: People) -> Plan:
    return plan_create(
        owner=people.educator,
        program=people.fd_program,
        item=_item(),
        current_level=2,
        target_level=Decimal("2.5"),
        actions="Ask for feedback after each bedside teaching session.",
        evidence="Peer observation at level 3",
        check_ins=[dt.date(2026, 3, 1), dt.date(2026, 1, 1)],
        acting_user=people.educator,
    )


def test_it_creates_a_plan_with_check_ins_and_audits_it(people: People) -> None:
    plan = _plan(people)
    assert [c.due_on for c in plan.check_ins.all()] == [dt.date(2026, 1, 1), dt.date(2026, 3, 1)]
    assert AuditEvent.objects.filter(action="plan.create", target_id=str(plan.pk)).exists()
    assert plan.opened_by_type == ""


def test_it_records_what_opened_the_plan(people: People) -> None:
    opener = people.fd_program  # any model instance stands in for a committee decision
    plan = plan_create(
        owner=people.learner,
        program=people.program,
        item=_item(),
        current_level=None,
        target_level=3,
        actions="Read",
        evidence="",
        check_ins=[],
        opened_by=opener,
        acting_user=people.director,
    )
    assert (plan.opened_by_type, plan.opened_by_id) == ("people.program", str(opener.pk))


def test_it_refuses_a_target_not_above_current(people: People) -> None:
    with pytest.raises(ValidationError):
        plan_create(
            owner=people.educator,
            program=people.fd_program,
            item=_item(),
            current_level=3,
            target_level=3,
            actions="x",
            check_ins=[],
            acting_user=people.educator,
        )


def test_it_updates_checks_in_and_closes_with_reflection(people: People) -> None:
    plan = _plan(people)
    plan_update(
        plan=plan,
        current_level=2,
        target_level=3,
        actions="More",
        evidence="",
        acting_user=people.educator,
    )
    check_in_record(check_in=plan.check_ins.first(), note="Going well", acting_user=people.educator)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        plan_close(plan=plan, reflection=" ", acting_user=people.educator)
    plan_close(plan=plan, reflection="I now ask every time.", acting_user=people.educator)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED and plan.closed_at is not None
    with pytest.raises(ValidationError):
        plan_update(
            plan=plan,
            current_level=2,
            target_level=3,
            actions="x",
            evidence="",
            acting_user=people.educator,
        )


def test_only_the_owner_shares_and_withdraws(people: People) -> None:
    plan = _plan(people)
    with pytest.raises(ValidationError):
        share_grant(
            owner=people.educator,
            scope=ShareScope.PLAN,
            plan=plan,
            grantee=people.fd_lead,
            acting_user=people.fd_lead,
        )
    share = share_grant(
        owner=people.educator,
        scope=ShareScope.PLAN,
        plan=plan,
        grantee=people.fd_lead,
        acting_user=people.educator,
    )
    with pytest.raises(ValidationError):
        share_withdraw(share=share, acting_user=people.fd_lead)
    share_withdraw(share=share, acting_user=people.educator)
    assert share.withdrawn_at is not None


def test_plan_page_permissions(people: People, client: Client) -> None:
    plan = _plan(people)
    url = reverse("plans:detail", args=[plan.pk])
    assert client.get(url).status_code == 302  # anonymous: to login
    for who in (people.fd_lead, people.faculty, people.outsider, people.director):
        client.force_login(who)
        assert client.get(url).status_code == 404, who
    client.force_login(people.educator)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405
    share = share_grant(
        owner=people.educator,
        scope=ShareScope.PLAN,
        plan=plan,
        grantee=people.fd_lead,
        acting_user=people.educator,
    )
    client.force_login(people.fd_lead)
    page = client.get(url)
    assert page.status_code == 200 and b"Close the plan" not in page.content
    # a viewer cannot act on the plan
    assert (
        client.post(reverse("plans:close", args=[plan.pk]), {"reflection": "x"}).status_code == 404
    )
    assert client.post(reverse("plans:withdraw", args=[share.pk])).status_code == 404
    client.force_login(people.educator)
    client.post(reverse("plans:withdraw", args=[share.pk]))
    client.force_login(people.fd_lead)
    assert client.get(url).status_code == 404


def test_owner_closes_and_checks_in_through_the_pages(people: People, client: Client) -> None:
    plan = _plan(people)
    client.force_login(people.educator)
    c = plan.check_ins.first()
    assert c is not None
    assert client.get(reverse("plans:check-in", args=[plan.pk, c.pk])).status_code == 405
    client.post(reverse("plans:check-in", args=[plan.pk, c.pk]), {"note": "halfway"})
    client.post(reverse("plans:close", args=[plan.pk]), {"reflection": "Done it."})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED and plan.reflection == "Done it."
    assert client.get(reverse("plans:mine")).status_code == 200


def test_an_office_share_needs_membership_of_that_office(people: People) -> None:
    with pytest.raises(ValidationError):
        share_grant(
            owner=people.learner,
            scope=ShareScope.SELF_ASSESSMENTS,
            office=people.fd_program,
            acting_user=people.learner,
        )
    with pytest.raises(ValidationError):
        share_grant(
            owner=people.director,
            scope=ShareScope.SELF_ASSESSMENTS,
            office=people.program,
            acting_user=people.director,
        )
    share = share_grant(
        owner=people.educator,
        scope=ShareScope.SELF_ASSESSMENTS,
        office=people.fd_program,
        acting_user=people.educator,
    )
    assert share.is_active


def test_check_in_dates_are_held_to_a_plausible_range(people: People) -> None:
    with pytest.raises(ValidationError, match="check-in date 0001-01-01 is before 1990"):
        plan_create(
            owner=people.educator,
            program=people.fd_program,
            item=_item(),
            current_level=2,
            target_level=3,
            actions="Ask for feedback.",
            check_ins=[dt.date(1, 1, 1)],
            acting_user=people.educator,
        )
    assert not Plan.objects.exists()
    plan = _plan(people)
    with pytest.raises(ValidationError, match="more than 20 year"):
        check_in_add(plan=plan, due_on=dt.date(9999, 1, 1), acting_user=people.educator)
    with pytest.raises(ValidationError, match="before 1990"):
        check_in_record(
            check_in=plan.check_ins.first(),  # type: ignore[arg-type]
            note="Done",
            done_on=dt.date(1900, 1, 1),
            acting_user=people.educator,
        )
    assert plan.check_ins.count() == 2 and not plan.check_ins.filter(done_on__isnull=False)
