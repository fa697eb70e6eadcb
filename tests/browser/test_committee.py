"""The committee in a real browser: a learner pre-reviewed in one form and every proposal
accepted at the meeting with one Save, in under 15 clicks; a decision recorded with one
Save; axe-core finds no violation on the pre-review or the meeting screen, at desktop and
phone width."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PHONE, Web
from trellis.committees.models import CommitteeLevel, Decision, EntrustmentDecision
from trellis.committees.tests.factories import L, make_committee
from trellis.testing import PASSWORD, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TRELLIS_SCREENSHOTS")


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
    assert_accessible(web, "committee-prereview")
    select("Proposed level for PC1", "2.5")
    select("Proposed level for PC2", "nya")
    select(f"Proposed level for {c.epa1.code}", "3")
    page.get_by_label("Note for PC1").fill("Steady on the wards.")  # typed, no click
    click(page.get_by_role("button", name="Save proposals"))
    assert "Saved 3 proposals" in page.get_by_role("status").first.inner_text()
    assert page.get_by_label("Proposed level for PC1", exact=True).input_value() == "2.5"
    click(page.get_by_role("link", name="Meeting screen"))
    assert_accessible(web, "committee-meeting")
    assert "3 values below are proposals" in page.locator("#pending-note").inner_text()
    assert page.get_by_label("Committee level for PC1", exact=False).input_value() == "2.5"
    click(page.get_by_role("button", name="Save Lena Park"))
    assert "Saved Lena Park" in page.get_by_role("status").first.inner_text()
    assert clicks < 15, clicks
    levels = {row.item_id: row for row in CommitteeLevel.objects.filter(review=c.review)}
    assert levels[c.pc1.pk].level == L("2.5") and levels[c.pc2.pk].not_yet_assessable
    assert EntrustmentDecision.objects.get(review=c.review).level == L("3")
    assert web.console_errors == []
    # Both pages at phone width too.
    phone: Web = web_factory(viewport=PHONE)
    phone.sign_in("committee@riverside.test", PASSWORD)
    phone.go(f"{base}reviews/{c.review.pk}/")
    assert_accessible(phone, "committee-prereview-390")
    phone.go(f"{base}reviews/{c.review.pk}/meeting/")
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
