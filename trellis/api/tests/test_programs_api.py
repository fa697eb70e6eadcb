from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rest_framework.test import APIClient

from trellis.frameworks.models import Framework
from trellis.frameworks.services import framework_adopt
from trellis.people.models import Program, ProgramKind, Role, User
from trellis.testing import People, add_member, make_user

LIST = "/api/v1/programs/"
DETAIL = "/api/v1/programs/im-residency/"

AsUser = Callable[[User], APIClient]


# -- list


def test_it_lists_the_programs_a_person_belongs_to(as_user: AsUser, people: People) -> None:
    response = as_user(people.learner).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (program,) = body["results"]
    assert program == {
        "slug": "im-residency",
        "name": "Internal Medicine Residency",
        "kind": "residency",
        "specialty": "Internal Medicine",
        "length_years": 3,
        "institution": {"slug": "riverside", "name": "Riverside University"},
    }


def test_it_lists_every_program_of_an_institution_to_its_admin(
    as_user: AsUser, people: People
) -> None:
    slugs = [p["slug"] for p in as_user(people.admin).get(LIST).json()["results"]]
    assert sorted(slugs) == ["faculty-development", "im-residency"]


def test_it_lists_to_an_outsider_only_their_own_programs(as_user: AsUser, people: People) -> None:
    slugs = [p["slug"] for p in as_user(people.outsider).get(LIST).json()["results"]]
    assert slugs == ["hc-surgery"]


def test_it_refuses_the_program_list_to_anonymous_callers(api: APIClient, people: People) -> None:
    assert api.get(LIST).status_code == 401


def test_it_refuses_to_post_to_the_program_list(as_user: AsUser, people: People) -> None:
    assert as_user(people.director).post(LIST, {}).status_code == 405


def test_it_lists_programs_in_a_fixed_number_of_queries(
    as_user: AsUser, people: People, django_assert_max_num_queries
) -> None:
    for n in range(10):
        program = Program.objects.create(
            institution=people.institution,
            slug=f"extra-{n}",
            name=f"Extra {n}",
            kind=ProgramKind.FELLOWSHIP,
        )
        add_member(people.admin, program, Role.DIRECTOR)
    client = as_user(people.admin)
    # token lookup + last-used stamp + count + page
    with django_assert_max_num_queries(4):
        response = client.get(LIST)
    assert response.json()["count"] == 12


# -- detail


def test_it_shows_a_program_with_members_to_its_director(
    as_user: AsUser, people: People, catalogue_framework: Framework
) -> None:
    framework_adopt(program=people.program, framework=catalogue_framework, acting_user=None)
    response = as_user(people.director).get(DETAIL)
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Internal Medicine Residency"
    assert [(f["slug"], f["graduation_level"]) for f in body["frameworks"]] == [("acgme-im", "4.0")]
    members = {(m["email"], m["role"]): m for m in body["members"]}
    assert members[("learner2@riverside.test", "learner")]["training_year"] == 2
    assert members[("learner@riverside.test", "learner")]["training_year"] == 1
    assert members[("learner@riverside.test", "learner")]["name"] == "Lena Park"
    assert ("director@riverside.test", "director") in members
    assert "outsider@hillcrest.test" not in {m["email"] for m in body["members"]}


def test_it_leaves_former_members_out(as_user: AsUser, people: People) -> None:
    former = make_user("former@riverside.test", "Fred", "Gone")
    membership = add_member(former, people.program, Role.LEARNER, training_year=3)
    membership.end_date = dt.date(2021, 6, 30)
    membership.save()
    emails = {m["email"] for m in as_user(people.coordinator).get(DETAIL).json()["members"]}
    assert "former@riverside.test" not in emails


def test_it_shows_a_learner_the_program_without_members(as_user: AsUser, people: People) -> None:
    response = as_user(people.learner).get(DETAIL)
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "im-residency"
    assert body["frameworks"] == []
    assert "members" not in body


def test_it_hides_a_program_from_an_outsider(as_user: AsUser, people: People) -> None:
    assert as_user(people.outsider).get(DETAIL).status_code == 404


def test_it_hides_a_program_from_a_member_of_another_program(
    as_user: AsUser, people: People
) -> None:
    assert as_user(people.educator).get(DETAIL).status_code == 404


def test_it_refuses_the_program_to_anonymous_callers(api: APIClient, people: People) -> None:
    assert api.get(DETAIL).status_code == 401


def test_it_refuses_to_change_a_program(as_user: AsUser, people: People) -> None:
    client = as_user(people.director)
    assert client.delete(DETAIL).status_code == 405
    assert client.patch(DETAIL, {}).status_code == 405


def test_it_shows_a_program_in_a_fixed_number_of_queries(
    as_user: AsUser, people: People, catalogue_framework: Framework, django_assert_max_num_queries
) -> None:
    framework_adopt(program=people.program, framework=catalogue_framework, acting_user=None)
    client = as_user(people.director)
    # token (+ last-used stamp), program, roles, adoptions, their frameworks, members
    with django_assert_max_num_queries(7):
        assert client.get(DETAIL).status_code == 200
