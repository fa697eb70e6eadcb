"""The learner record and the program view in a real browser: axe-core finds no
violation, the charts load, and nothing breaks the Content-Security-Policy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import Web
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
    assert web.page.get_by_role("link", name="Lena Park").is_visible()
    assert_accessible(web, "records-program")
    assert not web.console_errors
