"""The learner record and the program view in a real browser: axe-core finds no
violation, the charts load, and nothing breaks the Content-Security-Policy."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE, Web
from trellis.records.tests.factories import make_record
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


def test_the_record_and_the_program_view_are_accessible(web: Web) -> None:
    people = make_people()
    make_record(people)
    web.sign_in(people.director.email, PASSWORD)

    web.go(f"/programs/{people.program.slug}/records/learners/{people.learner.pk}/")
    web.page.wait_for_load_state("networkidle")
    for img in web.page.locator(".record-charts img").all():
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")
    assert_accessible(web, "records-learner")

    web.go(f"/programs/{people.program.slug}/records/")
    page = web.page
    assert page.get_by_role("link", name="Lena Park").is_visible()
    assert_accessible(web, "records-program")
    # The grid fits a desktop and sorts by any column, keyboard included
    grid = page.locator("table.glance")
    assert grid.evaluate("t => t.getBoundingClientRect().width") <= DESKTOP["width"]
    names = "t => [...t.tBodies[0].rows].map(r => r.cells[0].textContent.trim())"
    before = grid.evaluate(names)
    observed = page.get_by_role("button", name="Obs.")
    observed.focus()
    page.keyboard.press("Enter")
    assert page.locator("th[aria-sort=ascending]").count() == 1
    counts = grid.evaluate("t => [...t.tBodies[0].rows].map(r => +r.cells[4].dataset.value)")
    assert counts == sorted(counts)
    observed.click()
    assert page.locator("th[aria-sort=descending]").count() == 1
    after = grid.evaluate(names)
    assert sorted(after) == sorted(before) and len(after) == len(before)
    assert_accessible(web, "records-program-sorted")
    assert not web.console_errors


def test_the_program_view_is_a_list_of_learners_on_a_phone(web_factory: Any) -> None:
    people = make_people()
    make_record(people)
    web = web_factory(viewport=PHONE)
    web.sign_in(people.director.email, PASSWORD)
    web.go(f"/programs/{people.program.slug}/records/")
    assert not web.page.locator("table.glance").is_visible()
    cards = web.page.locator(".glance-card")
    assert cards.count() == 2 and cards.first.is_visible()
    assert web.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(web, "records-program-phone")


def test_the_analytics_pages_are_accessible_at_desktop_and_phone_width(
    web_factory: Any, tmp_path: Path
) -> None:
    from django.test import override_settings

    from trellis.records.tests.test_analytics_pages import make_world

    people = make_people()
    world = make_world(people, tmp_path / "consortium.parquet")
    slug = people.program.slug
    with override_settings(TRELLIS_ANALYTICS_HISTORY=str(world.history)):  # type: ignore[attr-defined]
        for viewport, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
            web = web_factory(viewport)
            web.sign_in(people.director.email, PASSWORD)
            web.go(f"/programs/{slug}/records/analytics/")
            web.page.wait_for_load_state("networkidle")
            assert web.page.get_by_role("heading", level=1).is_visible()
            for img in web.page.locator(".chart img").all():
                assert img.evaluate("i => i.complete && i.naturalWidth > 0")
                assert len(img.get_attribute("alt") or "") > 40  # the key figures, in words
            assert_accessible(web, f"analytics-program-{suffix}")
            web.go(f"/programs/{slug}/records/learners/{people.learner.pk}/")
            assert web.page.get_by_text("did not reach Level 4").first.is_visible()
            assert_accessible(web, f"analytics-record-{suffix}")
            assert not web.console_errors

            rater = web_factory(viewport)
            rater.sign_in(people.faculty.email, PASSWORD)
            rater.go(f"/programs/{slug}/records/analytics/my-ratings/")
            assert rater.page.get_by_role("heading", level=1).is_visible()
            assert_accessible(rater, f"analytics-my-ratings-{suffix}")


def test_the_record_on_a_phone_has_phone_charts_and_tables_as_cards(web_factory: Any) -> None:
    people = make_people()
    make_record(people)
    web = web_factory(viewport=PHONE)
    web.sign_in(people.director.email, PASSWORD)
    web.go(f"/programs/{people.program.slug}/records/learners/{people.learner.pk}/")
    page = web.page
    page.wait_for_load_state("networkidle")
    charts = page.locator(".record-charts img")
    assert charts.count() == 2
    for img in charts.all():
        assert "for=phone" in img.evaluate("i => i.currentSrc")
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")
    # Each row a card: every cell visible, labelled with its column heading
    row = page.locator("table.stacked tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    cell = row.locator("td").first
    assert cell.get_attribute("data-label") == "Observations"
    assert cell.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(web, "records-learner-phone")
    assert not web.console_errors
