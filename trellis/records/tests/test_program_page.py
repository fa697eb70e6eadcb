"""The program page: basics for everyone in it, members by role and year for staff."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from trellis.frameworks.models import Adoption
from trellis.frameworks.tests.web_factories import make_framework
from trellis.people.models import Role
from trellis.testing import People, add_member, make_user


def url(people: People) -> str:
    return reverse("program-detail", args=[people.program.slug])


def test_a_director_sees_members_by_role_and_year(client: Client, people: People) -> None:
    Adoption.objects.create(program=people.program, framework=make_framework().framework)
    client.force_login(people.director)
    response = client.get(url(people))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Internal Medicine Residency</h1>" in html
    assert "Members" in html
    for name in ("Lena Park", "Luis Alvarez", "Farah Mendes", "Corey Lindqvist"):
        assert name in html
    assert html.index("<caption>PGY 1</caption>") < html.index("Lena Park")
    assert html.index("<caption>PGY 2</caption>") < html.index("Luis Alvarez")
    assert "Test Internal Medicine Milestones" in html
    assert reverse("program-frameworks", args=[people.program.slug]) in html
    assert reverse("program-audit", args=[people.program.slug]) in html


def test_faculty_see_members_but_no_set_up_links(client: Client, people: People) -> None:
    client.force_login(people.faculty)
    html = client.get(url(people)).content.decode()
    assert "Lena Park" in html
    assert reverse("program-frameworks", args=[people.program.slug]) not in html
    assert reverse("program-audit", args=[people.program.slug]) not in html


def test_a_learner_sees_program_basics_only(client: Client, people: People) -> None:
    client.force_login(people.learner)
    response = client.get(url(people))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Internal Medicine Residency" in html
    assert "3 training years" in html
    assert "Luis Alvarez" not in html
    assert people.learner2.email not in html
    assert "members-heading" not in html


def test_an_admin_of_the_institution_sees_it(client: Client, people: People) -> None:
    client.force_login(people.admin)
    html = client.get(url(people)).content.decode()
    assert "Lena Park" in html
    assert reverse("program-audit", args=[people.program.slug]) in html


def test_an_outsider_gets_404(client: Client, people: People) -> None:
    client.force_login(people.outsider)
    assert client.get(url(people)).status_code == 404


def test_a_member_of_another_program_of_the_institution_gets_404(
    client: Client, people: People
) -> None:
    client.force_login(people.educator)
    assert client.get(url(people)).status_code == 404


def test_an_unknown_program_is_404(client: Client, people: People) -> None:
    client.force_login(people.director)
    assert client.get(reverse("program-detail", args=["no-such"])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, people: People) -> None:
    response = client.get(url(people))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_a_post(client: Client, people: People) -> None:
    client.force_login(people.director)
    assert client.post(url(people)).status_code == 405


def test_its_query_count_does_not_grow_with_members(
    client: Client, people: People, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    Adoption.objects.create(program=people.program, framework=make_framework().framework)
    client.force_login(people.director)
    for i in range(30):
        add_member(
            make_user(f"r{i}@riverside.test", "R", f"{i}"),
            people.program,
            Role.LEARNER,
            training_year=i % 3 + 1,
        )
    with django_assert_max_num_queries(10):
        assert client.get(url(people)).status_code == 200
