from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from trellis.connect.xapi.lrs import Lrs
from trellis.connect.xapi.tests.ralph_lrs import start_ralph


@pytest.fixture
def lrs(tmp_path: Path) -> Iterator[Lrs]:
    """A fresh Ralph LRS for the test, configured as Trellis's LRS."""
    ralph = start_ralph(tmp_path)
    with override_settings(
        XAPI_LRS_ENDPOINT=ralph.lrs.endpoint,
        XAPI_LRS_USERNAME=ralph.lrs.username,
        XAPI_LRS_PASSWORD=ralph.lrs.password,
    ):
        yield ralph.lrs
    ralph.stop()
