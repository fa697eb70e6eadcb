"""Who may write what: the assessor role is derived from who the assessor is and the form,
never taken from input; the items rated must belong to the form and to the frameworks the
program adopted (developmental ones only in one's own self-assessment)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from trellis.api.tests.conftest import build_framework
from trellis.assessments.capture.services import AssessmentRefused
from trellis.assessments.models import Assessment, Form
from trellis.assessments.tests.capture_setup import Capture, make_capture
from trellis.assessments.tests.test_api_assessments import URL, as_user, body
from trellis.assessments.tests.test_capture_service import submit
from trellis.assessments.tests.test_capture_views import post_data, rate_url
from trellis.frameworks.models import Framework, Item
from trellis.people.models import Institution
from trellis.testing import People


@pytest.fixture
def cap(people: People) -> Capture:
    return make_capture(people)


def cem_item() -> Item:
    return (
        Item.objects.filter(
            framework__slug="clinician-educator-milestones", kind="subcompetency"
        ).first()
        or Item.objects.filter(framework__slug="clinician-educator-milestones").first()
    )


def private_item_elsewhere() -> Item:
    other = Institution.objects.create(name="Elsewhere University", slug="elsewhere")
    framework = build_framework("elsewhere-secret", other)
    return framework.items.exclude(kind="domain").first()


def test_the_api_refuses_a_role_given_as_input(cap: Capture) -> None:
    api = as_user(cap.people.faculty)
    for role in ("self", "patient", "nurse"):
        r = api.post(URL, body(cap, assessor_role=role, client_key=role), format="json")
        assert r.status_code == 400 and "assessor_role" in r.json(), r.json()
    assert not Assessment.objects.exists()
    ok = api.post(URL, body(cap), format="json")
    assert ok.status_code == 201 and ok.json()["assessor_role"] == "faculty"


@pytest.mark.parametrize("slug", ["self-assessment", "teaching-evaluation", "multisource"])
def test_the_api_offers_faculty_only_the_forms_faculty_fill(cap: Capture, slug: str) -> None:
    form = Form.objects.get(slug=slug, program__isnull=True)
    r = as_user(cap.people.faculty).post(URL, body(cap, form=form.pk), format="json")
    assert r.status_code == 400 and "form" in r.json()
    assert not Assessment.objects.exists()


def test_the_web_form_ignores_a_posted_role(cap: Capture) -> None:
    client = Client()
    client.force_login(cap.people.faculty)
    page = client.get(rate_url(cap)).content.decode()
    assert 'name="assessor_role"' not in page
    r = client.post(rate_url(cap), post_data(cap, page, assessor_role="patient"))
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Assessment.objects.get().assessor_role == "faculty"


def test_the_service_refuses_a_role_the_form_is_not_filled_by(cap: Capture) -> None:
    with pytest.raises(AssessmentRefused) as refused:
        submit(cap, assessor_role="self")
    assert "not filled by a self" in refused.value.problems["assessor_role"]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("which", ["developmental", "other institution"])
def test_an_item_outside_the_programs_frameworks_is_refused_without_naming_it(
    cap: Capture, which: str
) -> None:
    it = cem_item() if which == "developmental" else private_item_elsewhere()
    assert it is not None
    r = as_user(cap.people.faculty).post(
        URL, body(cap, ratings=[{"item": it.pk, "level": "2"}]), format="json"
    )
    assert r.status_code == 400
    problem = r.json()["errors"][f"rating-{it.pk}"]
    assert problem == "This item is not in a framework of this program."
    assert it.code not in str(r.json()) and it.framework.title not in str(r.json())
    assert not Assessment.objects.exists()


def test_a_cem_self_assessment_still_works(cap: Capture) -> None:
    from trellis.educators.services import self_assessment_submit

    it = cem_item()
    made = self_assessment_submit(
        educator=cap.people.faculty,
        program=cap.people.program,
        levels={it: it.framework.scale.levels.first().value if it.framework.scale else 2},
        observed_on=timezone.localdate(),
        acting_user=cap.people.faculty,
    )
    assert made.assessor_role == "self"
    assert Framework.objects.get(pk=it.framework_id).developmental
