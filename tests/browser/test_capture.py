"""Capturing an observation on a phone: start -> form -> done in three screens, a replay
of the same submission writes nothing, and the start page and form pass axe-core."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE, Web
from trellis.assessments.models import Assessment
from trellis.assessments.tests.capture_setup import make_capture
from trellis.testing import PASSWORD, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("TRELLIS_SCREENSHOTS", "/tmp/capture_work"))


def assert_accessible(web: Web, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(web.page)
    if results.violations_count:
        pytest.fail(
            f"{results.violations_count} axe violation(s) on {what}:\n{results.generate_report()}"
        )


def shot(web: Web, name: str) -> None:
    if SHOTS.is_dir():
        web.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


REPLAY = """(pairs) => {
  const f = document.createElement('form');
  f.method = 'post';
  f.action = location.pathname;
  for (const [k, v] of pairs) {
    const i = document.createElement('input');
    i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
  }
  document.body.appendChild(f);
  f.submit();
}"""


def test_a_faculty_member_rates_a_learner_in_three_screens(web_factory: Any) -> None:
    people = make_people()
    cap = make_capture(people)
    web: Web = web_factory(viewport=PHONE)
    web.sign_in(people.faculty.email, PASSWORD)
    page = web.page
    screens: list[str] = []
    page.on("framenavigated", lambda f: screens.append(f.url) if f == page.main_frame else None)

    web.go("/assess/")
    assert page.get_by_role("heading", name="Your learners today").is_visible()
    assert_accessible(web, "the start page")
    shot(web, "start-390")

    page.get_by_role("link", name="Lena Park").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Lena Park").is_visible()
    assert_accessible(web, "the observation form")
    row = page.locator(f"#row-{cap.epa1.pk}")
    row.locator("label", has_text="Indirect supervision").click()
    assert row.locator("input[value='3']").is_checked()
    assert row.get_by_text("alone; a supervisor confirms", exact=False).is_visible()
    page.get_by_label("One thing to do next time").fill("Commit to a leading diagnosis.")
    shot(web, "form-390")
    pairs = page.evaluate("[...new FormData(document.getElementById('capture-form'))]")
    # The page sends the form itself (offline.js) and then opens the confirmation.
    with page.expect_navigation(url="**/done/"):
        page.get_by_role("button", name="Submit").click()
    assert page.get_by_role("heading", name="Thank you — saved").is_visible()
    assert page.get_by_role("link", name="Rate another learner").is_visible()
    assert_accessible(web, "the confirmation")
    shot(web, "done-390")
    done_url = page.url
    assert len(screens) == 3, screens
    assert Assessment.objects.count() == 1

    # The same submission again (back and Submit, or the POST replayed) writes nothing.
    page.go_back()
    page.wait_for_load_state()
    key = dict(pairs)["client_key"]
    with page.expect_navigation():
        if page.locator("input[name=client_key]").input_value() == key:
            page.get_by_role("button", name="Submit").click()
        else:
            page.evaluate(REPLAY, pairs)
    assert page.url == done_url + "?again=1"
    assert page.get_by_text("This was already saved").is_visible()
    assert_accessible(web, "the confirmation of a repeat")
    shot(web, "done-again-390")
    assert Assessment.objects.count() == 1
    # Back on the start page, the assessment just given is listed (a link in a line of text)
    web.go("/assess/")
    assert page.locator(f"a[href='/assess/a/{Assessment.objects.get().pk}/']").count() >= 1
    assert_accessible(web, "the start page with an assessment given")
    assert not web.console_errors


def test_the_form_on_a_desktop_and_without_javascript(web_factory: Any) -> None:
    people = make_people()
    cap = make_capture(people)
    web: Web = web_factory(viewport=DESKTOP)
    web.sign_in(people.faculty.email, PASSWORD)
    web.go(f"/assess/im-residency/learner/{people.learner.pk}/")
    shot(web, "form-desktop")
    plain: Web = web_factory(viewport=PHONE, javascript=False)
    plain.sign_in(people.faculty.email, PASSWORD)
    plain.go(f"/assess/im-residency/learner/{people.learner.pk}/")
    page = plain.page
    page.get_by_text("Add another").click()
    page.locator(f"label[for=chip-{cap.epa3.pk}]").click()
    page.get_by_role("button", name="Update items").click()
    page.wait_for_load_state()
    page.locator(f"#row-{cap.epa3.pk}").locator("label", has_text="Not observed").click()
    page.locator(f"#row-{cap.epa1.pk}").locator("label", has_text="Unsupervised").click()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Thank you — saved").is_visible()
    a = Assessment.objects.get()
    assert {r.item.code: r.not_observed for r in a.ratings.all()} == {
        "EPA1": False,
        "EPA3": True,
    }


def test_a_nurse_answers_a_link_on_a_phone_without_an_account(web_factory: Any) -> None:
    from playwright.sync_api import expect

    from trellis.assessments.models import Form, RaterLink

    people = make_people()
    assert Form.objects.filter(slug="multisource", program=None).exists()
    # The coordinator makes the link on the page (desktop) ...
    staff: Web = web_factory(viewport=DESKTOP)
    staff.sign_in(people.coordinator.email, PASSWORD)
    staff.go(f"/programs/{people.program.slug}/assessments/links/")
    staff.page.get_by_label("Feedback about").select_option(
        label=f"Lena Park ({people.learner.email})"
    )
    staff.page.get_by_label("Form", exact=True).select_option(label="Multisource feedback")
    staff.page.get_by_label("Who gives the feedback").select_option("nurse")
    staff.page.get_by_label("Their name").fill("Nell Nurse")
    staff.page.get_by_role("button", name="Make the link").click()
    staff.page.wait_for_load_state()
    assert staff.page.get_by_role("heading", name="The link is ready").is_visible()
    assert staff.page.locator(".link-made__qr svg").is_visible()
    assert_accessible(staff, "the rater links page")
    shot(staff, "rater-links-1280")
    url = staff.page.locator("#made-url").input_value()
    assert RaterLink.objects.count() == 1

    # ... and the nurse opens it on a phone, signed in nowhere.
    web: Web = web_factory(viewport=PHONE)
    path = url[url.index("/l/") :]  # the link's path on the test server
    web.go(path)
    page = web.page
    assert page.get_by_role("heading", name="Lena Park").is_visible()
    assert page.get_by_text("No account needed", exact=False).is_visible()
    assert page.get_by_role("button", name="Save draft").count() == 0
    assert_accessible(web, "the rater link form")
    for fieldset in page.locator("fieldset.rate").all():
        fieldset.locator("label.rate__level", has_text="3").first.click()
    page.get_by_label("Your name").fill("Nell Nurse")
    # The nudge, while typing: first for something specific, then for a next step.
    nudge = page.locator("#comment-nudge")
    page.get_by_label("What went well?").fill("Great job!")
    expect(nudge).to_contain_text("Say what you saw")
    page.get_by_label("What went well?").fill(
        "Explained the plan to the family in plain words and answered their questions."
    )
    expect(nudge).to_contain_text("next time")
    assert_accessible(web, "the rater link form with the nudge")
    nudge.scroll_into_view_if_needed()
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / "nudge-390.png"))
    page.get_by_label("One thing to do next time").fill("Check understanding with teach-back.")
    expect(nudge).to_be_hidden()
    page.get_by_text("Raise a concern").click()
    page.get_by_label("I have a concern about patient safety").check()
    assert_accessible(web, "the rater link form with a concern")
    shot(web, "rater-link-390")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert_accessible(web, "the thanks page")
    assessment = Assessment.objects.get()
    assert assessment.assessor is None and assessment.assessor_role == "nurse"
    assert assessment.concerns == ["patient_safety"]
    assert not web.console_errors and not staff.console_errors
    # Opening the link again: the plain page (a 404), nothing about the learner.
    assert web.go(path).status == 404
    assert page.get_by_role("heading", name="This link is not valid").is_visible()
    assert "Lena" not in page.content()
