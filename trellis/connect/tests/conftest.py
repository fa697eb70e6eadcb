from __future__ import annotations

import pytest

from trellis.connect.tests.lti_platform import NextLaunch, Platform


@pytest.fixture
def lms(lti_platform: Platform) -> Platform:
    """The session's platform (conftest.py), its next launch back to the default (a
    learner)."""
    lti_platform.next = NextLaunch()
    lti_platform.logins.clear()
    lti_platform.tool_jwks = {"keys": []}
    lti_platform.line_items, lti_platform.results = [], {}
    return lti_platform
