"""The patient kiosk in Chromium at tablet and phone width: the coordinator starts it and
opens it on the device in hand (signed out), two patients answer one after the other,
each on an empty form, Back shows nothing earlier; axe clean on every page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE, Web
from tests.browser.test_capture import assert_accessible, shot
from trellis.assessments.models import Assessment, KioskSession
from trellis.testing import PASSWORD, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_all(page: Any, level: str, went_well: str) -> None:
    for fieldset in page.locator("fieldset.rate").all():
        fieldset.locator("label.rate__level", has_text=level).first.click()
    page.get_by_label("What went well?").fill(went_well)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_patients_answer_the_kiosk_one_after_another(
    web_factory: Any, viewport: dict[str, int]
) -> None:
    people = make_people()
    web: Web = web_factory(viewport=viewport)
    width = viewport["width"]
    web.sign_in(people.coordinator.email, PASSWORD)
    web.go(f"/programs/{people.program.slug}/assessments/links/")
    page = web.page
    page.get_by_role("link", name="Start a kiosk").click()
    page.wait_for_load_state()
    assert_accessible(web, "the kiosks page")
    page.get_by_label("Lena Park").check()
    page.get_by_label("Luis Alvarez").check()
    page.get_by_label("Where").fill("Tuesday clinic")
    page.get_by_role("button", name="Start the kiosk").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="The kiosk is ready").is_visible()
    assert_accessible(web, "the kiosk just started")
    shot(web, f"kiosk-started-{width}")
    page.get_by_role("button", name="Sign out and open the kiosk here").click()
    page.wait_for_load_state()
    kiosk_url = page.url
    assert "/k/" in kiosk_url
    assert page.get_by_role("heading", name="Who looked after you today?").is_visible()
    assert page.get_by_role("link", name="Sign out").count() == 0
    assert_accessible(web, "the kiosk's choice of learner")
    shot(web, f"kiosk-choose-{width}")

    # The first patient.
    page.get_by_role("link", name="Lena Park").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Lena Park").is_visible()
    assert_accessible(web, "the kiosk form")
    answer_all(page, "4", "She listened and explained my medicines.")
    shot(web, f"kiosk-form-{width}")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert_accessible(web, "the kiosk's thanks")
    shot(web, f"kiosk-thanks-{width}")
    assert Assessment.objects.count() == 1

    # Back shows nothing of the answer: the form comes again, empty.
    page.go_back()
    page.wait_for_load_state()
    assert page.get_by_label("What went well?").input_value() == ""
    assert page.locator("input.rate__input:checked").count() == 0

    # A form left half-filled goes back to the start after three quiet minutes.
    web.go(kiosk_url.replace(web.base_url, "") + "?learner=" + str(people.learner.pk))
    page.clock.install()
    page.get_by_label("What went well?").fill("Half a thought")
    with page.expect_navigation():
        page.clock.fast_forward("03:01")
    assert page.get_by_role("heading", name="Who looked after you today?").is_visible()
    assert page.get_by_text("Half a thought").count() == 0

    # The next patient, from the thanks page's button.
    web.go(kiosk_url.replace(web.base_url, "") + "thanks/")
    page.get_by_role("link", name="Give feedback (next patient)").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Luis Alvarez").click()
    page.wait_for_load_state()
    assert page.get_by_label("What went well?").input_value() == ""
    answer_all(page, "3", "Took time to answer my questions.")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Thank you").is_visible()
    subjects = sorted(a.subject.first_name for a in Assessment.objects.all())
    assert subjects == ["Lena", "Luis"]
    assert all(a.assessor is None and a.assessor_name == "" for a in Assessment.objects.all())
    assert KioskSession.objects.get().submissions == 2
    assert not web.console_errors
