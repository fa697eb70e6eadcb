"""A program's frameworks: managers adopt one and set the expected level per training year."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.frameworks.models import Adoption, ExpectedLevel
from trellis.frameworks.tests.web_factories import SmallFramework, make_framework
from trellis.testing import People


@pytest.fixture
def small(people: People) -> SmallFramework:
    return make_framework()


@pytest.fixture
def adoption(people: People, small: SmallFramework) -> Adoption:
    return Adoption.objects.create(program=people.program, framework=small.framework)


def overview(people: People) -> str:
    return reverse("program-frameworks", args=[people.program.slug])


def levels(people: People, small: SmallFramework) -> str:
    return reverse("program-framework-levels", args=[people.program.slug, small.framework.slug])


# ---- the overview and the adopt form ----


def test_a_director_sees_adopted_frameworks_with_levels_by_year(
    client: Client, people: People, adoption: Adoption
) -> None:
    ExpectedLevel.objects.create(adoption=adoption, training_year=1, level=Decimal("1.5"))
    client.force_login(people.director)
    response = client.get(overview(people))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Test Internal Medicine Milestones" in html
    for label in ("PGY 1", "PGY 2", "PGY 3"):
        assert label in html
    assert ">1.5<" in html  # set
    assert '3 <span class="muted small">default</span>' in html  # PGY 2 default
    assert '4 <span class="muted small">default</span>' in html  # graduation
    assert '<label for="id_framework">Framework</label>' in html


def test_it_adopts_a_framework_and_records_who(
    client: Client, people: People, small: SmallFramework
) -> None:
    client.force_login(people.coordinator)
    response = client.post(
        overview(people), {"framework": small.framework.pk, "graduation_level": "4.5"}
    )
    assert response.status_code == 302
    assert response["Location"] == levels(people, small)
    adoption = Adoption.objects.get(program=people.program, framework=small.framework)
    assert adoption.graduation_level == Decimal("4.5")
    assert AuditEvent.objects.filter(action="framework.adopt", actor=people.coordinator).exists()


def test_it_offers_only_frameworks_not_yet_adopted(
    client: Client, people: People, adoption: Adoption, small: SmallFramework
) -> None:
    client.force_login(people.director)
    html = client.get(overview(people)).content.decode()
    select = html[html.index('id="id_framework"') :]
    select = select[: select.index("</select>")]
    assert f'<option value="{small.framework.pk}"' not in select
    response = client.post(
        overview(people), {"framework": small.framework.pk, "graduation_level": "4"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_it_refuses_another_institutions_framework(client: Client, people: People) -> None:
    theirs = make_framework(
        slug="hillcrest-own", title="Hillcrest Own", institution=people.other_institution
    )
    client.force_login(people.director)
    response = client.post(
        overview(people), {"framework": theirs.framework.pk, "graduation_level": "4"}
    )
    assert response.status_code == 200
    assert not Adoption.objects.filter(program=people.program).exists()


def test_it_re_shows_the_choice_on_error(
    client: Client, people: People, small: SmallFramework
) -> None:
    client.force_login(people.director)
    response = client.post(
        overview(people), {"framework": small.framework.pk, "graduation_level": "9"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{small.framework.pk}" selected>' in html
    assert 'aria-invalid="true"' in html
    assert not Adoption.objects.exists()


@pytest.mark.parametrize("persona", ["learner", "faculty", "committee"])
def test_members_who_do_not_manage_get_403(
    client: Client, people: People, small: SmallFramework, persona: str
) -> None:
    client.force_login(getattr(people, persona))
    assert client.get(overview(people)).status_code == 403
    assert (
        client.post(
            overview(people), {"framework": small.framework.pk, "graduation_level": "4"}
        ).status_code
        == 403
    )
    assert not Adoption.objects.exists()


def test_an_admin_of_the_institution_may_set_up(client: Client, people: People) -> None:
    client.force_login(people.admin)
    assert client.get(overview(people)).status_code == 200


def test_outsiders_get_404(client: Client, people: People) -> None:
    client.force_login(people.outsider)
    assert client.get(overview(people)).status_code == 404
    client.force_login(people.fd_lead)  # manages another program of the institution
    assert client.get(overview(people)).status_code == 404


def test_the_overview_needs_sign_in_and_refuses_other_methods(
    client: Client, people: People
) -> None:
    response = client.get(overview(people))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(people.director)
    assert client.put(overview(people)).status_code == 405


def test_the_overview_query_count_is_bounded(
    client: Client, people: People, adoption: Adoption, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        Adoption.objects.create(
            program=people.program,
            framework=make_framework(slug=f"x-{i}", title=f"X {i}").framework,
        )
    client.force_login(people.director)
    with django_assert_max_num_queries(12):
        assert client.get(overview(people)).status_code == 200


# ---- expected levels by year ----


def test_the_levels_form_shows_defaults(
    client: Client, people: People, small: SmallFramework, adoption: Adoption
) -> None:
    client.force_login(people.director)
    response = client.get(levels(people, small))
    assert response.status_code == 200
    html = response.content.decode()
    for year in (1, 2, 3):
        assert f'<label for="id_year_{year}">PGY {year}' in html
    assert "Level 2" in html and "Level 3" in html and "Level 4" in html  # 1 + 3·y/3, halved


def test_it_saves_levels_and_clears_blanks_back_to_default(
    client: Client, people: People, small: SmallFramework, adoption: Adoption
) -> None:
    ExpectedLevel.objects.create(adoption=adoption, training_year=3, level=Decimal("4.5"))
    client.force_login(people.coordinator)
    response = client.post(levels(people, small), {"year_1": "1.5", "year_2": "3", "year_3": ""})
    assert response.status_code == 302
    assert response["Location"] == overview(people)
    rows = {r.training_year: r.level for r in ExpectedLevel.objects.filter(adoption=adoption)}
    assert rows == {1: Decimal("1.5"), 2: Decimal("3")}
    actions = list(
        AuditEvent.objects.filter(actor=people.coordinator).values_list("action", flat=True)
    )
    assert sorted(actions) == ["expected_level.clear", "expected_level.set", "expected_level.set"]


def test_it_re_shows_what_was_typed_on_error_and_writes_nothing(
    client: Client, people: People, small: SmallFramework, adoption: Adoption
) -> None:
    client.force_login(people.director)
    response = client.post(levels(people, small), {"year_1": "2", "year_2": "2.3", "year_3": "7"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2.3"' in html and 'value="7"' in html and 'value="2"' in html
    assert "Use whole or half levels" in html
    assert "less than or equal to 5" in html
    assert not ExpectedLevel.objects.exists()


def test_levels_of_a_framework_not_adopted_are_404(
    client: Client, people: People, small: SmallFramework
) -> None:
    client.force_login(people.director)
    assert client.get(levels(people, small)).status_code == 404


def test_the_levels_page_is_guarded_like_the_overview(
    client: Client, people: People, small: SmallFramework, adoption: Adoption
) -> None:
    url = levels(people, small)
    assert client.get(url).status_code == 302
    client.force_login(people.learner)
    assert client.get(url).status_code == 403
    assert client.post(url, {"year_1": "5"}).status_code == 403
    client.force_login(people.outsider)
    assert client.get(url).status_code == 404
    client.force_login(people.director)
    assert client.delete(url).status_code == 405
    assert not ExpectedLevel.objects.exists()
