"""A program's People pages in a real browser, at desktop and phone widths: axe-core finds
no accessibility violation on the roster, a membership, the add form showing an error, the
roster import listing its problems, the preview of the year's turn, or the ACGME
identifiers refusing an ID."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE, Web
from trellis.testing import PASSWORD, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = "/programs/im-residency/people/"


def assert_accessible(web: Web, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(web.page)
    if results.violations_count:
        pytest.fail(
            f"{results.violations_count} axe violation(s) on {what}:\n{results.generate_report()}"
        )


def visit_people_pages(web: Web) -> None:
    """Each People page in the state worth seeing, checked with axe."""
    page = web.page
    web.sign_in("coordinator@riverside.test", PASSWORD)
    web.go(PEOPLE)
    assert page.get_by_role("heading", name="People", exact=True).is_visible()
    assert_accessible(web, "the People page")
    page.get_by_role("link", name="Lena Park").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Lena Park").is_visible()
    assert_accessible(web, "a membership")

    web.go(PEOPLE + "add/")
    page.get_by_label("E-mail address").fill("nadia.roy@riverside.test")
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Role").select_option("learner")
    page.get_by_label("Training year").fill("9")
    page.get_by_role("button", name="Add the person").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_text("Training year: must be between 1 and 3").is_visible()
    assert page.get_by_label("First name").input_value() == "Nadia"
    assert_accessible(web, "the add form with an error")

    web.go(PEOPLE + "import/")
    bad = (
        "email,first_name,last_name,role,training_year,start_date\n"
        "not-an-email,A,B,learner,1,2026-07-01\n"
        "c@riverside.test,C,D,surgeon,7,2026-13-01\n"
    )
    page.get_by_label("Roster file (.csv or .xlsx)").set_input_files(
        {"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    assert "3 problems in the file" in page.get_by_role("alert").inner_text()
    assert_accessible(web, "the roster import with problems")

    web.go(PEOPLE + "promote/")
    page.get_by_label("Last day of the academic year").fill("2026-06-30")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Preview: the year ending 30 Jun 2026").is_visible()
    assert_accessible(web, "the preview of the year's turn")

    web.go(PEOPLE + "acgme/")
    page.get_by_label("ADS program number").fill("1409921001")
    page.get_by_label("Lena Park").fill("26 11")
    page.get_by_role("button", name="Save the identifiers").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Lena Park").input_value() == "26 11"
    assert_accessible(web, "the ACGME identifiers with a refused ID")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_people_pages_pass_axe(web_factory: Any, phone: bool) -> None:
    make_people()
    web: Web = web_factory(PHONE) if phone else web_factory()
    visit_people_pages(web)
    # The refused import and the form error are answered 400, which the console reports.
    assert [e for e in web.console_errors if "status of 400" not in e] == []
