from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from trellis.frameworks.models import Framework
from trellis.people.models import User
from trellis.testing import People

from .conftest import build_framework

LIST = "/api/v1/frameworks/"

AsUser = Callable[[User], APIClient]


def detail(framework: Framework) -> str:
    return f"/api/v1/frameworks/{framework.slug}/"


@pytest.fixture
def frameworks(
    catalogue_framework: Framework, own_framework: Framework, other_framework: Framework
) -> None:
    pass


# -- list


def test_it_lists_the_catalogue_and_own_institutions_frameworks(
    as_user: AsUser, people: People, frameworks: None
) -> None:
    response = as_user(people.learner).get(LIST)
    assert response.status_code == 200
    body = response.json()
    catalogue = set(Framework.objects.filter(institution=None).values_list("slug", flat=True))
    assert body["count"] == len(catalogue) + 1
    by_slug = {f["slug"]: f for f in body["results"]}
    assert set(by_slug) == catalogue | {"riverside-local"}
    assert by_slug["acgme-im"]["institution"] is None
    assert by_slug["riverside-local"]["institution"] == {
        "slug": "riverside",
        "name": "Riverside University",
    }
    assert by_slug["acgme-im"]["scale"]["slug"] == "milestones"


def test_it_lists_for_an_outsider_only_what_they_may_see(
    as_user: AsUser, people: People, frameworks: None
) -> None:
    slugs = {f["slug"] for f in as_user(people.outsider).get(LIST).json()["results"]}
    assert "hillcrest-local" in slugs
    assert "acgme-im" in slugs
    assert "riverside-local" not in slugs


def test_it_refuses_the_list_to_anonymous_callers(api: APIClient, frameworks: None) -> None:
    assert api.get(LIST).status_code == 401


def test_it_refuses_to_post_to_the_list(as_user: AsUser, people: People) -> None:
    assert as_user(people.director).post(LIST, {}).status_code == 405


def test_it_lists_frameworks_in_a_fixed_number_of_queries(
    as_user: AsUser, people: People, frameworks: None, django_assert_max_num_queries
) -> None:
    for n in range(10):
        build_framework(f"extra-{n}", people.institution)
    client = as_user(people.learner)
    # token lookup + last-used stamp + count + page, however many frameworks there are
    with django_assert_max_num_queries(4):
        response = client.get(LIST)
    assert (
        response.json()["count"]
        == Framework.objects.exclude(institution=people.other_institution).count()
    )


# -- detail


def test_it_shows_a_framework_with_its_items_flat(
    as_user: AsUser, people: People, catalogue_framework: Framework
) -> None:
    response = as_user(people.learner).get(detail(catalogue_framework))
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Internal Medicine Milestones"
    assert [i["code"] for i in body["items"]] == ["PC", "PC1"]
    domain, sub = body["items"]
    assert domain["parent"] is None
    assert domain["kind"] == "domain"
    assert sub["parent"] == "acgme-im-pc"
    assert sub["identifier"] == "acgme-im-pc1"
    assert sub["statement"] == "Gathers a history"
    assert [(d["level"], d["text"]) for d in sub["descriptors"]] == [
        ("1.0", "Level 1 text"),
        ("2.0", "Level 2 text"),
    ]


def test_it_shows_an_institutions_framework_to_its_members(
    as_user: AsUser, people: People, own_framework: Framework
) -> None:
    assert as_user(people.faculty).get(detail(own_framework)).status_code == 200


def test_it_shows_a_framework_in_a_fixed_number_of_queries(
    as_user: AsUser, people: People, own_framework: Framework, django_assert_max_num_queries
) -> None:
    client = as_user(people.faculty)
    # token (+ last-used stamp), framework, institution, items, descriptors
    with django_assert_max_num_queries(6):
        assert client.get(detail(own_framework)).status_code == 200


def test_it_hides_another_institutions_framework(
    as_user: AsUser, people: People, other_framework: Framework
) -> None:
    assert as_user(people.director).get(detail(other_framework)).status_code == 404


def test_it_gives_404_for_an_unknown_framework(as_user: AsUser, people: People) -> None:
    assert as_user(people.director).get("/api/v1/frameworks/nope/").status_code == 404


def test_it_refuses_the_detail_to_anonymous_callers(
    api: APIClient, catalogue_framework: Framework
) -> None:
    assert api.get(detail(catalogue_framework)).status_code == 401


def test_it_refuses_to_change_a_framework(
    as_user: AsUser, people: People, own_framework: Framework
) -> None:
    client = as_user(people.director)
    assert client.delete(detail(own_framework)).status_code == 405
    assert client.put(detail(own_framework), {}).status_code == 405
