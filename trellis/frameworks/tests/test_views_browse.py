"""Browsing frameworks: the list, the tree, an item's levels side by side, the downloads."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from trellis.frameworks.models import Adoption, Association, ExpectedLevel
from trellis.frameworks.tests.web_factories import SmallFramework, make_framework
from trellis.testing import People


@pytest.fixture
def small(people: People) -> SmallFramework:
    return make_framework()


@pytest.fixture
def own(people: People) -> SmallFramework:
    return make_framework(
        slug="riverside-own", title="Riverside Own Framework", institution=people.institution
    )


@pytest.fixture
def theirs(people: People) -> SmallFramework:
    return make_framework(
        slug="hillcrest-own", title="Hillcrest Own Framework", institution=people.other_institution
    )


def item_url(fw: SmallFramework, identifier: str) -> str:
    return reverse("framework-item", args=[fw.framework.slug, identifier])


# ---- the list ----


def test_the_list_shows_the_catalogue_and_own_frameworks_with_badges(
    client: Client,
    people: People,
    small: SmallFramework,
    own: SmallFramework,
    theirs: SmallFramework,
) -> None:
    cem = make_framework(slug="test-cem", title="Test Educator Milestones", developmental=True)
    client.force_login(people.learner)
    response = client.get(reverse("framework-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Test Internal Medicine Milestones" in html
    assert "Riverside Own Framework" in html
    assert "Hillcrest Own Framework" not in html
    assert cem.framework.title in html
    assert "Developmental" in html
    assert "Test milestone levels" in html
    assert "3 subcompetencies" in html
    assert "1 EPA" in html
    assert "6 items" in html
    assert html.index("Riverside Own Framework") < html.index("Catalogue")


def test_the_list_offers_import_to_managers_only(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    assert reverse("framework-import") in client.get(reverse("framework-list")).content.decode()
    client.force_login(people.learner)
    assert reverse("framework-import") not in client.get(reverse("framework-list")).content.decode()


def test_the_list_needs_sign_in_and_refuses_post(client: Client, people: People) -> None:
    response = client.get(reverse("framework-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(people.learner)
    assert client.post(reverse("framework-list")).status_code == 405


def test_the_list_query_count_is_bounded(
    client: Client, people: People, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for i in range(8):
        make_framework(slug=f"many-{i}", title=f"Many {i}")
    client.force_login(people.learner)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("framework-list")).status_code == 200


# ---- the tree ----


def test_the_detail_page_nests_the_items(
    client: Client, people: People, small: SmallFramework
) -> None:
    client.force_login(people.learner)
    response = client.get(reverse("framework-detail", args=[small.framework.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Test Internal Medicine Milestones" in html
    pc, pc1, prof = html.index("Patient Care"), html.index("History"), html.index("Professionalism")
    assert pc < pc1 < prof
    assert item_url(small, small.pc1.identifier) in html
    assert "Developmental framework" not in html


def test_an_epa_row_shows_the_subcompetencies_it_bundles(
    client: Client, people: People, small: SmallFramework
) -> None:
    client.force_login(people.learner)
    html = client.get(reverse("framework-detail", args=[small.framework.slug])).content.decode()
    bundles = html[html.index("Admit a patient") :]
    assert "Bundles" in bundles
    assert f'href="{item_url(small, small.pc1.identifier)}">PC1</a>' in bundles
    assert f'href="{item_url(small, small.pc2.identifier)}">PC2</a>' in bundles


def test_the_detail_page_offers_both_downloads(
    client: Client, people: People, small: SmallFramework
) -> None:
    client.force_login(people.learner)
    html = client.get(reverse("framework-detail", args=[small.framework.slug])).content.decode()
    assert reverse("framework-export-csv", args=[small.framework.slug]) in html
    assert reverse("framework-export-case", args=[small.framework.slug]) in html


def test_a_developmental_framework_carries_a_notice(client: Client, people: People) -> None:
    cem = make_framework(slug="test-cem", title="Test Educator Milestones", developmental=True)
    client.force_login(people.educator)
    html = client.get(reverse("framework-detail", args=[cem.framework.slug])).content.decode()
    assert "A developmental framework" in html
    assert "never feed an accreditation report" in html
    html = client.get(item_url(cem, cem.pc1.identifier)).content.decode()
    assert "A developmental framework" in html


def test_another_institutions_framework_is_404(
    client: Client, people: People, theirs: SmallFramework
) -> None:
    client.force_login(people.director)
    assert client.get(reverse("framework-detail", args=[theirs.framework.slug])).status_code == 404
    assert client.get(item_url(theirs, theirs.pc1.identifier)).status_code == 404
    client.force_login(people.outsider)
    assert client.get(reverse("framework-detail", args=[theirs.framework.slug])).status_code == 200


def test_an_own_framework_is_open_to_any_member_of_the_institution(
    client: Client, people: People, own: SmallFramework
) -> None:
    client.force_login(people.learner)
    assert client.get(reverse("framework-detail", args=[own.framework.slug])).status_code == 200
    client.force_login(people.outsider)
    assert client.get(reverse("framework-detail", args=[own.framework.slug])).status_code == 404


def test_the_detail_page_needs_sign_in_and_refuses_post(
    client: Client, people: People, small: SmallFramework
) -> None:
    url = reverse("framework-detail", args=[small.framework.slug])
    assert client.get(url).status_code == 302
    client.force_login(people.learner)
    assert client.post(url).status_code == 405
    assert client.get(reverse("framework-detail", args=["no-such"])).status_code == 404


def test_the_detail_query_count_does_not_grow_with_items(
    client: Client, people: People, small: SmallFramework, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people.learner)
    with django_assert_max_num_queries(8):
        assert (
            client.get(reverse("framework-detail", args=[small.framework.slug])).status_code == 200
        )


# ---- an item ----


def test_an_item_shows_its_levels_side_by_side(
    client: Client, people: People, small: SmallFramework
) -> None:
    client.force_login(people.learner)
    response = client.get(item_url(small, small.pc1.identifier))
    assert response.status_code == 200
    html = response.content.decode()
    assert "History" in html
    assert '<table class="levels">' in html
    headings = [html.index(f">Level {n}<") for n in range(1, 6)]
    assert headings == sorted(headings)
    cells = [
        html.index(f"PC1: {w}")
        for w in (
            "Gathers a history with prompting",
            "Gathers a focused history",
            "Gathers a complete, hypothesis-driven history",
            "Adapts the history to the patient and the setting",
            "Models efficient history taking for others",
        )
    ]
    assert cells == sorted(cells)
    assert "Novice" in html and "Expert" in html
    assert 'role="region"' in html and 'tabindex="0"' in html
    # breadcrumb to the domain, and the EPA that bundles it
    assert item_url(small, small.patient_care.identifier) in html
    assert "EPAs that bundle it" in html and "Admit a patient" in html


def test_an_epa_lists_what_it_bundles(
    client: Client, people: People, small: SmallFramework
) -> None:
    client.force_login(people.learner)
    html = client.get(item_url(small, small.epa.identifier)).content.decode()
    assert "What this EPA bundles" in html
    assert "PC1 · History" in html and "PC2 · Physical examination" in html


def test_a_domain_lists_its_items(client: Client, people: People, small: SmallFramework) -> None:
    client.force_login(people.learner)
    html = client.get(item_url(small, small.patient_care.identifier)).content.decode()
    assert "No level descriptors" in html
    assert "Items within it" in html and "PC2 · Physical examination" in html


def test_an_item_of_another_framework_is_404(
    client: Client, people: People, small: SmallFramework
) -> None:
    other = make_framework(slug="test-other", title="Other")
    client.force_login(people.learner)
    assert client.get(item_url(small, other.pc1.identifier)).status_code == 404
    assert client.get(item_url(small, "no-such-item")).status_code == 404


def test_an_item_needs_sign_in_and_refuses_post(
    client: Client, people: People, small: SmallFramework
) -> None:
    url = item_url(small, small.pc1.identifier)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(people.learner)
    assert client.post(url).status_code == 405


def test_the_item_query_count_is_bounded(
    client: Client, people: People, small: SmallFramework, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(people.learner)
    with django_assert_max_num_queries(12):
        assert client.get(item_url(small, small.pc1.identifier)).status_code == 200


# ---- downloads ----


def test_it_downloads_the_framework_as_csv(
    client: Client, people: People, small: SmallFramework
) -> None:
    client.force_login(people.learner)
    response = client.get(reverse("framework-export-csv", args=[small.framework.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="test-im.csv"'
    assert "PC1" in response.content.decode()


def test_it_downloads_the_framework_as_case_json(
    client: Client, people: People, small: SmallFramework
) -> None:
    client.force_login(people.learner)
    response = client.get(reverse("framework-export-case", args=[small.framework.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="test-im.case.json"'
    package = json.loads(response.content)
    assert package["CFDocument"]["title"] == "Test Internal Medicine Milestones"
    assert {i["identifier"] for i in package["CFItems"]} >= {
        small.pc1.identifier,
        small.epa.identifier,
    }


def test_it_downloads_the_framework_as_medbiquitous_xml(
    client: Client, people: People, small: SmallFramework
) -> None:
    client.force_login(people.learner)
    page = client.get(reverse("framework-detail", args=[small.framework.slug])).content.decode()
    target = reverse("framework-export-medbiq", args=[small.framework.slug])
    assert target in page
    response = client.get(target)
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="test-im.medbiq.xml"'
    assert b"<lom:string>Test Internal Medicine Milestones</lom:string>" in response.content


@pytest.mark.parametrize(
    "name", ["framework-export-csv", "framework-export-case", "framework-export-medbiq"]
)
def test_downloads_are_guarded_like_the_page(
    client: Client, people: People, theirs: SmallFramework, small: SmallFramework, name: str
) -> None:
    assert client.get(reverse(name, args=[small.framework.slug])).status_code == 302
    client.force_login(people.learner)
    assert client.get(reverse(name, args=[theirs.framework.slug])).status_code == 404
    assert client.post(reverse(name, args=[small.framework.slug])).status_code == 405


def bundle_across(epas: SmallFramework, target: SmallFramework, n: int) -> None:
    Association.objects.create(
        framework=epas.framework,
        identifier=f"across-{n}",
        association_type=Association.IS_RELATED_TO,
        origin=epas.epa,
        origin_identifier=epas.epa.identifier,
        destination=target.prof1,
        destination_identifier=target.prof1.identifier,
        sequence_number=10 + n,
    )


def test_an_epa_bundles_items_of_other_frameworks_the_person_may_read(
    client: Client, people: People, small: SmallFramework, theirs: SmallFramework
) -> None:
    milestones = make_framework(slug="test-ms", title="Other Milestones")
    bundle_across(small, milestones, 1)
    bundle_across(small, theirs, 2)  # another institution's: not shown
    client.force_login(people.learner)
    html = client.get(reverse("framework-detail", args=[small.framework.slug])).content.decode()
    assert f'href="{item_url(milestones, milestones.prof1.identifier)}">PROF1</a>' in html
    assert "(Other Milestones)" in html
    assert item_url(theirs, theirs.prof1.identifier) not in html
    epa = client.get(item_url(small, small.epa.identifier)).content.decode()
    assert item_url(milestones, milestones.prof1.identifier) in epa
    assert item_url(theirs, theirs.prof1.identifier) not in epa
    prof1 = client.get(item_url(milestones, milestones.prof1.identifier)).content.decode()
    assert "EPAs that bundle it" in prof1
    assert item_url(small, small.epa.identifier) in prof1


def test_a_learner_sees_their_target_level_on_an_item(
    client: Client, people: People, small: SmallFramework
) -> None:
    adoption = Adoption.objects.create(program=people.program, framework=small.framework)
    ExpectedLevel.objects.create(adoption=adoption, training_year=1, level=Decimal("2"))
    client.force_login(people.learner)
    html = client.get(item_url(small, small.pc1.identifier)).content.decode()
    assert "Your target by the end of PGY 1: <strong>Level 2</strong>" in html
    assert html.count('class="is-expected"') == 2  # its heading and its cell
    assert html.index(">Level 2 <span") < html.index("Your target</span>")
    client.force_login(people.faculty)
    assert "Your target" not in client.get(item_url(small, small.pc1.identifier)).content.decode()
