"""The 30-second observation on a phone: faculty home -> the learner supervised today ->
the rotation's pre-chosen items rated -> one short comment -> submitted, counting every
tap and keystroke the page receives and timing what the server spends."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import PHONE, Web
from trellis.assessments.models import Assessment
from trellis.assessments.tests.capture_setup import make_capture
from trellis.testing import PASSWORD, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Counts the trusted taps (pointer presses) and keystrokes each page receives, kept in
# sessionStorage so they add up across the flow's page loads.
COUNTER = """(() => {
  const bump = (k) => sessionStorage.setItem(k, String(Number(sessionStorage.getItem(k) || 0) + 1));
  addEventListener('pointerdown', (e) => { if (e.isTrusted) bump('taps'); }, true);
  addEventListener('keydown', (e) => { if (e.isTrusted) bump('keys'); }, true);
})();"""

# The server's share of the navigation that loaded this page: the redirect (a POST answered
# with a redirect) and the wait from request to first byte.
SERVER_MS = """(() => {
  const n = performance.getEntriesByType('navigation')[0];
  return (n.redirectEnd - n.redirectStart) + (n.responseStart - n.requestStart);
})()"""

COMMENT = "Clear plan; next time say the leading diagnosis first."
MAX_TAPS = 5  # besides typing the comment


def test_the_observation_takes_five_taps_from_home_to_submitted(web_factory: Any) -> None:
    people = make_people()
    cap = make_capture(people)
    web: Web = web_factory(viewport=PHONE)
    web.sign_in(people.faculty.email, PASSWORD)
    page = web.page
    page.context.add_init_script(COUNTER)
    web.go("/")
    page.evaluate("sessionStorage.clear()")
    screens: list[str] = []
    server_ms: list[float] = [page.evaluate(SERVER_MS)]
    page.on("load", lambda: server_ms.append(page.evaluate(SERVER_MS)))
    page.on("framenavigated", lambda f: screens.append(f.url) if f == page.main_frame else None)
    start = page.evaluate("performance.now() + performance.timeOrigin")

    page.get_by_role("link", name="Rate Lena Park").click()
    page.wait_for_load_state()
    chosen = page.locator("fieldset.rate:not([hidden])")
    assert chosen.count() == 2  # the rotation's two EPAs, chosen before any tap
    for fieldset in chosen.all():
        fieldset.locator("label.rate__level", has_text="Indirect supervision").click()
    page.get_by_label("One thing to do next time").click()
    page.keyboard.type(COMMENT)
    page.get_by_role("button", name="Submit").click()
    page.get_by_role("heading", name="Thank you — saved").wait_for()
    page.wait_for_load_state("load")
    end = page.evaluate("performance.now() + performance.timeOrigin")

    taps = int(page.evaluate("sessionStorage.getItem('taps') || 0"))
    keys = int(page.evaluate("sessionStorage.getItem('keys') || 0"))
    figures = {
        "taps": taps,
        "keystrokes": keys,
        "screens": 1 + len(screens),
        "server_ms": round(sum(server_ms), 1),
        "total_ms": round(end - start, 1),
    }
    print("observation flow:", json.dumps(figures))
    assert keys == len(COMMENT)
    # Tapping into the comment box is part of typing it.
    assert taps - 1 <= MAX_TAPS, figures
    a = Assessment.objects.get()
    assert {r.item.code for r in a.ratings.all()} == {cap.epa1.code, cap.epa2.code}
    assert a.comments.get().text == COMMENT
