"""The program evaluation pages in a real browser: axe finds nothing at desktop and phone
width, and on a phone the results are cards that fit the screen."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_people import assert_accessible
from trellis.assessments.tests.capture_setup import make_capture
from trellis.assessments.tests.test_evaluations import (
    evaluate_rotation,
    evaluate_teacher,
    learners,
)
from trellis.testing import PASSWORD, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_program_evaluation_pages_pass_axe_and_fit_a_phone(web_factory: Any) -> None:
    cap = make_capture(make_people())
    for n, person in enumerate(learners(cap, 5)):
        evaluate_rotation(cap, person, str(3 + n % 2), f"Comment {n}")
        evaluate_teacher(cap, person, cap.people.faculty, "4")
    base = "/programs/im-residency/assessments/evaluations/"
    pages = [
        (base, "Program evaluation"),
        (f"{base}rotations/{cap.sched.wards.pk}/", "General Medicine Wards"),
        (f"{base}teachers/{cap.people.faculty.pk}/", "Farah Mendes"),
    ]
    for viewport in (None, PHONE):
        web = web_factory(viewport) if viewport else web_factory()
        web.sign_in(cap.people.director.email, PASSWORD)
        for path, heading in pages:
            web.go(path)
            assert web.page.get_by_role("heading", level=1, name=heading).is_visible()
            assert_accessible(web, f"{path} at {viewport or 'desktop'} width")
            if viewport:
                width = web.page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], (path, width)
        assert web.console_errors == []
