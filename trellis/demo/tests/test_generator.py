"""The synthetic-data generator: deterministic, every role present, sized on request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from trellis.demo.generator import (
    DEMO_LOGINS,
    Demo,
    DemoSize,
    generate_demo,
    leniency_for,
)
from trellis.frameworks.models import ExpectedLevel
from trellis.people.models import Membership, Role

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 9, 15)
# Production hashing takes about a second a hash; what is tested here is who gets which.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def picture(demo: Demo) -> dict[str, Any]:
    """Everything that should repeat from run to run, without database ids."""
    memberships = Membership.objects.filter(institution=demo.programs.institution)
    return {
        "people": sorted(
            (p.email, p.first_name, p.last_name, p.department.name if p.department else "")
            for p in demo.people.everyone()
        ),
        "memberships": sorted(
            (m.person.email, m.program.slug if m.program else "", m.role, m.training_year or 0,
             m.start_date)
            for m in memberships.select_related("person", "program")
        ),
        "leniency": demo.people.leniency,
        "expected": sorted(
            (e.adoption.framework.slug, e.item.code if e.item else "", e.training_year, e.level)
            for e in ExpectedLevel.objects.select_related("adoption__framework", "item")
        ),
    }  # fmt: skip


def picture_of_a_run(seed: int) -> dict[str, Any]:
    """Generate, take the picture, and leave the database as it was."""
    with transaction.atomic():
        result = picture(
            generate_demo(seed=seed, today=TODAY, password=None, with_assessments=False)
        )
        transaction.set_rollback(True)
    return result


def test_it_is_deterministic() -> None:
    first = picture_of_a_run(7)
    assert picture_of_a_run(7) == first
    assert picture_of_a_run(8)["people"] != first["people"]


def test_it_gives_every_role_a_named_log_in() -> None:
    demo = generate_demo(today=TODAY, password=None, with_assessments=False)
    assert {login.role for login in DEMO_LOGINS} == set(Role)
    for login in DEMO_LOGINS:
        person = demo.people.logins[login.key]
        assert person.email == login.email
        roles = set(person.memberships.values_list("role", flat=True))
        assert login.role in roles, login.key
    resident = Membership.objects.get(person__email="resident@demo.trellis.test")
    assert (resident.program, resident.training_year) == (demo.programs.residency, 2)
    assert resident.start_date == dt.date(2024, 7, 1)
    student = Membership.objects.get(person__email="student@demo.trellis.test")
    assert (student.program, student.training_year) == (demo.programs.medical_school, 3)


def test_it_builds_a_realistic_default_institution() -> None:
    demo = generate_demo(today=TODAY, password=None, with_assessments=False)
    people, programs = demo.people, demo.programs
    assert programs.institution.name == "Riverside University Health"
    assert programs.residency.length_years == 3
    assert [len(people.residents[y]) for y in (1, 2, 3)] == [10, 10, 10]
    assert len(people.faculty) == 20
    assert len(people.committee) == 5
    assert all(
        Membership.objects.filter(person=p, role=Role.FACULTY).exists() for p in people.educators
    )
    assert set(people.leniency) >= {p.email for p in people.faculty}
    assert any(v > 0.2 for v in people.leniency.values())
    assert any(v < -0.2 for v in people.leniency.values())
    assert len({p.email for p in people.everyone()}) == len(people.everyone())
    adopted = {(a.program.slug, a.framework.slug, a.graduation_level) for a in demo.adoptions}
    assert adopted == {
        ("riverside-im", "im-milestones-2", Decimal(4)),
        ("riverside-md", "aamc-core-epas", Decimal(3)),
        ("riverside-fd", "clinician-educator-milestones", Decimal(4)),
    }
    assert ExpectedLevel.objects.filter(item__code="PC6", training_year=1).get().level == Decimal(
        "1.5"
    )


def test_it_scales_to_the_size_asked_for() -> None:
    demo = generate_demo(
        size=DemoSize(learners_per_year=4, years=4, faculty=8, committee=3, educators=3),
        today=TODAY,
        password=None,
        with_assessments=False,
    )
    assert demo.programs.residency.length_years == 4
    learners = Membership.objects.filter(program=demo.programs.residency, role=Role.LEARNER)
    assert (
        sorted(learners.values_list("training_year", flat=True))
        == [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4
    )
    with pytest.raises(ValueError):
        DemoSize(faculty=3)


def test_it_refuses_to_make_the_demo_institution_twice() -> None:
    generate_demo(today=TODAY, password=None, with_assessments=False)
    with pytest.raises(ValueError, match="already exists"):
        generate_demo(today=TODAY, password=None, with_assessments=False)


def test_everyone_can_sign_in_with_the_demo_password(client: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS
    demo = generate_demo(today=TODAY, with_assessments=False)
    assert client.login(email="director@demo.trellis.test", password="trellis-demo")
    someone = demo.people.residents[1][3]
    assert client.login(email=someone.email, password="trellis-demo")


def test_leniency_depends_only_on_the_seed_and_the_address() -> None:
    assert leniency_for("a@b.test", seed=1) == leniency_for("a@b.test", seed=1)
    assert -1 <= leniency_for("a@b.test", seed=2) <= 1
