"""An observation made without signal: kept on the phone, shown as waiting, still there
after the tab reloads, sent once when the signal returns; a stale one refused in words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, Web
from tests.browser.test_capture import assert_accessible
from trellis.assessments.models import Assessment
from trellis.assessments.tests.capture_setup import Capture, make_capture
from trellis.testing import PASSWORD, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _faculty_on_a_phone(web_factory: Any) -> tuple[Capture, Web]:
    """The capture program, and its faculty member signed in on a phone."""
    cap = make_capture(make_people())
    web: Web = web_factory(viewport=PHONE)
    web.sign_in(cap.people.faculty.email, PASSWORD)
    return cap, web


def _rate_offline(web: Web, learner_pk: int, comment: str) -> None:
    page = web.page
    web.go(f"/assess/im-residency/learner/{learner_pk}/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for fieldset in page.locator("fieldset.rate:not([hidden])").all():
        fieldset.locator("label.rate__level", has_text="Indirect supervision").click()
    page.get_by_label("One thing to do next time").fill(comment)
    page.context.set_offline(True)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="Kept on this phone")).to_be_visible()
    expect(page.locator("#outbox-status")).to_contain_text("1 waiting to send")


def test_an_observation_without_signal_is_sent_once_when_it_returns(web_factory: Any) -> None:
    cap, web = _faculty_on_a_phone(web_factory)
    people, page = cap.people, web.page
    _rate_offline(web, people.learner.pk, "Say the leading diagnosis first.")
    assert Assessment.objects.count() == 0
    assert_accessible(web, "the form kept on the phone")
    # The tab reloads while still offline: the kept observation is still waiting.
    page.reload()
    expect(page.locator("#outbox-status")).to_contain_text("1 waiting to send")
    assert Assessment.objects.count() == 0
    page.context.set_offline(False)  # the browser's `online` event sends it
    expect(page.locator(".outbox")).to_have_attribute("data-waiting", "0", timeout=10_000)
    expect(page.locator("#outbox-status")).to_contain_text("Sent")
    a = Assessment.objects.get()
    assert a.comments.get().text == "Say the leading diagnosis first."
    # Another page load sends nothing again.
    web.go("/assess/")
    expect(page.locator(".outbox")).to_have_attribute("data-waiting", "0")
    assert Assessment.objects.count() == 1
    # The only console errors are the sends that found no signal.
    assert all("ERR_INTERNET_DISCONNECTED" in e for e in web.console_errors), web.console_errors


def test_the_panel_in_the_forms_place_says_so_once_the_observation_is_sent(
    web_factory: Any,
) -> None:
    cap, web = _faculty_on_a_phone(web_factory)
    people, page = cap.people, web.page
    _rate_offline(web, people.learner.pk, "Name the next step.")
    expect(page.locator("#kept-notice")).to_contain_text("when the signal returns")
    page.context.set_offline(False)
    expect(page.get_by_role("heading", name="Sent")).to_be_visible(timeout=10_000)
    expect(page.locator("#kept-notice")).to_contain_text("reached Trellis and is saved")
    expect(page.get_by_role("heading", name="Kept on this phone")).to_have_count(0)
    assert Assessment.objects.count() == 1


def test_a_form_kept_on_the_phone_is_dated_the_phones_today_when_shown_later(
    web_factory: Any,
) -> None:
    cap, web = _faculty_on_a_phone(web_factory)
    people, page = cap.people, web.page
    url = f"/assess/im-residency/learner/{people.learner.pk}/"
    web.go(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    web.go(url)  # through the service worker, which keeps a copy
    today = timezone.localdate()
    expect(page.locator("#observed_on")).to_have_value(today.isoformat())
    # The next morning, in the basement: the phone shows the copy it kept yesterday.
    page.clock.set_fixed_time(f"{today + dt.timedelta(days=1)}T09:00:00")
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#observed_on")).to_have_value((today + dt.timedelta(days=1)).isoformat())


def test_a_stale_observation_is_refused_and_stays_on_the_phone(web_factory: Any) -> None:
    cap, web = _faculty_on_a_phone(web_factory)
    people, page = cap.people, web.page
    _rate_offline(web, people.learner.pk, "Check understanding with teach-back.")
    # While it waits, the faculty member stops supervising the learner.
    cap.sched.first.supervisors.clear()
    page.context.set_offline(False)
    refused = page.locator(".outbox__item")
    expect(refused).to_be_visible(timeout=10_000)
    expect(refused).to_contain_text("you no longer supervise this learner")
    expect(refused).to_contain_text("Check understanding with teach-back.")
    expect(page.locator("#outbox-status")).to_contain_text("1 not saved")
    # The panel in the form's place no longer promises to send it.
    expect(page.get_by_role("heading", name="Not saved")).to_be_visible()
    expect(page.locator("#kept-notice")).to_contain_text("Trellis refused this observation")
    expect(page.locator("#kept-notice")).not_to_contain_text("signal")
    expect(page.get_by_role("heading", name="Kept on this phone")).to_have_count(0)
    assert Assessment.objects.count() == 0
    assert_accessible(web, "a refused observation on a phone")
    page.reload()
    expect(refused).to_contain_text("Check understanding with teach-back.")
    page.get_by_role("button", name="Discard this observation").focus()
    page.keyboard.press("Enter")
    expect(refused).to_have_count(0)


def test_the_form_passes_axe_at_both_widths_and_submits_from_the_keyboard(
    web_factory: Any,
) -> None:
    people = make_people()
    cap = make_capture(people)
    for viewport in (PHONE, DESKTOP):
        web: Web = web_factory(viewport=viewport)
        web.sign_in(people.faculty.email, PASSWORD)
        web.go(f"/assess/im-residency/learner/{people.learner.pk}/")
        assert_accessible(web, f"the observation form at {viewport['width']} px")
    page = web.page
    page.locator(f"#r{cap.epa1.pk}-1").focus()
    page.keyboard.press("ArrowRight")  # radios: arrows move the choice
    page.get_by_label("One thing to do next time").focus()
    page.keyboard.type("Summarise before the plan.")
    page.get_by_role("button", name="Submit").focus()
    with page.expect_navigation(url="**/done/"):
        page.keyboard.press("Enter")
    assert Assessment.objects.get().ratings.count() == 1
