"""Logs and requests in a real browser, on a phone: a learner logs a procedure (the
supervisor list comes from their rotation), their supervisor verifies it from the queue;
axe-core finds no violation on the learner's log, the queue, the due list or the
completion page."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE, Web
from trellis.assessments.models import Request, RequestOrigin, RequestStatus
from trellis.assessments.tests.program_setup import make_setup
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


def test_a_learner_logs_on_a_phone_and_the_supervisor_verifies(web_factory: Any) -> None:
    s = make_setup(make_people())
    learner: Web = web_factory(viewport=PHONE)
    learner.sign_in("learner@riverside.test", PASSWORD)
    learner.go("/programs/im-residency/assessments/logs/mine/")
    page = learner.page
    page.get_by_label("What").select_option(label="Paracentesis")
    page.get_by_label("Supervisor to verify it").select_option(
        label="Farah Mendes (faculty@riverside.test)"
    )
    page.get_by_role("button", name="Log it").click()
    page.wait_for_load_state()
    assert "Logged: Paracentesis" in page.get_by_role("status").inner_text()
    assert "0 of 3 verified" in page.inner_text("main")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    assert_accessible(learner, "logs-mine-phone")
    assert learner.console_errors == []

    Request.objects.create(
        program=s.people.program,
        form=s.eor,
        subject=s.people.learner2,
        assessor=s.people.faculty,
        assignment=s.ended,
        origin=RequestOrigin.SCHEDULE,
        due_date=timezone.localdate() + dt.timedelta(days=2),
    )
    faculty: Web = web_factory(viewport=PHONE)
    faculty.sign_in("faculty@riverside.test", PASSWORD)
    faculty.go("/programs/im-residency/assessments/requests/mine/")
    assert_accessible(faculty, "requests-mine-phone")
    faculty.go("/programs/im-residency/assessments/logs/verify/")
    assert_accessible(faculty, "logs-verify-phone")
    faculty.page.get_by_role("button", name="Verify").click()
    faculty.page.wait_for_load_state()
    assert "Verified Lena Park" in faculty.page.get_by_role("status").inner_text()
    assert faculty.console_errors == []


def test_the_completion_page_is_accessible(web: Web) -> None:
    s = make_setup(make_people())
    today = timezone.localdate()
    for n, status in enumerate(
        [RequestStatus.COMPLETED, RequestStatus.OPEN, RequestStatus.EXPIRED]
    ):
        Request.objects.create(
            program=s.people.program,
            form=s.eor,
            subject=s.people.learner2,
            assessor=s.people.faculty if n else s.people.committee,
            assignment=s.ended,
            origin=RequestOrigin.COORDINATOR,
            status=status,
            due_date=today - dt.timedelta(days=n + 1),
        )
    web.sign_in("coordinator@riverside.test", PASSWORD)
    web.go("/programs/im-residency/assessments/compliance/")
    assert "33%" in web.page.inner_text("main")
    assert_accessible(web, "compliance-desktop")
    web.go("/programs/im-residency/assessments/requests/")
    assert_accessible(web, "requests-desktop")
    assert web.console_errors == []
