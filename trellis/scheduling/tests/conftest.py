from __future__ import annotations

import pytest

from trellis.scheduling.tests.factories import Sched, make_schedule
from trellis.testing import People


@pytest.fixture
def sched(people: People) -> Sched:
    return make_schedule(people)
