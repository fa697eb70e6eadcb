"""The committee in a real browser: a learner pre-reviewed in one form and every proposal
accepted at the meeting with one Save, in under 15 clicks; the same with the keyboard
alone (a proposal withdrawn on the way); a decision recorded with one Save; axe-core finds
no violation on the pre-review or the meeting screen, at desktop and phone width."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PHONE, Web
from trellis.committees.models import (
    CommitteeLevel,
    Decision,
    EntrustmentDecision,
    ProposedLevel,
)
from trellis.committees.tests.factories import L, make_committee
from trellis.testing import PASSWORD, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TRELLIS_SCREENSHOTS")
# The test program's pre-review (22 subcompetencies and 13 EPAs, no evidence yet) at 390 px:
# 14,380 px as one card per item, about 7,000 as one compact row per item.
PRE_REVIEW_PHONE_HEIGHT = 8000


def assert_accessible(web: Web, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(web.page)
    if results.violations_count:
        pytest.fail(
            f"{results.violations_count} axe violation(s) on {what}:\n{results.generate_report()}"
        )
    if SHOTS:
        web.page.screenshot(path=str(Path(SHOTS) / f"{what}.png"), full_page=True)


def test_a_learner_is_pre_reviewed_and_decided_in_under_15_clicks(web_factory: Any) -> None:
    """Issue 15: pre-review in one form, then accept every proposal at the meeting with one
    Save. Each click, select and check counts as one."""
    c = make_committee(make_people())
    web: Web = web_factory()
    web.sign_in("committee@riverside.test", PASSWORD)
    page = web.page
    clicks = 0

    def click(target: Any) -> None:
        nonlocal clicks
        clicks += 1
        target.click()
        page.wait_for_load_state()

    def select(label: str, value: str) -> None:
        nonlocal clicks
        clicks += 1
        page.get_by_label(label, exact=True).select_option(value)

    base = f"/programs/im-residency/committee/{c.cycle.pk}/"
    web.go(base)
    click(page.get_by_role("link", name="Pre-review Lena Park"))
    select("Proposed level for PC1", "2.5")
    select("Proposed level for PC2", "nya")
    select(f"Proposed level for {c.epa1.code}", "3")
    page.get_by_label("Note for PC1").fill("Steady on the wards.")  # typed, no click
    click(page.get_by_role("button", name="Save proposals"))
    assert "Saved 3 proposals" in page.get_by_role("status").first.inner_text()
    assert page.get_by_label("Proposed level for PC1", exact=True).input_value() == "2.5"
    click(page.get_by_role("link", name="Meeting screen"))
    assert "3 values below are proposals" in page.locator("#pending-note").inner_text()
    assert page.get_by_label("Committee level for PC1", exact=False).input_value() == "2.5"
    click(page.get_by_role("button", name="Save Lena Park"))
    assert "Saved Lena Park" in page.get_by_role("status").first.inner_text()
    assert clicks < 15, clicks
    levels = {row.item_id: row for row in CommitteeLevel.objects.filter(review=c.review)}
    assert levels[c.pc1.pk].level == L("2.5") and levels[c.pc2.pk].not_yet_assessable
    assert EntrustmentDecision.objects.get(review=c.review).level == L("3")
    assert web.console_errors == []


def is_focused(target: Any) -> bool:
    return bool(target.evaluate("el => el === document.activeElement"))


def tab_to(web: Web, target: Any, limit: int = 200) -> int:
    """Press Tab until `target` has the focus; returns how many presses it took."""
    for presses in range(1, limit + 1):
        web.page.keyboard.press("Tab")
        if is_focused(target):
            return presses
    pytest.fail(f"Tab never reached {target} in {limit} presses")


def press_and_load(web: Web, key: str) -> None:
    """A key that submits a form or follows a link: wait for the page it loads."""
    with web.page.expect_navigation():
        web.page.keyboard.press(key)


def test_a_learner_is_pre_reviewed_and_decided_with_the_keyboard_alone(web_factory: Any) -> None:
    """Issue 15: no mouse. Tab to a field, arrows to choose a level, Enter to open the
    level descriptors and to save, Space to withdraw a proposal; then the meeting accepts
    the proposals left with Enter. axe-core at desktop and phone width on both pages, and
    the pre-review stays compact on a phone."""
    c = make_committee(make_people())
    web: Web = web_factory()
    web.sign_in("committee@riverside.test", PASSWORD)
    page, keys = web.page, web.page.keyboard
    prereview = f"/programs/im-residency/committee/{c.cycle.pk}/reviews/{c.review.pk}/"
    web.go(prereview)

    def level(code: str) -> Any:
        return page.get_by_label(f"Proposed level for {code}", exact=True)

    def note(code: str) -> Any:
        return page.get_by_role("textbox", name=f"Note for {code} (optional)", exact=True)

    # PC1's descriptors, opened from the keyboard, then its level and note.
    summary = page.get_by_text("Level descriptors for PC1")
    tab_to(web, summary)
    keys.press("Enter")
    assert page.get_by_text("Takes a full history but has trouble focusing it.").is_visible()
    tab_to(web, level("PC1"))
    for _ in range(4):  # -, 1, 1.5, 2, 2.5
        keys.press("ArrowDown")
    assert level("PC1").input_value() == "2.5"
    tab_to(web, note("PC1"))
    keys.type("Steady on the wards.")
    tab_to(web, level("PC2"))
    keys.press("End")  # the last choice: not yet assessable
    tab_to(web, level(c.epa1.code))
    for _ in range(3):
        keys.press("ArrowDown")
    assert level(c.epa1.code).input_value() == "3"
    # Enter in a text field saves the whole form (never a Withdraw button's form).
    tab_to(web, note(c.epa1.code))
    press_and_load(web, "Enter")
    assert "Saved 3 proposals" in page.get_by_role("status").first.inner_text()
    assert_accessible(web, "committee-prereview")
    # Take PC2's proposal back, with Space on its Withdraw button.
    tab_to(web, page.get_by_role("button", name="Withdraw the proposal for PC2"))
    press_and_load(web, "Space")
    assert "Withdrew the proposal for PC2" in page.get_by_role("status").first.inner_text()
    assert level("PC2").input_value() == ""
    # The meeting, from its link: the two proposals left are accepted with Enter.
    tab_to(web, page.get_by_role("link", name="Meeting screen"))
    press_and_load(web, "Enter")
    assert "2 values below are proposals" in page.locator("#pending-note").inner_text()
    assert_accessible(web, "committee-meeting")
    tab_to(web, page.get_by_label("Decision (optional)", exact=True))
    keys.press("ArrowDown")  # Advance
    tab_to(web, page.get_by_label("Rationale (optional)", exact=True))
    keys.type("On the expected trajectory.")
    tab_to(web, page.get_by_role("button", name="Save Lena Park"))
    press_and_load(web, "Enter")
    assert "Saved Lena Park" in page.get_by_role("status").first.inner_text()
    levels = {row.item_id: row for row in CommitteeLevel.objects.filter(review=c.review)}
    assert set(levels) == {c.pc1.pk} and levels[c.pc1.pk].level == L("2.5")
    assert EntrustmentDecision.objects.get(review=c.review).level == L("3")
    assert Decision.objects.get(review=c.review).outcome == "advance"
    assert ProposedLevel.objects.get(review=c.review, item=c.pc2).is_withdrawn
    assert web.console_errors == []
    # Both pages at phone width: accessible, and the pre-review of 35 items compact.
    phone: Web = web_factory(viewport=PHONE)
    phone.sign_in("committee@riverside.test", PASSWORD)
    phone.go(prereview)
    assert_accessible(phone, "committee-prereview-390")
    height = phone.page.evaluate("document.documentElement.scrollHeight")
    assert height < PRE_REVIEW_PHONE_HEIGHT, height
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.go(f"{prereview}meeting/")
    assert_accessible(phone, "committee-meeting-390")


def test_a_committee_member_records_a_decision_at_the_meeting(web: Web) -> None:
    c = make_committee(make_people())
    web.sign_in("committee@riverside.test", PASSWORD)
    web.go(f"/programs/im-residency/committee/{c.cycle.pk}/reviews/{c.review.pk}/meeting/")
    page = web.page
    page.get_by_label("Committee level for PC2").select_option(label="Not yet assessable")
    page.get_by_label("Decision").select_option(label="Advance")
    page.get_by_label("Rationale").fill("On the expected trajectory.")
    page.get_by_role("button", name="Save Lena Park").click()
    page.wait_for_load_state()
    assert "Saved Lena Park" in page.get_by_role("status").first.inner_text()
    assert CommitteeLevel.objects.get(review=c.review).not_yet_assessable
    assert Decision.objects.get(review=c.review).outcome == "advance"


def test_the_meeting_screen_moves_to_the_next_learner(web: Web) -> None:
    c = make_committee(make_people())
    web.sign_in("director@riverside.test", PASSWORD)
    web.go(f"/programs/im-residency/committee/{c.cycle.pk}/reviews/{c.review2.pk}/meeting/")
    web.page.get_by_role("link", name="Lena Park").click()
    web.page.wait_for_load_state()
    assert "Lena Park" in web.page.get_by_role("heading", level=1).inner_text()


@pytest.mark.parametrize("viewport", [{"width": 768, "height": 1024}, PHONE])
def test_at_tablet_and_phone_width_the_committee_level_is_on_screen(
    web_factory: Any, viewport: dict[str, int]
) -> None:
    """Issue 15 asked the meeting to work at tablet width: at 768 px the level table ran
    past the right edge, the Committee level column beyond a sideways scroll. Each
    subcompetency is a card there, its field inside the window, labelled by column."""
    c = make_committee(make_people())
    web: Web = web_factory(viewport=viewport)
    web.sign_in("committee@riverside.test", PASSWORD)
    web.go(f"/programs/im-residency/committee/{c.cycle.pk}/reviews/{c.review.pk}/meeting/")
    page = web.page
    for code in ("PC1", "PC2"):
        # Where it is drawn, the page unscrolled: a field past the right edge is off screen.
        box = page.get_by_label(f"Committee level for {code}", exact=False).bounding_box()
        assert box is not None and box["x"] >= 0, box
        assert box["x"] + box["width"] <= viewport["width"], (code, box)
    label = page.locator("td[data-label='Committee level']").first
    assert "Committee level" in label.evaluate("td => getComputedStyle(td, '::before').content")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_accessible(web, f"committee-meeting-{viewport['width']}")
    page.get_by_label("Committee level for PC2", exact=False).select_option(label="Level 2")
    page.get_by_role("button", name="Save Lena Park").click()
    page.wait_for_load_state()
    assert "Saved Lena Park" in page.get_by_role("status").first.inner_text()
    assert CommitteeLevel.objects.get(review=c.review, item=c.pc2).level == L("2")
