"""The schedule in a real browser: a coordinator imports a file with errors (every row is
listed, nothing is written), then a good one; axe-core finds no accessibility violation on
a learner's year at a glance, the program grid or "My learners now", at desktop and phone
widths."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE, Web
from trellis.scheduling.models import Assignment
from trellis.scheduling.tests.factories import Sched, make_schedule
from trellis.testing import PASSWORD, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_accessible(web: Web, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(web.page)
    if results.violations_count:
        pytest.fail(
            f"{results.violations_count} axe violation(s) on {what}:\n{results.generate_report()}"
        )


def other_block(sched: Sched) -> tuple[str, str]:
    now = sched.block_now()
    b = sched.blocks[0] if sched.blocks[0] != now else sched.blocks[1]
    return str(b.start_date), str(b.end_date)


def upload(web: Web, name: str, text: str) -> None:
    web.page.get_by_label("Schedule file (.csv or .xlsx)").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
    )
    web.page.get_by_role("button", name="Import").click()
    web.page.wait_for_load_state()


def test_a_coordinator_imports_a_schedule_through_the_page(web: Web) -> None:
    sched = make_schedule(make_people())
    start, end = other_block(sched)
    web.sign_in("coordinator@riverside.test", PASSWORD)
    web.go("/programs/im-residency/schedule/import/")
    assert web.page.get_by_role("heading", name="Import a schedule").is_visible()

    header = "learner_email,rotation,site,start_date,end_date,supervisors\n"
    bad = (
        header
        + f"learner2@riverside.test,CARD,UH,{start},{end},faculty@riverside.test\n"
        + f"nobody@riverside.test,CARD,UH,{start},{end},\n"
        + f"learner2@riverside.test,ICU,UH,{end},{start},\n"
    )
    upload(web, "bad.csv", bad)
    alert = web.page.get_by_role("alert")
    assert "2 problems in the file: nothing was imported" in alert.inner_text()
    rows = alert.locator("tbody tr")
    assert rows.count() == 2
    assert "row 3" in rows.nth(0).inner_text() and "no person" in rows.nth(0).inner_text()
    assert "row 4" in rows.nth(1).inner_text() and "before it starts" in rows.nth(1).inner_text()
    assert Assignment.objects.count() == 1
    assert_accessible(web, "the import page with problems")

    good = header + f"learner2@riverside.test,CARD,UH,{start},{end},faculty@riverside.test\n"
    upload(web, "good.csv", good)
    status = web.page.get_by_role("status").filter(has_text="Imported into")
    assert "1 new assignment, 0 updated, 0 unchanged" in status.inner_text()
    assert Assignment.objects.count() == 2

    upload(web, "good.csv", good)  # the same file again adds nothing
    assert (
        "0 new assignments, 0 updated, 1 unchanged"
        in web.page.get_by_role("status").filter(has_text="Imported into").inner_text()
    )
    assert Assignment.objects.count() == 2
    # The refused file is answered 400, which the console reports; nothing else may be there.
    assert [e for e in web.console_errors if "status of 400" not in e] == []


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_schedule_pages_pass_axe(web_factory: Any, phone: bool) -> None:
    sched = make_schedule(make_people())
    learner = sched.people.learner
    web: Web = web_factory(PHONE) if phone else web_factory()

    web.sign_in("learner@riverside.test", PASSWORD)
    web.go(f"/programs/im-residency/schedule/learners/{learner.pk}/")
    assert web.page.get_by_role("heading", name="The year at a glance").is_visible()
    assert web.page.locator(".year-strip__block").count() == 13
    assert_accessible(web, "the year at a glance")
    web.go("/schedule/")
    assert_accessible(web, "my schedule")
    web.page.context.clear_cookies()

    web.sign_in("faculty@riverside.test", PASSWORD)
    web.go("/schedule/learners-now/")
    assert web.page.get_by_role("heading", name="Lena Park").is_visible()
    assert web.page.get_by_text("General Medicine Wards").is_visible()
    assert_accessible(web, "my learners now")
    web.page.context.clear_cookies()

    web.sign_in("committee@riverside.test", PASSWORD)
    web.go("/schedule/learners-now/")
    assert web.page.get_by_text("No learners are assigned to you today").is_visible()
    assert_accessible(web, "my learners now, empty")
    web.go("/programs/im-residency/schedule/")
    assert_accessible(web, "the program schedule")
    assert web.console_errors == []
