"""The audit trail page: who, when, what, and the values before and after."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from trellis.audit.services import audit_record
from trellis.frameworks.services import expected_level_set, framework_adopt
from trellis.frameworks.tests.web_factories import make_framework
from trellis.testing import People


def url(people: People, page: int | None = None) -> str:
    base = reverse("program-audit", args=[people.program.slug])
    return f"{base}?page={page}" if page else base


@pytest.fixture
def changes(people: People) -> None:
    adoption = framework_adopt(
        program=people.program, framework=make_framework().framework, acting_user=people.coordinator
    )
    expected_level_set(
        adoption=adoption, training_year=2, level=Decimal("2.5"), acting_user=people.director
    )
    expected_level_set(
        adoption=adoption, training_year=2, level=Decimal("3"), acting_user=people.director
    )


def test_a_director_sees_who_changed_what_with_before_and_after(
    client: Client, people: People, changes: None
) -> None:
    client.force_login(people.director)
    response = client.get(url(people))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Audit trail" in html
    assert "Dana Okafor" in html and "Corey Lindqvist" in html
    assert "expected_level.set</code>" in html and "framework.adopt</code>" in html
    assert "Test Internal Medicine Milestones" in html
    newest = html[html.index("expected_level.set</code>") :]
    assert '<td class="before">2.5</td>' in newest
    assert '<td class="after">3</td>' in newest
    assert html.index("expected_level.set") < html.index("framework.adopt")  # newest first


def test_an_admin_of_the_institution_sees_it(client: Client, people: People, changes: None) -> None:
    client.force_login(people.admin)
    response = client.get(url(people))
    assert response.status_code == 200
    assert "framework.adopt" in response.content.decode()


def test_it_leaves_out_other_programs(client: Client, people: People, changes: None) -> None:
    other = make_framework(slug="fd-fw", title="FD Framework").framework
    framework_adopt(program=people.fd_program, framework=other, acting_user=people.fd_lead)
    client.force_login(people.director)
    assert "FD Framework" not in client.get(url(people)).content.decode()


def test_it_pages_through_a_long_trail(client: Client, people: People) -> None:
    with transaction.atomic():
        for i in range(60):
            audit_record(
                actor=people.director,
                action=f"test.event{i:02}",
                target=people.program,
                program=people.program,
            )
    client.force_login(people.director)
    first = client.get(url(people)).content.decode()
    assert "Page 1 of 2" in first and "test.event59" in first and "test.event05" not in first
    second = client.get(url(people, 2)).content.decode()
    assert "Page 2 of 2" in second and "test.event05" in second
    assert client.get(url(people, 99)).status_code == 200


@pytest.mark.parametrize("persona", ["coordinator", "faculty", "committee", "learner"])
def test_members_without_the_right_get_403(
    client: Client, people: People, changes: None, persona: str
) -> None:
    client.force_login(getattr(people, persona))
    assert client.get(url(people)).status_code == 403


def test_outsiders_get_404(client: Client, people: People, changes: None) -> None:
    client.force_login(people.outsider)
    assert client.get(url(people)).status_code == 404
    client.force_login(people.fd_lead)
    assert client.get(url(people)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, people: People) -> None:
    response = client.get(url(people))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_it_refuses_a_post(client: Client, people: People) -> None:
    client.force_login(people.director)
    assert client.post(url(people)).status_code == 405


def test_its_query_count_does_not_grow_with_events(
    client: Client, people: People, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        for i in range(40):
            audit_record(
                actor=people.coordinator if i % 2 else people.director,
                action="test.event",
                target=people.program,
                program=people.program,
                before={"n": i},
                after={"n": i + 1},
            )
    client.force_login(people.director)
    with django_assert_max_num_queries(8):
        assert client.get(url(people)).status_code == 200
