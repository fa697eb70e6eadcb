"""The curriculum map grid in a real browser: filled with the keyboard alone (arrow keys
between cells, Enter to save), refused whole when a cell is wrong, working without
JavaScript, and free of axe-core violations on the map, grid, gap and verification pages
(TRELLIS_SCREENSHOTS=1 keeps a screenshot of each under screenshots/)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.browser.conftest import PHONE, Web
from trellis.curriculum.grid import cell_name
from trellis.curriculum.models import Mapping
from trellis.curriculum.tests.factories import CraftedMap, build_crafted, item
from trellis.testing import PASSWORD, People, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def setting() -> tuple[People, CraftedMap]:
    people = make_people()
    return people, build_crafted(people)


def grid_path(people: People, crafted: CraftedMap) -> str:
    return f"/programs/{people.program.slug}/curriculum/grid/?framework={crafted.framework.slug}"


def letters(crafted: CraftedMap, activity: Any, code: str) -> set[str]:
    rows = Mapping.objects.filter(
        activity=activity, item=item(crafted.framework, code), objective__isnull=True
    )
    return set(rows.values_list("emphasis", flat=True))


def focused_id(web: Web) -> str:
    return str(web.page.evaluate("document.activeElement.id"))


def assert_accessible(web: Web, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(web.page)
    if results.violations_count:
        pytest.fail(
            f"{results.violations_count} axe violation(s) on {what}:\n{results.generate_report()}"
        )


def test_a_coordinator_fills_the_grid_with_the_keyboard_and_saves(web: Web) -> None:
    people, crafted = setting()
    pc1, pc2 = item(crafted.framework, "PC1"), item(crafted.framework, "PC2")
    web.sign_in(people.coordinator.email, PASSWORD)
    web.go(grid_path(people, crafted))
    page = web.page
    first = page.get_by_label("Activity WARDS Activity WARDS, item PC1 Subcompetency PC1")
    assert first.input_value() == "IRA"
    first.focus()
    page.keyboard.press("ArrowDown")
    assert focused_id(web) == cell_name(crafted.icu.pk, pc1.pk)
    page.keyboard.type("ia")  # the focused cell's letters are selected: typing replaces them
    page.keyboard.press("ArrowRight")
    assert focused_id(web) == cell_name(crafted.icu.pk, pc2.pk)
    page.keyboard.type("r")
    cell = page.locator(f"#{cell_name(crafted.icu.pk, pc2.pk)}").locator("xpath=..")
    assert "heat--r" in (cell.get_attribute("class") or "")
    page.keyboard.press("ArrowUp")
    assert focused_id(web) == cell_name(crafted.wards.pk, pc2.pk)
    page.keyboard.press("Backspace")  # WARDS x PC2 was I: now empty
    page.keyboard.press("ArrowLeft")
    assert focused_id(web) == cell_name(crafted.wards.pk, pc1.pk)
    page.keyboard.press("Tab")
    assert focused_id(web) == cell_name(crafted.wards.pk, pc2.pk)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # an ordinary form: Enter submits the whole grid
    assert page.get_by_role("status").inner_text().startswith("Saved: 3 cells changed")
    assert letters(crafted, crafted.icu, "PC1") == {"I", "A"}
    assert letters(crafted, crafted.icu, "PC2") == {"R"}
    assert letters(crafted, crafted.wards, "PC2") == set()
    assert page.locator(f"#{cell_name(crafted.icu.pk, pc1.pk)}").input_value() == "IA"
    assert web.console_errors == []


def test_a_wrong_cell_is_shown_again_and_nothing_is_saved(web: Web) -> None:
    people, crafted = setting()
    pc2, prof1 = item(crafted.framework, "PC2"), item(crafted.framework, "PROF1")
    web.sign_in(people.director.email, PASSWORD)
    web.go(grid_path(people, crafted))
    page = web.page
    page.locator(f"#{cell_name(crafted.clinic.pk, prof1.pk)}").fill("A")
    bad = page.locator(f"#{cell_name(crafted.icu.pk, pc2.pk)}")
    bad.fill("IQ")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the grid").click()
    alert = page.get_by_role("alert")
    assert "1 cell needs fixing; nothing was saved" in alert.inner_text()
    assert bad.input_value() == "IQ" and bad.get_attribute("aria-invalid") == "true"
    assert page.locator(f"#{cell_name(crafted.clinic.pk, prof1.pk)}").input_value() == "A"
    assert letters(crafted, crafted.clinic, "PROF1") == set()
    alert.get_by_role("link").click()
    assert focused_id(web) == cell_name(crafted.icu.pk, pc2.pk)
    assert_accessible(web, "the grid with an error")


def test_the_grid_works_without_javascript(web_factory: Any) -> None:
    people, crafted = setting()
    web = web_factory(javascript=False)
    web.sign_in(people.coordinator.email, PASSWORD)
    web.go(grid_path(people, crafted))
    pc2 = item(crafted.framework, "PC2")
    web.page.locator(f"#{cell_name(crafted.icu.pk, pc2.pk)}").fill("ra")
    web.page.get_by_role("button", name="Save the grid").click()
    web.page.wait_for_load_state()
    assert letters(crafted, crafted.icu, "PC2") == {"R", "A"}


def test_the_map_pages_have_no_axe_violations(web_factory: Any) -> None:
    people, crafted = setting()
    base = f"/programs/{people.program.slug}/curriculum/"
    for viewport, who in ((None, people.coordinator), (PHONE, people.learner)):
        web = web_factory(viewport=viewport) if viewport else web_factory()
        web.sign_in(who.email, PASSWORD)
        for path, what in (
            (base, "the curriculum map"),
            (grid_path(people, crafted), "the map grid"),
            (base + "gaps/", "the gaps page"),
            (base + "verification/", "the verification tables"),
            (base + f"activities/{crafted.wards.pk}/", "an activity"),
        ):
            web.go(path)
            assert_accessible(web, f"{what} ({who.email})")
            if os.environ.get("TRELLIS_SCREENSHOTS"):
                width = web.page.viewport_size["width"] if web.page.viewport_size else 0
                name = path.rstrip("/").rsplit("/", 1)[-1] or "map"
                web.page.screenshot(path=f"screenshots/cur-{name}-{width}.png", full_page=True)
        assert web.console_errors == []
