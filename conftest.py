from __future__ import annotations

import os
from pathlib import Path

import pytest

from trellis.testing import People, make_people

SHARED = Path(os.environ.get("TRELLIS_SHARED", Path(__file__).resolve().parent.parent / "shared"))
REAL_DATA = SHARED / "real-data"


@pytest.fixture
def people(db: None) -> People:
    return make_people()


@pytest.fixture
def real_data() -> Path:
    """The third-party files in ../shared/real-data; tests skip, saying why, without them."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data not found at {REAL_DATA} (set TRELLIS_SHARED to the shared folder)")
    return REAL_DATA
