"""The home page: one panel per role the person holds in each current membership."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trellis.frameworks.models import Adoption, ExpectedLevel
from trellis.frameworks.tests.web_factories import make_framework
from trellis.people.models import Program, ProgramKind, Role
from trellis.testing import People, add_member, make_user

HOME = reverse("home")


@pytest.fixture
def adopted(people: People):  # type: ignore[no-untyped-def]
    small = make_framework()
    adoption = Adoption.objects.create(program=people.program, framework=small.framework)
    ExpectedLevel.objects.create(adoption=adoption, training_year=1, level=Decimal("2"))
    cem = make_framework(
        slug="test-cem", title="Test Clinician Educator Milestones", developmental=True
    )
    Adoption.objects.create(program=people.fd_program, framework=cem.framework)
    return small


def home_html(client: Client, person) -> str:  # type: ignore[no-untyped-def]
    client.force_login(person)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, db: None) -> None:
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_a_post(client: Client, people: People) -> None:
    client.force_login(people.learner)
    assert client.post(HOME).status_code == 405


def test_a_learner_sees_their_year_and_expected_levels(
    client: Client, people: People, adopted
) -> None:  # type: ignore[no-untyped-def]
    html = home_html(client, people.learner)
    assert "Internal Medicine Residency" in html
    assert "PGY 1" in html
    assert "Test Internal Medicine Milestones" in html
    assert "Level 2" in html
    assert "Members by role" not in html
    assert reverse("program-audit", args=[people.program.slug]) not in html


def test_a_learner_in_year_two_gets_the_default_trajectory(
    client: Client, people: People, adopted
) -> None:  # type: ignore[no-untyped-def]
    # Level 4 by graduation over three years: 1 + 3 * 2/3 = 3
    html = home_html(client, people.learner2)
    assert "PGY 2" in html
    assert "Level 3" in html


def test_faculty_see_their_programs_learner_count(client: Client, people: People, adopted) -> None:  # type: ignore[no-untyped-def]
    html = home_html(client, people.faculty)
    assert "Internal Medicine Residency" in html
    assert '<span class="stat__value">2</span> <span class="stat__label">learners</span>' in html
    assert 'id="panel-1-role">Faculty</span>' in html
    assert reverse("framework-import") not in html


def test_a_director_sees_the_program_set_up(client: Client, people: People, adopted) -> None:  # type: ignore[no-untyped-def]
    html = home_html(client, people.director)
    assert "Program director" in html
    assert "Members by role" in html
    assert "PGY 1" in html and "PGY 2" in html
    assert "Test Internal Medicine Milestones" in html
    assert reverse("framework-import") in html
    assert reverse("program-frameworks", args=[people.program.slug]) in html
    assert reverse("program-audit", args=[people.program.slug]) in html
    # the director is also faculty: a second panel, after the first
    assert 'id="panel-1-role">Program director</span>' in html
    assert 'id="panel-2-role">Faculty</span>' in html


def test_a_coordinator_sees_set_up_without_the_audit_trail(
    client: Client, people: People, adopted
) -> None:  # type: ignore[no-untyped-def]
    html = home_html(client, people.coordinator)
    assert "Members by role" in html
    assert reverse("framework-import") in html
    assert reverse("program-audit", args=[people.program.slug]) not in html


def test_a_committee_member_sees_learners_by_year(client: Client, people: People, adopted) -> None:  # type: ignore[no-untyped-def]
    html = home_html(client, people.committee)
    assert "Committee member" in html
    assert "Lena Park" in html and "Luis Alvarez" in html
    assert html.index("PGY 1") < html.index("Lena Park") < html.index("PGY 2")
    assert html.index("PGY 2") < html.index("Luis Alvarez")


def test_an_educator_sees_the_developmental_framework(
    client: Client, people: People, adopted
) -> None:  # type: ignore[no-untyped-def]
    html = home_html(client, people.educator)
    assert "Faculty Development" in html
    assert "Test Clinician Educator Milestones" in html
    assert "Developmental" in html
    assert "private to you" in html


def test_a_faculty_development_lead_sees_their_program(
    client: Client, people: People, adopted
) -> None:  # type: ignore[no-untyped-def]
    html = home_html(client, people.fd_lead)
    assert "Faculty-development lead" in html
    assert "Faculty Development" in html
    assert reverse("program-frameworks", args=[people.fd_program.slug]) in html
    assert "Test Clinician Educator Milestones" in html


def test_an_admin_sees_every_program_of_the_institution(
    client: Client, people: People, adopted
) -> None:  # type: ignore[no-untyped-def]
    html = home_html(client, people.admin)
    assert "Riverside University" in html
    assert "Internal Medicine Residency" in html
    assert "Faculty Development" in html
    assert "Hillcrest General Surgery" not in html


def test_an_outsider_sees_only_their_own_program(client: Client, people: People, adopted) -> None:  # type: ignore[no-untyped-def]
    html = home_html(client, people.outsider)
    assert "Hillcrest General Surgery" in html
    assert "Internal Medicine Residency" not in html
    assert "Test Internal Medicine Milestones" not in html


def test_someone_without_a_current_role_gets_a_friendly_page(
    client: Client, people: People
) -> None:
    past = make_user("former@riverside.test", "Fern", "Gale")
    m = add_member(past, people.program, Role.LEARNER, training_year=3, start=dt.date(2015, 7, 1))
    m.end_date = dt.date(2018, 6, 30)
    m.save()
    html = home_html(client, past)
    assert "No current role yet" in html


def _grow(people: People, n: int) -> None:
    """Give the director n more programs, each with learners and an adopted framework."""
    for i in range(n):
        program = Program.objects.create(
            institution=people.institution,
            slug=f"extra-{i}",
            name=f"Extra Program {i}",
            kind=ProgramKind.FELLOWSHIP,
        )
        for role in (Role.DIRECTOR, Role.COMMITTEE, Role.FACULTY, Role.LEARNER):
            add_member(
                people.director, program, role, training_year=1 if role == Role.LEARNER else None
            )
        add_member(
            make_user(f"l{i}@riverside.test", "L", str(i)), program, Role.LEARNER, training_year=2
        )
        fw = make_framework(slug=f"extra-fw-{i}", title=f"Extra {i}").framework
        Adoption.objects.create(program=program, framework=fw)


PER_RUN_PROGRAM = 13  # the attention list of each program one directs: a fixed number


def test_its_query_count_grows_only_with_the_programs_one_runs(
    client: Client, people: People, adopted, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    # every kind of panel from the start, so conditional queries are counted in both runs
    add_member(people.director, None, Role.ADMIN, institution=people.institution)
    add_member(people.director, people.program, Role.COMMITTEE)
    add_member(people.director, people.fd_program, Role.EDUCATOR)
    client.force_login(people.director)
    with CaptureQueriesContext(connection) as few:
        assert client.get(HOME).status_code == 200
    # More learners in the program: not one query more
    for i in range(6):
        add_member(make_user(f"n{i}@riverside.test", "N", str(i)), people.program, Role.LEARNER,
                   training_year=1)  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(HOME).status_code == 200
    # Four more programs directed (and sat on, taught in, trained in): a fixed number each
    _grow(people, 4)
    with django_assert_max_num_queries(len(few.captured_queries) + 4 * PER_RUN_PROGRAM):
        response = client.get(HOME)
    assert "Extra Program 3" in response.content.decode()
    assert len(few.captured_queries) <= 14 + PER_RUN_PROGRAM


def test_a_committee_member_sees_whom_they_pre_review_with_a_link_to_each(
    client: Client, people: People
) -> None:
    """From home straight to the pre-review: the committee's hour (issue 15) began with
    three page loads to find one's own learners among the cycle's."""
    from trellis.committees.tests.factories import make_committee

    c = make_committee(people)
    html = home_html(client, people.committee)
    assert "Yours to pre-review" in html
    mine = reverse("committees:prereview", args=[people.program.slug, c.cycle.pk, c.review.pk])
    assert f'href="{mine}">{c.review.learner.display_name}</a>' in html
    assert "Awaiting pre-review" in html
    other = reverse("committees:prereview", args=[people.program.slug, c.cycle.pk, c.review2.pk])
    assert other not in html  # the director pre-reviews learner2
    assert "Yours to pre-review" not in home_html(client, people.director)
