from __future__ import annotations

import datetime as dt
import random

import pytest

from trellis.demo.educators import generate_educator_data
from trellis.demo.generator import DemoSize, generate_demo
from trellis.educators.selectors import office_view
from trellis.plans.models import PlanStatus

pytestmark = pytest.mark.django_db


def test_demo_educators_make_the_office_view_show() -> None:
    demo = generate_demo(seed=3, today=dt.date(2026, 3, 1), password=None, with_assessments=False)
    data = generate_educator_data(demo=demo, rng=random.Random(4))
    assert data.self_assessments >= len(demo.people.educators)
    assert data.peer_observations >= 1
    assert any(p.status == PlanStatus.CLOSED and p.reflection for p in data.plans)
    assert office_view(office=demo.programs.faculty_development).shown
    assert len(data.office_sharers) < len(demo.people.educators)  # some stay private
    assert isinstance(DemoSize().educators, int)
