from __future__ import annotations

import pytest

from trellis.curriculum.emphasis import EmphasisError, format_emphases, parse_emphases
from trellis.curriculum.selectors import (
    activity_rows,
    curriculum_gaps,
    map_columns,
    program_activities,
)
from trellis.curriculum.tests.factories import CraftedMap
from trellis.testing import People


def codes(entries: list) -> list[str]:
    return [c.item.code for c in entries]


def test_it_parses_letters_in_any_order_and_case() -> None:
    assert parse_emphases("ai") == {"I", "A"}
    assert parse_emphases(" I, R / a ") == {"I", "R", "A"}
    assert parse_emphases("") == frozenset()
    assert format_emphases({"A", "I", "R"}) == "IRA"


def test_it_refuses_other_letters() -> None:
    with pytest.raises(EmphasisError, match="not X"):
        parse_emphases("IX")


def test_it_lists_the_gaps_of_a_crafted_map(crafted: CraftedMap, people: People) -> None:
    report = curriculum_gaps(program=people.program, framework=crafted.framework)
    assert [i.code for i in report.items] == ["PC1", "PC2", "MK1", "ICS1", "PROF1", "EPA1"]
    assert codes(report.never_assessed) == ["PC2", "MK1", "ICS1"]
    assert codes(report.only_introduced) == ["PC2"]
    assert codes(report.taught_not_assessed) == ["ICS1"]
    assert codes(report.not_mapped) == ["PROF1"]
    assert report.mapped_count == 5
    assert report.assessed_count == 2


def test_it_says_where_each_item_is_introduced_reinforced_and_assessed(
    crafted: CraftedMap, people: People
) -> None:
    report = curriculum_gaps(program=people.program, framework=crafted.framework)
    pc1 = report.coverage[0]
    assert [a.code for a in pc1.introduced] == ["WARDS"]
    assert [a.code for a in pc1.reinforced] == ["WARDS", "ICU"]
    assert [a.code for a in pc1.assessed] == ["WARDS"]
    assert pc1.methods == ("Direct observation",)
    mk1 = report.coverage[2]
    # The objective's mapping counts for its session.
    assert [a.code for a in mk1.reinforced] == ["DID-1"]
    assert report.cell(crafted.session, mk1.item) == "R"
    assert report.cell(crafted.wards, pc1.item) == "IRA"


def test_it_orders_activities_as_a_tree(crafted: CraftedMap, people: People) -> None:
    assert [a.code for a in program_activities(program=people.program)] == [
        "WARDS",
        "ICU",
        "CLINIC",
        "DID",
        "DID-1",
    ]
    rows = activity_rows(program=people.program)
    assert [(r.activity.code, r.depth) for r in rows][-2:] == [("DID", 0), ("DID-1", 1)]
    assert rows[0].mapped_items == 3
    assert rows[-1].objectives == 1


def test_it_uses_subcompetencies_and_epas_as_columns(crafted: CraftedMap) -> None:
    columns = map_columns(framework=crafted.framework)
    assert {c.kind for c in columns} == {"subcompetency", "epa"}


def test_it_reads_the_map_in_a_few_queries(
    crafted: CraftedMap, people: People, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(4):
        curriculum_gaps(program=people.program, framework=crafted.framework)
