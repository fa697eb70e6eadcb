"""`trellis.demo.removal`: the demo's rows go, another institution's stay."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from trellis.assessments.models import Assessment, Form
from trellis.audit.models import AuditEvent
from trellis.committees.models import CommitteeLevel, Decision
from trellis.demo.generator import DEMO_DOMAIN, DemoSize, demo_institution, generate_demo
from trellis.demo.removal import DemoRemovalRefused, demo_remove
from trellis.frameworks.models import Framework
from trellis.people.models import Institution, Membership, Program, Role, User
from trellis.testing import People, add_member, make_user

pytestmark = pytest.mark.django_db

# The shared catalogue's forms, and the reminder worker's record of its last pass (the
# demo runs one pass; the record belongs to the installation, not to the demo).
SHARED = {
    "assessments.Form",
    "assessments.FormVersion",
    "assessments.Prompt",
    "assessments.ReminderPass",
}
SMALL = DemoSize(
    learners_per_year=2, years=3, faculty=8, committee=2, students_per_year=1, educators=2
)


def small_demo() -> None:
    generate_demo(size=SMALL, today=dt.date(2026, 1, 20), password=None)


def counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


def test_it_removes_the_demo_and_keeps_another_institution(people: People) -> None:
    before = counts()
    audit_before = set(AuditEvent.objects.values_list("pk", flat=True))
    small_demo()
    assert Decision.objects.exists() and CommitteeLevel.objects.exists()
    assert Assessment.objects.exists()
    removed = demo_remove()
    assert removed["people.Institution"] == 1
    assert demo_institution() is None
    assert not User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists()
    after = counts()
    # Every table is as it was before the demo, save the audit row of the removal and the
    # shared catalogue (frameworks, built-in forms), which the demo installs and which stays.
    changed = {
        label
        for label in before
        if before[label] != after[label]
        and label not in SHARED
        and not label.startswith("frameworks.")
    }
    assert not Form.objects.filter(program__isnull=False).exists()
    assert changed == {"audit.AuditEvent"}
    # The demo's audit rows went too; the removal left one, and the catalogue's installs stay.
    new_audit = AuditEvent.objects.exclude(pk__in=audit_before).exclude(action__endswith=".install")
    assert list(new_audit.values_list("action", flat=True)) == ["demo.remove"]
    # The other institutions, their programs and people, untouched.
    others = [people.institution.pk, people.other_institution.pk]
    assert Institution.objects.filter(pk__in=others).count() == 2
    assert User.objects.filter(pk=people.outsider.pk).exists()
    assert Program.objects.filter(pk=people.other_program.pk).exists()
    assert Framework.objects.filter(institution__isnull=True).exists()


def test_it_keeps_a_demo_address_that_belongs_elsewhere(people: People) -> None:
    small_demo()
    stray = make_user(f"visitor@{DEMO_DOMAIN}", "Vic", "Tor")
    add_member(stray, people.program, Role.FACULTY)
    demo_remove()
    assert User.objects.filter(pk=stray.pk).exists()
    assert Membership.objects.filter(person=stray).count() == 1


def test_it_refuses_when_the_demo_reaches_another_institution(people: People) -> None:
    small_demo()
    # A program of another institution that hangs off a demo-only row: the check sees it.
    demo = demo_institution()
    assert demo is not None
    person = User.objects.get(email=f"director@{DEMO_DOMAIN}")
    other = Assessment.objects.filter(subject__memberships__institution=demo).first()
    assert other is not None
    Assessment.objects.filter(pk=other.pk).update(program=people.other_program)
    with pytest.raises(DemoRemovalRefused, match="another institution"):
        demo_remove()
    assert demo_institution() is not None
    assert User.objects.filter(pk=person.pk).exists()


def test_it_does_nothing_without_a_demo(people: People) -> None:
    before = counts()
    assert demo_remove() == {}
    assert counts() == before
