from __future__ import annotations

import os
from pathlib import Path

import pytest

from trellis.testing import People, make_people

SHARED = Path(os.environ.get("TRELLIS_SHARED", Path(__file__).resolve().parent.parent / "shared"))
REAL_DATA = SHARED / "real-data"


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Real hashing costs ~0.4 s a person; tests create many people.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No consortium history unless a test gives one (the demo's file is not the tests').
    settings.TRELLIS_ANALYTICS_HISTORY = ""


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: analytics are cached by data version, and a
    rolled-back database can reuse ids. So with what the process keeps of form versions."""
    from django.core.cache import cache

    from trellis.assessments.instruments.kept import kept_clear

    cache.clear()
    kept_clear()


@pytest.fixture
def people(db: None) -> People:
    return make_people()


@pytest.fixture
def real_data() -> Path:
    """The third-party files in ../shared/real-data; tests skip, saying why, without them."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data not found at {REAL_DATA} (set TRELLIS_SHARED to the shared folder)")
    return REAL_DATA
