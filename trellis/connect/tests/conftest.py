from __future__ import annotations

from collections.abc import Iterator

import pytest

from trellis.connect.tests.lti_platform import NextLaunch, Platform


@pytest.fixture(scope="session")
def lti_platform() -> Iterator[Platform]:
    """One platform (its key made once) for the whole run."""
    platform = Platform()
    yield platform
    platform.stop()


@pytest.fixture
def lms(lti_platform: Platform) -> Platform:
    """The platform, its next launch back to the default (a learner)."""
    lti_platform.next = NextLaunch()
    lti_platform.logins.clear()
    return lti_platform
