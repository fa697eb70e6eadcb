"""The accreditation evidence page in a real browser: axe finds nothing at desktop and
phone width, and on a phone the competency table becomes cards that fit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_people import assert_accessible
from trellis.reports.tests.test_evidence_package import build
from trellis.testing import PASSWORD, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_evidence_page_passes_axe_at_both_widths(web_factory: Any) -> None:
    people = make_people()
    build(people)
    for viewport in (None, PHONE):
        web = web_factory(viewport) if viewport else web_factory()
        web.sign_in(people.director.email, PASSWORD)
        web.go("/programs/im-residency/records/evidence/")
        assert web.page.get_by_role("heading", name="Competencies").is_visible()
        assert web.page.get_by_label("From").input_value()  # the period it shows
        assert_accessible(web, f"the evidence page at {viewport or 'desktop'} width")
        if viewport:  # the competency table is cards there, not a page scrolled sideways
            assert web.page.locator("table.evidence-items.stacked").count() == 1
            width = web.page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], width
        assert web.console_errors == []
