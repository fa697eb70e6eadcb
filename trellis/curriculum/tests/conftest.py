from __future__ import annotations

import pytest

from trellis.curriculum.tests.factories import CraftedMap, build_crafted
from trellis.testing import People


@pytest.fixture
def crafted(people: People) -> CraftedMap:
    return build_crafted(people)
