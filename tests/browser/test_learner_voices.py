"""The learner's own voices in a real browser: the self-assessment, peer feedback, the
coaching pages and the comment-quality page pass axe at desktop and phone width, fit a
phone, and a self-assessment is made with taps alone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_people import assert_accessible
from trellis.assessments.models import Assessment, AssessorRole
from trellis.plans.coaching import coaching_assign, note_add
from trellis.records.tests.factories import make_record
from trellis.scheduling.tests.factories import make_schedule
from trellis.testing import PASSWORD, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_learner_pages_pass_axe_and_fit_a_phone(web_factory: Any) -> None:
    people = make_people()
    make_schedule(people)
    rec = make_record(people)
    coaching = coaching_assign(
        program=people.program,
        learner=people.learner,
        coach=people.faculty,
        acting_user=people.coordinator,
    )
    note_add(coaching=coaching, text="Let's meet on Friday.", acting_user=people.faculty)
    slug = people.program.slug
    as_learner = [
        f"/programs/{slug}/records/self-assessment/?framework={rec.milestones.slug}",
        f"/assess/{slug}/peers/",
        f"/assess/{slug}/peers/{people.learner2.pk}/",
        f"/programs/{slug}/coaching/learners/{people.learner.pk}/",
        f"/programs/{slug}/coaching/plans/new/",
    ]
    as_director = [f"/programs/{slug}/assessments/comments/", f"/programs/{slug}/coaching/"]
    for viewport in (None, PHONE):
        for who, paths in ((people.learner, as_learner), (people.director, as_director)):
            web = web_factory(viewport) if viewport else web_factory()
            web.sign_in(who.email, PASSWORD)
            for path in paths:
                web.go(path)
                assert_accessible(web, f"{path} at {viewport or 'desktop'} width")
                if viewport:
                    width = web.page.evaluate("document.documentElement.scrollWidth")
                    assert width <= PHONE["width"], (path, width)
            assert web.console_errors == []
    # On a phone, a self-assessment takes a tap per item and one to save.
    web = web_factory(PHONE)
    web.sign_in(people.learner.email, PASSWORD)
    web.go(as_learner[0])
    web.page.locator("fieldset.level-item").first.get_by_label("Between 2 and 3").check()
    web.page.get_by_role("button", name="Save my self-assessment").click()
    web.page.wait_for_url(f"**/learners/{people.learner.pk}/")
    assert Assessment.objects.filter(assessor_role=AssessorRole.SELF).count() == 1
