"""People services: every write is audited, and the rules on memberships hold."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from trellis.audit.models import AuditEvent
from trellis.people.models import Institution, Membership, Program, ProgramKind, Role, User
from trellis.people.services import (
    department_create,
    institution_create,
    membership_add,
    membership_end,
    membership_set_training_year,
    person_create,
    program_create,
)

pytestmark = pytest.mark.django_db

JULY = dt.date(2024, 7, 1)


@dataclass
class World:
    """A small institution built with the services themselves (no passwords: hashing is slow)."""

    institution: Institution
    program: Program
    admin: User
    faculty: User
    learner: User
    faculty_membership: Membership
    learner_membership: Membership


@pytest.fixture
def world() -> World:
    inst = institution_create(slug="riverside", name="Riverside", acting_user=None)
    program = program_create(
        institution=inst,
        slug="im",
        name="Internal Medicine Residency",
        kind=ProgramKind.RESIDENCY,
        acting_user=None,
    )
    admin, faculty, learner = (
        person_create(email=f"{n}@x.test", first_name=n, last_name="X", acting_user=None)
        for n in ("admin", "faculty", "learner")
    )
    return World(
        institution=inst,
        program=program,
        admin=admin,
        faculty=faculty,
        learner=learner,
        faculty_membership=membership_add(
            person=faculty, program=program, role=Role.FACULTY, start_date=JULY, acting_user=None
        ),
        learner_membership=membership_add(
            person=learner,
            program=program,
            role=Role.LEARNER,
            training_year=1,
            start_date=JULY,
            acting_user=None,
        ),
    )


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_it_creates_an_institution_program_and_person_with_an_audit_trail(world: World) -> None:
    inst = institution_create(slug="lakeside", name="Lakeside Health", acting_user=world.admin)
    dept = department_create(institution=inst, name="Surgery", acting_user=world.admin)
    program = program_create(
        institution=inst,
        slug="lakeside-gs",
        name="General Surgery Residency",
        kind=ProgramKind.RESIDENCY,
        length_years=5,
        acting_user=world.admin,
    )
    person = person_create(
        email="New.Person@Lakeside.test",
        first_name="Noor",
        last_name="Haddad",
        department=dept,
        acting_user=world.admin,
    )
    assert program.length_years == 5
    assert person.email == "new.person@lakeside.test"
    assert not person.has_usable_password()
    assert actions()[-4:] == [
        "institution.create",
        "department.create",
        "program.create",
        "person.create",
    ]
    event = AuditEvent.objects.get(action="person.create", target_id=str(person.pk))
    assert event.actor == world.admin
    assert event.institution == inst
    assert "password" not in (event.after or {})


def test_it_adds_ends_and_moves_a_learner_on(world: World) -> None:
    person = person_create(email="r@x.test", first_name="R", last_name="X", acting_user=None)
    membership = membership_add(
        person=person,
        program=world.program,
        role=Role.LEARNER,
        training_year=1,
        start_date=JULY,
        acting_user=world.admin,
    )
    assert membership.institution == world.institution
    membership_set_training_year(membership=membership, training_year=2, acting_user=world.admin)
    membership_end(membership=membership, end_date=dt.date(2026, 6, 30), acting_user=world.admin)
    membership.refresh_from_db()
    assert (membership.training_year, membership.end_date) == (2, dt.date(2026, 6, 30))
    event = AuditEvent.objects.get(action="membership.training_year")
    assert (event.before, event.after) == ({"training_year": 1}, {"training_year": 2})
    assert event.program == world.program
    assert actions()[-3:] == ["membership.add", "membership.training_year", "membership.end"]


def test_it_adds_an_institution_admin_without_a_program(world: World) -> None:
    membership = membership_add(
        person=world.faculty,
        program=None,
        institution=world.institution,
        role=Role.ADMIN,
        start_date=JULY,
        acting_user=None,
    )
    assert membership.program is None
    assert membership.institution == world.institution


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"program": None, "role": Role.FACULTY}, "without a program"),
        ({"role": Role.FACULTY, "training_year": 1}, "Only learners"),
        ({"role": Role.LEARNER, "training_year": 4}, "between 1 and 3"),
        ({"role": Role.LEARNER, "end_date": dt.date(2024, 6, 30)}, "end before"),
    ],
)
def test_it_refuses_memberships_that_break_the_rules(
    world: World, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {
        "person": world.faculty,
        "program": world.program,
        "start_date": JULY,
        "acting_user": None,
        **kwargs,
    }
    count = Membership.objects.count()
    with pytest.raises(ValueError, match=message):
        membership_add(**args)  # type: ignore[arg-type]
    assert Membership.objects.count() == count


def test_it_refuses_a_training_year_for_faculty_or_out_of_range(world: World) -> None:
    faculty, learner = world.faculty_membership, world.learner_membership
    with pytest.raises(ValueError):
        membership_set_training_year(membership=faculty, training_year=1, acting_user=None)
    with pytest.raises(ValueError):
        membership_set_training_year(membership=learner, training_year=9, acting_user=None)
    with pytest.raises(ValueError):
        membership_end(membership=learner, end_date=dt.date(2019, 1, 1), acting_user=None)


def test_a_program_may_not_take_a_word_of_the_assess_addresses(db: None) -> None:
    """A program slugged "handover" would have its rating page
    /assess/handover/learner/5/ answered by the phone-handover page instead."""
    from django.core.exceptions import ValidationError
    from django.urls import resolve

    from trellis.people.models import Institution, ProgramKind
    from trellis.people.services import program_create

    assert resolve("/assess/handover/learner/5/").url_name == "handover"  # why
    inst = Institution.objects.create(slug="x", name="X")
    for word in ("handover", "r", "ask"):
        with pytest.raises(ValidationError, match="addresses use"):
            program_create(
                institution=inst, slug=word, name="P", kind=ProgramKind.RESIDENCY, acting_user=None
            )
    made = program_create(
        institution=inst, slug="handover-im", name="P", kind=ProgramKind.RESIDENCY, acting_user=None
    )
    assert resolve(f"/assess/{made.slug}/learner/5/").url_name == "rate"
