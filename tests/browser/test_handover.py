"""Confirm on the learner's phone, in Chromium: the faculty member sets a PIN; the learner
starts an observation on a phone and hands it over; a wrong PIN keeps everything typed,
the right one records it as the faculty member's; axe clean at 390 and 1280 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE, Web
from tests.browser.test_capture import assert_accessible, shot
from trellis.assessments.models import Assessment
from trellis.assessments.tests.capture_setup import make_capture
from trellis.testing import PASSWORD, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_faculty_member_confirms_on_the_learners_phone(
    web_factory: Any, viewport: dict[str, int]
) -> None:
    people = make_people()
    cap = make_capture(people)
    width = viewport["width"]
    faculty: Web = web_factory(viewport=viewport)
    faculty.sign_in(people.faculty.email, PASSWORD)
    faculty.go("/account/pin/")
    assert_accessible(faculty, "the PIN page")
    faculty.page.get_by_label("New PIN").fill("4826")
    faculty.page.get_by_label("The same PIN again").fill("4826")
    faculty.page.get_by_role("button", name="Save the PIN").click()
    faculty.page.wait_for_load_state()
    assert faculty.page.get_by_text("Your PIN is set.").is_visible()
    assert_accessible(faculty, "the PIN page, set")
    shot(faculty, f"pin-{width}")

    web: Web = web_factory(viewport=viewport)
    web.sign_in(people.learner.email, PASSWORD)
    page = web.page
    web.go("/assess/handover/")
    assert_accessible(web, "the handover start")
    shot(web, f"handover-start-{width}")
    page.get_by_role("button", name="Farah Mendes").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Lena Park").is_visible()
    assert_accessible(web, "the handed-over form")
    row = page.locator(f"#row-{cap.epa1.pk}")
    row.locator("label", has_text="Indirect supervision").click()
    page.get_by_label("One thing to do next time").fill("Commit to a leading diagnosis.")
    page.get_by_label("Your PIN or password").fill("9999")
    page.get_by_role("button", name="Confirm and submit").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").filter(has_text="not Farah").is_visible()
    assert row.locator("input[value='3']").is_checked()
    assert page.get_by_label("One thing to do next time").input_value() == (
        "Commit to a leading diagnosis."
    )
    assert page.get_by_label("Your PIN or password").input_value() == ""
    assert_accessible(web, "the form after a wrong PIN")
    shot(web, f"handover-wrong-{width}")
    assert not Assessment.objects.exists()
    page.get_by_label("Your PIN or password").fill("4826")
    page.get_by_role("button", name="Confirm and submit").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Confirmed — saved").is_visible()
    assert_accessible(web, "the confirmation")
    shot(web, f"handover-done-{width}")
    made = Assessment.objects.get()
    assert made.assessor == people.faculty and made.subject == people.learner
    page.get_by_role("link", name="Read it").click()
    page.wait_for_load_state()
    assert page.get_by_text("Commit to a leading diagnosis.").is_visible()
    # The wrong PIN's page answers 400, which Chromium reports; nothing else went wrong.
    assert [e for e in web.console_errors if "status of 400" not in e] == []
    assert not faculty.console_errors
