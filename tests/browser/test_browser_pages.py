"""The pages in a real browser: every role signs in through the form and reaches home, a
framework is browsed down to an item's levels, a CASE file is imported through the page,
and axe-core finds no accessibility violation on any main page."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE, Web
from trellis.assessments.models import Form, Request, RequestOrigin
from trellis.frameworks.models import Adoption, ExpectedLevel, Framework
from trellis.frameworks.services import expected_level_set
from trellis.frameworks.tests.web_factories import SmallFramework, make_framework
from trellis.testing import PASSWORD, People, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WELCOME = {
    "director": ("Dana", "Program director"),
    "coordinator": ("Corey", "Coordinator"),
    "faculty": ("Farah", "Faculty"),
    "committee": ("Chidi", "Committee member"),
    "learner": ("Lena", "Learner"),
    "learner2": ("Luis", "Learner"),
    "educator": ("Elif", "Clinician educator"),
    "fd_lead": ("Faye", "Faculty-development lead"),
    "admin": ("Ada", "Institution admin"),
    "outsider": ("Otto", "Program director"),
}


def setting() -> tuple[People, SmallFramework]:
    people = make_people()
    small = make_framework()
    adoption = Adoption.objects.create(program=people.program, framework=small.framework)
    for year, level in ((1, "1.5"), (2, "2.5")):  # two changes in one minute on the audit trail
        expected_level_set(
            adoption=adoption, training_year=year, level=Decimal(level), acting_user=people.director
        )
    cem = make_framework(slug="test-cem", title="Test Educator Milestones", developmental=True)
    Adoption.objects.create(program=people.fd_program, framework=cem.framework)
    # Something overdue, so the director's home shows what needs attention and the
    # faculty member's what is asked of them
    Request.objects.create(
        program=people.program,
        form=Form.objects.get(slug="end-of-rotation", program__isnull=True),
        subject=people.learner,
        assessor=people.faculty,
        origin=RequestOrigin.COORDINATOR,
        due_date=timezone.localdate() - dt.timedelta(days=4),
    )
    return people, small


def assert_accessible(web: Web, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(web.page)
    if results.violations_count:
        report = results.generate_report()
        print(f"axe violations on {what}:\n{report}")
        pytest.fail(f"{results.violations_count} axe violation(s) on {what}:\n{report}")


def test_every_role_signs_in_through_the_form_and_reaches_home(web_factory: Any) -> None:
    people, _ = setting()
    for name, (first, role_label) in WELCOME.items():
        web = web_factory()
        web.sign_in(getattr(people, name).email, PASSWORD)
        page = web.page
        assert page.url == web.base_url + "/", name
        assert page.get_by_role("heading", level=1).inner_text() == f"Welcome, {first}"
        assert page.locator(".card__role", has_text=role_label).count() >= 1, name
        assert web.console_errors == [], (name, web.console_errors)


def test_a_wrong_password_is_refused_with_the_email_kept(web: Web) -> None:
    people, _ = setting()
    web.sign_in(people.learner.email, "not-the-password")
    assert "/accounts/login/" in web.page.url
    assert web.page.get_by_role("alert").is_visible()
    assert web.page.get_by_label("E-mail address").input_value() == people.learner.email
    assert_accessible(web, "the login page with an error")


def test_sign_out_is_a_button_that_posts(web: Web) -> None:
    people, _ = setting()
    web.sign_in(people.faculty.email, PASSWORD)
    web.page.get_by_role("button", name="Sign out").click()
    web.page.wait_for_load_state()
    assert "/accounts/login/" in web.page.url
    web.go("/")
    assert "/accounts/login/" in web.page.url


def test_a_learner_browses_a_framework_down_to_an_items_levels(web: Web) -> None:
    people, small = setting()
    web.sign_in(people.learner.email, PASSWORD)
    page = web.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Frameworks").click()
    page.get_by_role("link", name="Test Internal Medicine Milestones").first.click()
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Test Internal Medicine Milestones")
    )
    page.get_by_role("link", name="History", exact=True).click()
    table = page.locator("table.levels")
    headers = table.locator("thead th").all_inner_texts()
    assert [h.split("\n")[0] for h in headers] == [f"Level {n}" for n in range(1, 6)]
    assert "PC1: Gathers a focused history" in table.locator("tbody td").nth(1).inner_text()
    # side by side: five columns in one row, left to right
    boxes = [table.locator("tbody td").nth(i).bounding_box() for i in range(5)]
    assert all(b is not None for b in boxes)
    xs = [b["x"] for b in boxes if b]
    assert xs == sorted(xs) and len({round(b["y"]) for b in boxes if b}) == 1
    assert web.console_errors == []


def test_on_a_phone_the_levels_scroll_sideways_and_the_page_does_not(web_factory: Any) -> None:
    people, small = setting()
    web = web_factory(viewport=PHONE)
    web.sign_in(people.learner.email, PASSWORD)
    web.go(f"/frameworks/{small.framework.slug}/items/{small.pc1.identifier}/")
    region = web.page.locator(".table-scroll").first
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert web.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for path in ("/", f"/programs/{people.program.slug}/", "/frameworks/"):
        web.go(path)
        width = web.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)


def test_a_coordinator_imports_a_case_file_through_the_page(
    web: Web, real_data: Path, tmp_path: Path
) -> None:
    people, _ = setting()
    web.sign_in(people.coordinator.email, PASSWORD)
    page = web.page
    web.go("/frameworks/import/")
    source = real_data / "case" / "opensalt" / "Utf8TestFramework.json"
    page.get_by_label("Framework file").set_input_files(str(source))
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().startswith("Imported UTF8")
    assert page.get_by_role("heading", level=1).inner_text().startswith("UTF8 𝑑 Test")
    assert Framework.objects.get(title="UTF8 𝑑 Test").institution == people.institution

    broken = tmp_path / "broken.json"
    package = json.loads(source.read_text())
    package["CFItems"][0]["identifier"] = ""
    package["CFDocument"]["identifier"] = "another-document"
    broken.write_text(json.dumps(package))
    web.go("/frameworks/import/")
    page.get_by_label("Framework file").set_input_files(str(broken))
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "nothing was imported" in alert.inner_text()
    assert "CFItems[0].identifier" in alert.inner_text()
    assert_accessible(web, "the import page listing problems")


def test_expected_levels_are_set_without_javascript(web_factory: Any) -> None:
    people, small = setting()
    web = web_factory(javascript=False)
    web.sign_in(people.director.email, PASSWORD)
    web.go(f"/programs/{people.program.slug}/frameworks/{small.framework.slug}/")
    page = web.page
    page.get_by_label("PGY 2 expected level").fill("2.7")
    page.get_by_role("button", name="Save the levels").click()
    page.wait_for_load_state()
    assert "Use whole or half levels" in page.content()
    assert page.get_by_label("PGY 2 expected level").input_value() == "2.7"
    page.get_by_label("PGY 2 expected level").fill("2.5")
    page.get_by_role("button", name="Save the levels").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/programs/{people.program.slug}/frameworks/")
    assert ExpectedLevel.objects.get(
        training_year=2, adoption__program=people.program
    ).level == Decimal("2.5")


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(web: Web) -> None:
    people, _ = setting()
    web.sign_in(people.director.email, PASSWORD)
    page = web.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def main_pages(people: People, small: SmallFramework) -> list[tuple[str, str]]:
    program = people.program.slug
    fw = small.framework.slug
    return [
        ("director", "/"),
        ("faculty", "/"),
        ("learner", "/"),
        ("admin", "/"),
        ("committee", "/"),
        ("educator", "/"),
        ("director", f"/programs/{program}/"),
        ("learner", f"/programs/{program}/"),
        ("director", f"/programs/{program}/frameworks/"),
        ("director", f"/programs/{program}/frameworks/{fw}/"),
        ("director", f"/programs/{program}/audit/"),
        ("learner", "/frameworks/"),
        ("learner", f"/frameworks/{fw}/"),
        ("learner", f"/frameworks/{fw}/items/{small.pc1.identifier}/"),
        ("learner", f"/frameworks/{fw}/items/{small.epa.identifier}/"),
        ("educator", "/frameworks/test-cem/"),
        ("coordinator", "/frameworks/import/"),
        ("coordinator", f"/programs/{program}/assessments/requests/"),
        ("learner", "/accounts/password_change/"),
    ]


def test_axe_finds_no_violations_on_the_main_pages(web_factory: Any) -> None:
    people, small = setting()
    anonymous = web_factory()
    for path in ("/accounts/login/", "/accounts/password_reset/", "/accounts/password_reset/done/"):
        anonymous.go(path)
        assert_accessible(anonymous, path)
    webs: dict[str, Web] = {}
    for persona, path in main_pages(people, small):
        if persona not in webs:
            webs[persona] = web_factory()
            webs[persona].sign_in(getattr(people, persona).email, PASSWORD)
        web = webs[persona]
        response = web.go(path)
        assert response.status == 200, (persona, path)
        assert_accessible(web, f"{path} as {persona}")
        assert web.console_errors == [], (path, web.console_errors)


def test_axe_finds_no_violations_at_phone_width(web_factory: Any) -> None:
    people, small = setting()
    web = web_factory(viewport=PHONE)
    web.sign_in(people.director.email, PASSWORD)
    for path in ("/", f"/frameworks/{small.framework.slug}/items/{small.pc1.identifier}/"):
        web.go(path)
        assert_accessible(web, f"{path} at phone width")


def test_on_a_phone_each_request_is_a_card_with_every_column(web_factory: Any) -> None:
    """The requests list on a phone showed the due date and half the form, the learner,
    the assessor and Cancel beyond a sideways scroll (found auditing issue 15's figures):
    each request is a card, every cell on screen and labelled by its column."""
    people, _ = setting()
    web = web_factory(viewport=PHONE)
    web.sign_in(people.coordinator.email, PASSWORD)
    web.go(f"/programs/{people.program.slug}/assessments/requests/")
    row = web.page.locator("table.stacked tbody tr").first
    for label in ("About", "Assessor", "Reminders"):
        cell = row.locator(f"td[data-label='{label}']")
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"], (label, box)
    assert row.locator("td[data-label='About']").inner_text() == people.learner.display_name
    assert web.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(web, "requests at phone width")


def test_touch_targets_are_at_least_24_pixels(web_factory: Any) -> None:
    people, small = setting()
    web = web_factory(viewport=PHONE)
    web.sign_in(people.director.email, PASSWORD)
    for path in ("/", f"/programs/{people.program.slug}/frameworks/"):
        web.go(path)
        small_targets = web.page.evaluate(
            """() => [...document.querySelectorAll('a, button, input, select, summary')]
                .filter(el => el.offsetParent !== null && !el.closest('p, li:not(.stat), td'))
                .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
                .filter(([_, h]) => h < 24)"""
        )
        assert small_targets == [], (path, small_targets)


def test_on_a_phone_the_header_is_one_row_with_an_account_menu(web_factory: Any) -> None:
    """The finding: the account links took a second header row on phones."""
    people, _ = setting()
    web = web_factory(viewport=PHONE)
    web.sign_in(people.director.email, PASSWORD)
    web.go("/")
    header = web.page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 70, header
    # The word "Trellis" ran into "Home": the row was wider than the screen, so the
    # brand's box shrank under its word. Now a clear gap, and nothing wider than the screen.
    brand = web.page.locator(".brand span").bounding_box()
    home = web.page.get_by_role("link", name="Home", exact=True)
    home_text = home.evaluate(
        "a => a.getBoundingClientRect().left + parseFloat(getComputedStyle(a).paddingLeft)"
    )
    assert brand is not None and home_text - (brand["x"] + brand["width"]) >= 8, (brand, home_text)
    assert web.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # A tablet too: the account links (the name among them) took a second row at 768 px.
    people.director.first_name, people.director.last_name = "Maria Fernanda", "Castellanos"
    people.director.save(update_fields=["first_name", "last_name"])
    tablet = web_factory(viewport={"width": 768, "height": 1024})
    tablet.sign_in(people.director.email, PASSWORD)
    row = tablet.page.locator(".site-header").bounding_box()
    assert row is not None and row["height"] < 70, row
    web.page.get_by_text("Account", exact=True).click()
    assert web.page.get_by_role("link", name="API tokens").is_visible()
    assert_accessible(web, "the open account menu at phone width")
    web.page.get_by_role("button", name="Sign out").click()
    web.page.wait_for_load_state()
    assert web.page.get_by_role("heading", name="Welcome to Trellis").is_visible()
