"""The committee meeting screen in a real browser: a committee member records one
learner's levels (a half level and "not yet assessable"), an entrustment decision and the
progression decision with one Save; axe-core finds no violation on the meeting screen or
the pre-review packet."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import Web
from trellis.committees.models import CommitteeLevel, Decision
from trellis.committees.services import level_propose
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


def test_a_committee_member_records_a_learners_levels(web: Web) -> None:
    c = make_committee(make_people())
    level_propose(
        review=c.review,
        item=c.pc1,
        level=L("2"),
        note="Steady on the wards.",
        acting_user=c.people.committee,
    )
    web.sign_in("committee@riverside.test", PASSWORD)
    base = f"/programs/im-residency/committee/{c.cycle.pk}/reviews/{c.review.pk}/"
    web.go(base)
    assert_accessible(web, "committee-prereview")
    web.go(base + "meeting/")
    page = web.page
    assert_accessible(web, "committee-meeting")
    page.get_by_label("Committee level for PC1").select_option("2.5")
    page.get_by_label("Committee level for PC2").select_option(label="Not yet assessable")
    page.get_by_label(f"{c.epa1.code} {c.epa1.name}", exact=True).select_option("3")
    page.get_by_label("Decision").select_option(label="Advance")
    page.get_by_label("Rationale").fill("On the expected trajectory.")
    page.get_by_role("button", name="Save Lena Park").click()
    page.wait_for_load_state()
    assert "Saved Lena Park" in page.get_by_role("status").first.inner_text()
    assert page.get_by_label("Committee level for PC1").input_value() == "2.5"
    levels = {row.item_id: row for row in CommitteeLevel.objects.filter(review=c.review)}
    assert levels[c.pc1.pk].level == L("2.5") and levels[c.pc2.pk].not_yet_assessable
    assert Decision.objects.get(review=c.review).outcome == "advance"
    assert_accessible(web, "committee-meeting-saved")
    assert web.console_errors == []


def test_the_meeting_screen_moves_to_the_next_learner(web: Web) -> None:
    c = make_committee(make_people())
    web.sign_in("director@riverside.test", PASSWORD)
    web.go(f"/programs/im-residency/committee/{c.cycle.pk}/reviews/{c.review2.pk}/meeting/")
    web.page.get_by_role("link", name="Lena Park").click()
    web.page.wait_for_load_state()
    assert "Lena Park" in web.page.get_by_role("heading", level=1).inner_text()
