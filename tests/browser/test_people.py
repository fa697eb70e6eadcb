"""A program's People pages in a real browser, at desktop and phone widths: axe-core finds
no accessibility violation on the roster, a membership, the add form showing an error, the
roster import listing its problems, the preview of the year's turn, or the ACGME
identifiers refusing an ID."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.browser.conftest import PHONE, Web
from trellis.people.models import Role
from trellis.testing import PASSWORD, add_member, make_people, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = "/programs/im-residency/people/"


def assert_accessible(web: Web, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(web.page)
    if results.violations_count:
        pytest.fail(
            f"{results.violations_count} axe violation(s) on {what}:\n{results.generate_report()}"
        )


def assert_form_controls_styled(web: Web) -> None:
    """Issue 15: a date input is drawn like the other fields (not the browser's bare
    default), and a checkbox sits on one line beside its label."""
    page = web.page
    day = page.get_by_label("Start date")
    style = day.evaluate("el => [getComputedStyle(el).borderRadius, el.offsetHeight]")
    text = page.get_by_label("First name")
    assert style == text.evaluate("el => [getComputedStyle(el).borderRadius, el.offsetHeight]")
    assert style[1] >= 44, style
    box = page.get_by_label("E-mail them a link to set a password").bounding_box()
    label = page.locator("label", has_text="E-mail them a link to set a password").bounding_box()
    assert box is not None and label is not None
    # The box starts the label's line and its words run on beside it, not below.
    assert label["y"] <= box["y"] and box["y"] + box["height"] <= label["y"] + label["height"]
    assert box["x"] - label["x"] < 8 and label["width"] > box["width"] + 100, (box, label)


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
    assert_form_controls_styled(web)

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


# Each line of an element's text as laid out: a new line wherever a character starts
# lower than the one before it.
TEXT_LINES = """el => {
  const lines = [];
  let top = null;
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const y = range.getBoundingClientRect().top;
      if (top === null || y > top + 4) { lines.push(""); top = y; }
      lines[lines.length - 1] += node.data[i];
    }
  }
  return lines;
}"""


def test_a_long_e_mail_address_wraps_only_at_its_at_sign_and_dots(web_factory: Any) -> None:
    """Issue 15: on a phone the roster broke addresses mid-name. Now a line ends after the
    @ or a hyphen or before a dot, and the whole address is there."""
    people = make_people()
    address = "alexandra.konstantinopoulou-whitfield@riverside-university-health.test"
    add_member(make_user(address, "Alexandra", "Whitfield"), people.program, Role.LEARNER)
    web: Web = web_factory(PHONE)
    web.sign_in("coordinator@riverside.test", PASSWORD)
    web.go(PEOPLE)
    shown = web.page.get_by_text(address, exact=True)
    lines = shown.evaluate(TEXT_LINES)
    assert "".join(lines) == address and len(lines) > 1, lines
    for before, after in itertools.pairwise(lines):
        assert before.endswith(("@", "-")) or after.startswith("."), lines
    box = shown.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
