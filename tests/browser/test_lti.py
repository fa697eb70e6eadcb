"""An LTI 1.3 launch in Chromium, inside the LMS's page as a course shows it: the platform
simulator's course page (trellis/connect/tests/lms.py) frames Trellis's login
initiation, its authentication endpoint posts the signed id_token back, and the learner
lands on their record within the iframe (which Trellis lets that platform alone frame), at
phone and desktop widths, checked with axe."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from trellis.connect.tests.lti_platform import Platform
from trellis.connect.tests.test_lti import register
from trellis.testing import make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def framed(page: Any, path_part: str, seconds: float = 15) -> Any:
    """The iframe once it shows a page whose URL holds `path_part`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for frame in page.frames[1:]:
            if path_part in frame.url:
                frame.wait_for_load_state()
                return frame
        page.wait_for_timeout(100)
    pytest.fail(f"no frame reached {path_part}: {[f.url for f in page.frames]}")


@pytest.fixture(scope="module")
def lms() -> Iterator[Platform]:
    # Over plain HTTP a cross-site iframe gets no cookie (browsers take SameSite=None only
    # on secure ones; trellis/connect/tests/test_lti.py checks those flags over HTTPS):
    # the platform is called localhost, as pytest-django's live server is.
    platform = Platform(hostname="localhost")
    yield platform
    platform.stop()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_learner_launched_in_the_lms_iframe_lands_on_their_record(
    web_factory: Any, lms: Platform, live_server: Any, viewport: dict[str, int]
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    people = make_people()
    register(lms, people)
    web = web_factory(viewport)
    course = {"tool": live_server.url + "/lti/login/", "launch": live_server.url + "/lti/launch/"}
    web.page.goto(f"{lms.url}/course?{urlencode(course)}")
    record = f"/programs/{people.program.slug}/records/learners/{people.learner.pk}/"
    frame = framed(web.page, record)
    assert frame.get_by_role("heading", level=1, name="Lena Park").is_visible()
    results = Axe().run(frame)
    assert not results.violations_count, results.generate_report()
    assert web.console_errors == []  # no frame-ancestors or CSP refusal on the way
