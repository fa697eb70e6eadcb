"""The audited-update helper: snapshot, change, save, audit, in one call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from trellis.audit.models import AuditEvent
from trellis.audit.services import audited_update
from trellis.frameworks.models import Item
from trellis.plans.models import Plan
from trellis.plans.services import plan_create
from trellis.testing import People

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(people: People) -> Plan:
    item = Item.objects.filter(framework__slug="im-milestones-2", code="PC1").first()
    assert item is not None
    return plan_create(
        owner=people.learner,
        program=people.program,
        item=item,
        current_level=Decimal(2),
        target_level=Decimal(3),
        actions="Present two new patients a day.",
        acting_user=people.learner,
    )


def test_it_saves_the_changes_and_records_before_and_after(plan: Plan, people: People) -> None:
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Plan.objects.filter(pk=plan.pk).update(updated_at=long_ago)
    plan.refresh_from_db()
    with transaction.atomic():
        audited_update(
            plan,
            changes={"actions": "Present three new patients a day."},
            fields=["actions", "target_level"],
            actor=people.learner,
            action="plan.update",
            program=people.program,
        )
    plan.refresh_from_db()
    assert plan.actions == "Present three new patients a day."
    assert plan.updated_at > long_ago, "an auto_now column is saved with the change"
    event = AuditEvent.objects.filter(action="plan.update").get()
    assert event.before == {"actions": "Present two new patients a day.", "target_level": "3"}
    assert event.after == {"actions": "Present three new patients a day.", "target_level": "3"}
    assert event.actor == people.learner and event.program == people.program
