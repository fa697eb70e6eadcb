"""The crosswalk pages: an institution's managers propose, edit, review and apply a
crosswalk; its other members read it; anyone else gets 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.frameworks import crosswalk as xw
from trellis.frameworks.models import Adoption, Crosswalk, CrosswalkLink
from trellis.frameworks.services import framework_adopt
from trellis.frameworks.tests.web_factories import (
    NextVersion,
    SmallFramework,
)
from trellis.testing import People


@pytest.fixture
def crosswalk(people: People, v1: SmallFramework, v2: NextVersion) -> Crosswalk:
    return xw.crosswalk_propose(
        source=v1.framework, target=v2.framework, institution=people.institution, acting_user=None
    )


def page(crosswalk: Crosswalk, name: str = "framework-crosswalk") -> str:
    return reverse(name, args=[crosswalk.pk])


def test_a_manager_proposes_a_crosswalk_from_the_framework_page(
    client: Client, people: People, v1: SmallFramework, v2: NextVersion
) -> None:
    client.force_login(people.coordinator)
    detail = client.get(reverse("framework-detail", args=[v1.framework.slug])).content.decode()
    url = reverse("framework-crosswalks", args=[v1.framework.slug])
    assert url in detail
    assert client.get(url).status_code == 200
    for _ in range(2):  # a second press finds the same crosswalk
        response = client.post(url, {"target": v2.framework.pk})
    made = Crosswalk.objects.get()
    assert response["Location"] == page(made)
    assert made.institution == people.institution and made.created_by == people.coordinator
    assert made.links.count() == 4


def test_a_member_who_manages_nothing_reads_the_list_but_may_not_propose(
    client: Client, people: People, v1: SmallFramework, v2: NextVersion, crosswalk: Crosswalk
) -> None:
    client.force_login(people.faculty)
    url = reverse("framework-crosswalks", args=[v1.framework.slug])
    html = client.get(url).content.decode()
    assert page(crosswalk) in html and "Propose the links" not in html
    assert client.post(url, {"target": v2.framework.pk}).status_code == 403


def test_the_review_page_shows_each_change_and_the_forms_to_a_manager(
    client: Client, people: People, crosswalk: Crosswalk
) -> None:
    client.force_login(people.director)
    response = client.get(page(crosswalk))
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Renamed", "Retired", "New", "Not yet reviewed", "Add the link", "Mark reviewed"):
        assert label in html
    assert page(crosswalk, "framework-crosswalk-link-add") in html


def test_a_member_without_the_right_reads_it_and_may_change_nothing(
    client: Client, people: People, v1: SmallFramework, v2: NextVersion, crosswalk: Crosswalk
) -> None:
    link = crosswalk.links.first()
    assert link is not None
    for person in (people.faculty, people.learner, people.educator):
        client.force_login(person)
        html = client.get(page(crosswalk)).content.decode()
        assert "Renamed" in html and "Add the link" not in html and "Remove" not in html
        data = {"source_item": v1.pc2.pk, "target_item": v2.pc2a.pk}
        assert client.post(page(crosswalk, "framework-crosswalk-link-add"), data).status_code == 403
        remove = reverse("framework-crosswalk-link-remove", args=[crosswalk.pk, link.pk])
        assert client.post(remove).status_code == 403
        assert client.post(page(crosswalk, "framework-crosswalk-reviewed")).status_code == 403
    assert crosswalk.links.count() == 4


def test_an_outsider_gets_404_everywhere(
    client: Client, people: People, v1: SmallFramework, crosswalk: Crosswalk
) -> None:
    client.force_login(people.outsider)
    link = crosswalk.links.first()
    assert link is not None
    assert client.get(page(crosswalk)).status_code == 404
    for name in ("framework-crosswalk-link-add", "framework-crosswalk-reviewed"):
        assert client.post(page(crosswalk, name)).status_code == 404
    remove = reverse("framework-crosswalk-link-remove", args=[crosswalk.pk, link.pk])
    assert client.post(remove).status_code == 404
    assert client.post(page(crosswalk, "framework-crosswalk-apply")).status_code == 404
    # The catalogue framework is open to them, the crosswalk in the list is not.
    html = client.get(reverse("framework-crosswalks", args=[v1.framework.slug])).content.decode()
    assert page(crosswalk) not in html


def test_the_edit_endpoints_take_only_post(
    client: Client, people: People, crosswalk: Crosswalk
) -> None:
    client.force_login(people.coordinator)
    for name in ("framework-crosswalk-link-add", "framework-crosswalk-reviewed"):
        assert client.get(page(crosswalk, name)).status_code == 405
    assert client.post(page(crosswalk)).status_code == 405


def test_a_manager_adds_a_link_once_however_often_the_form_is_sent(
    client: Client, people: People, v1: SmallFramework, v2: NextVersion, crosswalk: Crosswalk
) -> None:
    client.force_login(people.coordinator)
    data = {"source_item": v1.pc2.pk, "target_item": v2.pc2a.pk}
    for _ in range(2):
        response = client.post(page(crosswalk, "framework-crosswalk-link-add"), data)
        assert response.status_code == 302
    assert CrosswalkLink.objects.filter(crosswalk=crosswalk, source_item=v1.pc2).count() == 1
    assert (
        AuditEvent.objects.filter(action="crosswalk.link_add", actor=people.coordinator).count()
        == 1
    )


def test_an_incomplete_link_is_refused_with_what_was_chosen_kept(
    client: Client, people: People, v1: SmallFramework, crosswalk: Crosswalk
) -> None:
    client.force_login(people.coordinator)
    response = client.post(
        page(crosswalk, "framework-crosswalk-link-add"), {"source_item": v1.pc2.pk}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<option value="{v1.pc2.pk}" selected>' in html
    assert "This field is required." in html


def test_a_manager_removes_a_link_and_a_second_press_is_harmless(
    client: Client, people: People, v1: SmallFramework, crosswalk: Crosswalk
) -> None:
    client.force_login(people.coordinator)
    link = crosswalk.links.get(source_item=v1.pc1)
    url = reverse("framework-crosswalk-link-remove", args=[crosswalk.pk, link.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert not CrosswalkLink.objects.filter(pk=link.pk).exists()
    assert AuditEvent.objects.filter(action="crosswalk.link_remove").count() == 1


def test_a_manager_reviews_then_moves_a_program(
    client: Client, people: People, v1: SmallFramework, v2: NextVersion, crosswalk: Crosswalk
) -> None:
    framework_adopt(program=people.program, framework=v1.framework, acting_user=None)
    client.force_login(people.director)
    html = client.get(page(crosswalk)).content.decode()
    assert "Move the program" not in html  # not before a review
    client.post(page(crosswalk, "framework-crosswalk-reviewed"))
    html = client.get(page(crosswalk)).content.decode()
    assert f'<option value="{people.program.slug}">' in html
    response = client.post(
        page(crosswalk, "framework-crosswalk-apply"), {"program": people.program.slug}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("program-frameworks", args=[people.program.slug])
    current = Adoption.objects.current().get(program=people.program)
    assert current.framework == v2.framework
    overview = client.get(response["Location"]).content.decode()
    assert v2.framework.title in overview and "Graduation target" in overview
    assert f"{v1.framework}</a>: moved to {v2.framework}" in overview  # the history kept
    assert page(crosswalk) in overview
    assert "Applied" in client.get(page(crosswalk)).content.decode()


def test_a_program_the_person_does_not_manage_cannot_be_moved(
    client: Client, people: People, v1: SmallFramework, crosswalk: Crosswalk
) -> None:
    framework_adopt(program=people.other_program, framework=v1.framework, acting_user=None)
    xw.crosswalk_mark_reviewed(crosswalk=crosswalk, acting_user=people.director)
    client.force_login(people.director)
    response = client.post(
        page(crosswalk, "framework-crosswalk-apply"), {"program": people.other_program.slug}
    )
    assert response.status_code == 400
    assert Adoption.objects.current().get(program=people.other_program).framework == v1.framework
