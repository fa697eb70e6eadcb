from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from trellis.assessments.capture.services import (
    AssessmentRefused,
    RatingInput,
    assessment_submit,
)
from trellis.assessments.instruments.kept import version_content
from trellis.assessments.models import Assessment, Form, FormVersion, ItemSelection, Prompt
from trellis.assessments.tests.capture_setup import Capture, make_capture
from trellis.frameworks.models import Item, Scale
from trellis.testing import People

NEW = "/assess/im-residency/forms/new/"
LIST = "/assess/im-residency/forms/"


@pytest.fixture
def cap(people: People) -> Capture:
    return make_capture(people)


def builder_data(cap: Capture, title: str = "Night float check-in", **extra: object) -> dict:
    data: dict[str, object] = {
        "title": title,
        "kind": "epa_observation",
        "scale": Scale.objects.get(slug="chen").pk,
        "item_selection": ItemSelection.FIXED,
        "items": [cap.epa1.pk, cap.epa2.pk],
        "prompts": "What went well?\nOne thing to do next time | e.g. Call the consultant sooner",
    }
    data.update(extra)
    return data


def test_a_coordinator_creates_a_form(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.coordinator)
    assert client.get(NEW).status_code == 200
    r = client.post(NEW, builder_data(cap))
    assert r.status_code == 302
    form = Form.objects.get(program=cap.people.program)
    version = form.versions.get()
    assert [q.item.code for q in version.questions.all()] == ["EPA1", "EPA2"]
    assert version.prompts.get(key="one-thing-to-do-next-time").placeholder.startswith("e.g.")
    assert "Night float check-in" in client.get(LIST).content.decode()


def test_editing_a_form_saves_a_new_version_and_keeps_old_assessments(
    client: Client, cap: Capture
) -> None:
    client.force_login(cap.people.coordinator)
    client.post(NEW, builder_data(cap))
    form = Form.objects.get(program=cap.people.program)
    v1 = form.versions.get()
    old = assessment_submit(
        program=cap.people.program,
        form_version=v1,
        subject=cap.people.learner,
        assessor=cap.people.faculty,
        assessor_role="faculty",
        observed_on=timezone.localdate(),
        ratings=[RatingInput(cap.epa2, Decimal("2"))],
        acting_user=cap.people.faculty,
        client_key="v1",
    ).assessment
    r = client.post(
        f"/assess/im-residency/forms/{form.pk}/", builder_data(cap, items=[cap.epa1.pk])
    )
    assert r.status_code == 302
    assert form.versions.count() == 2
    v2 = form.versions.get(number=2)
    assert [q.item.code for q in v2.questions.all()] == ["EPA1"]
    old = Assessment.objects.get(pk=old.pk)
    assert old.form_version == v1
    assert [q.item.code for q in v1.questions.all()] == ["EPA1", "EPA2"]


def test_it_refuses_items_of_frameworks_not_adopted(client: Client, cap: Capture) -> None:
    from trellis.frameworks.models import Item

    foreign = Item.objects.get(framework__slug="clinician-educator-milestones", code="ETP1")
    client.force_login(cap.people.coordinator)
    r = client.post(NEW, builder_data(cap, items=[foreign.pk]))
    assert r.status_code == 400
    assert not Form.objects.filter(program=cap.people.program).exists()


def test_who_may_build_forms(client: Client, cap: Capture) -> None:
    for who, code in [
        (cap.people.director, 200),
        (cap.people.faculty, 403),
        (cap.people.learner, 403),
        (cap.people.outsider, 404),
    ]:
        client.force_login(who)
        assert client.get(LIST).status_code == code, who
        assert client.get(NEW).status_code == code, who
    client.force_login(cap.people.coordinator)
    assert client.post(LIST).status_code == 405


def test_builtin_forms_are_not_editable_here(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.coordinator)
    assert client.get(f"/assess/im-residency/forms/{cap.form.pk}/").status_code == 404


def test_a_revised_form_is_seen_at_once_though_versions_are_kept_in_the_process(
    client: Client, cap: Capture
) -> None:
    """The capture page and the service keep a version's questions and prompts in the
    process; a revision is a new version, so the next page and the next check use it."""
    client.force_login(cap.people.coordinator)
    client.post(NEW, builder_data(cap))
    form = Form.objects.get(program=cap.people.program)
    v1 = form.versions.get()
    rate = f"/assess/im-residency/learner/{cap.people.learner.pk}/?form={form.pk}"
    faculty = Client()
    faculty.force_login(cap.people.faculty)
    page = faculty.get(rate).content.decode()
    assert "What went well?" in page and f'name="rating-{cap.epa2.pk}"' in page
    revised = builder_data(cap, items=[cap.epa3.pk], prompts="What would you change?")
    assert client.post(f"/assess/im-residency/forms/{form.pk}/", revised).status_code == 302
    page = faculty.get(rate).content.decode()
    assert "What would you change?" in page and "What went well?" not in page
    assert f'name="rating-{cap.epa3.pk}"' in page and f'name="rating-{cap.epa2.pk}"' not in page
    v2 = form.versions.get(number=2)

    def submit(version: FormVersion, item: Item) -> Assessment:
        return assessment_submit(
            program=cap.people.program,
            form_version=version,
            subject=cap.people.learner,
            assessor=cap.people.faculty,
            assessor_role="faculty",
            observed_on=timezone.localdate(),
            ratings=[RatingInput(item, Decimal("2"))],
            acting_user=cap.people.faculty,
        ).assessment

    with pytest.raises(AssessmentRefused, match="EPA2 is not on this form"):
        submit(v2, cap.epa2)
    assert submit(v2, cap.epa3).form_version == v2
    assert submit(v1, cap.epa2).form_version == v1  # the old version keeps its questions


def test_a_version_is_read_once_and_again_when_its_id_returns_with_other_content(
    cap: Capture, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    """Kept by id and creation time: a database emptied and filled again reuses ids."""
    form, scale = cap.form, cap.version.scale
    version = FormVersion.objects.create(form=form, number=9, scale=scale)
    Prompt.objects.create(version=version, key="first", text="First")
    with django_assert_num_queries(3):  # questions, levels, prompts
        assert [p.key for p in version_content(version).prompts] == ["first"]
    with django_assert_num_queries(0):
        assert [p.key for p in version_content(version).prompts] == ["first"]
    pk = version.pk
    version.delete()
    again = FormVersion.objects.create(pk=pk, form=form, number=9, scale=scale)
    Prompt.objects.create(version=again, key="second", text="Second")
    assert [p.key for p in version_content(again).prompts] == ["second"]
