"""Two versions of a small framework, for the crosswalk tests: `v1` (make_framework) and
`v2`, its next version (make_next_version: PC1 renamed, PC2 split, PROF4 new, the EPA
gone)."""

from __future__ import annotations

import pytest

from trellis.frameworks.tests.web_factories import (
    NextVersion,
    SmallFramework,
    make_framework,
    make_next_version,
)
from trellis.testing import People


@pytest.fixture
def v1(people: People) -> SmallFramework:
    return make_framework()


@pytest.fixture
def v2(people: People) -> NextVersion:
    return make_next_version(institution=people.institution)
