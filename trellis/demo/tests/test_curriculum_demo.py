from __future__ import annotations

import random
from pathlib import Path

import pytest

from trellis.curriculum.ci_export import ci_validate, curriculum_inventory_xml
from trellis.curriculum.models import Activity, ActivityKind, Mapping
from trellis.curriculum.selectors import curriculum_gaps
from trellis.demo.curriculum import CEM, HARMONIZED, IM, generate_curriculum
from trellis.frameworks.catalogue import catalogue_install
from trellis.frameworks.models import Adoption, Framework
from trellis.testing import People


@pytest.fixture
def catalogue(db: None) -> dict[str, Framework]:
    catalogue_install()
    return {f.slug: f for f in Framework.objects.filter(slug__in=[IM, HARMONIZED, CEM])}


def test_it_builds_a_residency_map_with_deliberate_gaps(
    people: People, catalogue: dict[str, Framework], real_data: Path
) -> None:
    for slug in (IM, HARMONIZED):
        Adoption.objects.create(program=people.program, framework=catalogue[slug])
    demo = generate_curriculum(
        program=people.program, framework_slugs=[IM, HARMONIZED], rng=random.Random(1)
    )
    codes = {a.code for a in demo.activities}
    assert {"WARDS", "ICU", "AMB", "CARD", "EM", "NIGHT", "GERI", "ELEC", "CORE-TELE"} <= codes
    assert (
        Activity.objects.filter(
            program=people.program, kind=ActivityKind.CLINICAL_EXPERIENCE
        ).count()
        == 8
    )
    assert demo.objectives >= 10 and demo.cells > 100
    report = curriculum_gaps(program=people.program, framework=catalogue[IM])
    assert [c.item.code for c in report.only_introduced] == ["PC6"]
    assert [c.item.code for c in report.taught_not_assessed] == ["PC7"]
    assert [c.item.code for c in report.never_assessed] == ["PC6", "PC7", "SBP3", "PROF4"]
    assert report.not_mapped == []
    harmonized = curriculum_gaps(program=people.program, framework=catalogue[HARMONIZED])
    assert [c.item.code for c in harmonized.never_assessed] == ["PROF3", "SBP3"]
    xml = curriculum_inventory_xml(program=people.program)
    assert ci_validate(xml, real_data / "medbiq") == []


def test_it_builds_a_faculty_development_map(people: People, catalogue: dict[str, Framework]):
    Adoption.objects.create(program=people.fd_program, framework=catalogue[CEM])
    demo = generate_curriculum(
        program=people.fd_program, framework_slugs=[CEM], rng=random.Random(1)
    )
    assert {a.kind for a in demo.activities} >= {"workshop", "module", "assignment"}
    report = curriculum_gaps(program=people.fd_program, framework=catalogue[CEM])
    assert report.assessed_count >= 2
    assert "ADM1" in [c.item.code for c in report.not_mapped]


def test_it_is_repeatable_and_reuses_existing_activities(
    people: People, catalogue: dict[str, Framework]
) -> None:
    Adoption.objects.create(program=people.program, framework=catalogue[IM])
    generate_curriculum(program=people.program, framework_slugs=[IM], rng=random.Random(1))
    before = (Activity.objects.count(), Mapping.objects.count())
    again = generate_curriculum(
        program=people.program, framework_slugs=[IM, "not-adopted"], rng=random.Random(2)
    )
    assert (Activity.objects.count(), Mapping.objects.count()) == before
    assert again.cells == 0
