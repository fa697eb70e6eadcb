"""The demo medical school in a real browser, as its dean and as a student: the school's
main pages load with real content and axe finds no violation, at desktop and phone width."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_browser_pages import assert_accessible
from trellis.committees.models import CycleStatus, ReviewCycle
from trellis.demo.generator import DEMO_PASSWORD, DemoSize, generate_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZE = DemoSize(
    learners_per_year=1, years=3, faculty=8, committee=3, educators=3, students_per_year=2
)


def test_the_dean_and_a_student_use_the_school_at_both_widths(web_factory: Any) -> None:
    demo = generate_demo(size=SIZE, today=timezone.localdate(), password=DEMO_PASSWORD)
    school = demo.programs.medical_school.slug
    student = demo.people.logins["student"]
    cycle = ReviewCycle.objects.get(program__slug=school, status=CycleStatus.OPEN)
    review = cycle.reviews.get(learner=student)
    dean_pages = {
        f"/programs/{school}/records/": "Sofia Rossi",
        f"/programs/{school}/curriculum/": "Internal Medicine Clerkship",
        f"/programs/{school}/curriculum/verification/": "Program expectations mapped to the PCRS",
        f"/programs/{school}/committee/{cycle.pk}/": "Sofia Rossi",
        f"/programs/{school}/committee/{cycle.pk}/reviews/{review.pk}/": "EPA1",
        f"/programs/{school}/records/evidence/": "Gather a history",
    }
    student_pages = {
        f"/programs/{school}/records/learners/{student.pk}/": "NBME Comprehensive Basic Science",
    }
    for viewport in (DESKTOP, PHONE):
        for email, pages in (
            ("dean@demo.trellis.test", dean_pages),
            (student.email, student_pages),
        ):
            web = web_factory(viewport)
            web.sign_in(email, DEMO_PASSWORD)
            for path, text in pages.items():
                assert web.go(path).status == 200, path
                assert text in web.page.content(), (path, text)
                width = web.page.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"], (path, width)
                assert_accessible(web, f"{path} at {viewport['width']} px")
