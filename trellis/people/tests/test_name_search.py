"""Finding a person by name the way people type it."""

from __future__ import annotations

import pytest

from trellis.people.models import User
from trellis.people.selectors import people_named
from trellis.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("obrien", True),
        ("O'Brien", True),
        ("o’brien", True),
        ("OBRIEN siobhan", True),
        ("annmarie", True),
        ("ann-marie", True),
        ("brien", True),
        ("smith", False),
        ("siobhan smith", False),
    ],
)
def test_a_name_is_found_without_its_apostrophe_hyphen_or_case(query: str, found: bool) -> None:
    make_user("s@x.test", "Siobhan Ann-Marie", "O'Brien")
    make_user("t@x.test", "Tom", "Jones")
    names = [u.last_name for u in people_named(User.objects.all(), query)]
    assert names == (["O'Brien"] if found else [])
