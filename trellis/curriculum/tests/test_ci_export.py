from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from lxml import etree

from trellis.curriculum.ci_export import (
    CI,
    CurriculumInventoryError,
    ci_validate,
    curriculum_inventory_xml,
    event_duration,
    uri_for,
)
from trellis.curriculum.models import Activity
from trellis.curriculum.services import mapping_set_cell
from trellis.curriculum.tests.factories import CraftedMap, adopt, item, make_activity
from trellis.testing import People

NS = {
    "ci": CI,
    "lom": "http://ltsc.ieee.org/xsd/LOM",
    "co": "http://ns.medbiq.org/competencyobject/v1/",
    "cf": "http://ns.medbiq.org/competencyframework/v1/",
    "hx": "http://ns.medbiq.org/lom/extend/v1/",
}


def resolve(doc: etree._Element, path: str) -> list:
    """Evaluate a CI reference (written without a prefix for the CI namespace)."""
    qualified = re.sub(r"/(?!lom:)([A-Za-z]+)", r"/ci:\1", path.strip())
    return doc.xpath(qualified, namespaces=NS)


def export(people: People, **kw: object) -> etree._Element:
    xml = curriculum_inventory_xml(program=people.program, report_date=dt.date(2026, 9, 1), **kw)
    return etree.fromstring(xml)


def test_it_validates_against_the_medbiquitous_schema(
    crafted: CraftedMap, people: People, real_data: Path
) -> None:
    crafted.wards.keywords = "Inpatient care; Hospital medicine"
    crafted.wards.description = "General medicine wards at the university hospital."
    crafted.wards.save()
    xml = curriculum_inventory_xml(program=people.program)
    assert ci_validate(xml, real_data / "medbiq") == []


def test_the_shipped_sample_validates_and_the_old_format_does_not(real_data: Path) -> None:
    folder = real_data / "medbiq"
    sample = folder / "curriculuminventory" / "v1" / "sample_curriculuminventory.xml"
    assert ci_validate(sample.read_bytes(), folder) == []
    old = folder / "curriculuminventory" / "v1" / "sample.xml"
    assert ci_validate(old.read_bytes(), folder)


def test_every_reference_points_at_something(crafted: CraftedMap, people: People) -> None:
    doc = export(people)
    refs = doc.xpath(
        "//ci:CompetencyObjectReference | //ci:EventReference | //ci:SequenceBlockReference"
        " | //ci:Level[not(@number)]",
        namespaces=NS,
    )
    assert len(refs) > 10
    for ref in refs:
        assert len(resolve(doc, ref.text)) == 1, ref.text


def test_events_blocks_and_timing(crafted: CraftedMap, people: People) -> None:
    doc = export(people)
    titles = doc.xpath("//ci:Event/ci:Title/text()", namespaces=NS)
    # The course has a session, so it is a block without an event of its own.
    assert titles == ["Activity WARDS", "Activity ICU", "Activity CLINIC", "Activity DID-1"]
    session = doc.xpath("//ci:Event[ci:Title='Activity DID-1']", namespaces=NS)[0]
    assert session.findtext(f"{{{CI}}}EventDuration") == "PT1H30M"
    wards = doc.xpath("//ci:SequenceBlock[ci:Title='Activity WARDS']", namespaces=NS)[0]
    assert wards.findtext(f"{{{CI}}}Timing/{{{CI}}}Duration") == "P28D"
    assert wards.findtext(f"{{{CI}}}ClerkshipModel") == "rotation"
    years = doc.xpath("//ci:SequenceBlock[starts-with(@id, 'Y')]/ci:Title/text()", namespaces=NS)
    assert years == ["PGY 1", "PGY 2"]
    method = doc.xpath("//ci:Event[ci:Title='Activity WARDS']/ci:AssessmentMethod", namespaces=NS)[
        0
    ]
    assert method.text == "Clinical Performance Rating/Checklist"
    assert method.get("purpose") == "Formative" and method.get("sourceID") == "AM002"
    assert doc.findtext(f"{{{CI}}}ReportingStartDate") == "2026-07-01"


def test_expectations_link_objectives_to_items(crafted: CraftedMap, people: People) -> None:
    doc = export(people)
    categories = doc.xpath("//ci:CompetencyObject/co:Category/@term", namespaces=NS)
    assert categories.count("program-level-competency") == 6
    assert categories.count("event-level-competency") == 1
    mk1 = uri_for(item(crafted.framework, "MK1").identifier, "item")
    objective = uri_for(crafted.objective.identifier, "objective")
    relation = doc.xpath("//cf:Relation", namespaces=NS)[0]
    assert relation.xpath("cf:Reference1/cf:Entry/text()", namespaces=NS) == [mk1]
    assert relation.xpath("cf:Reference2/cf:Entry/text()", namespaces=NS) == [objective]
    threads = doc.xpath("//ci:IntegrationBlock/ci:Title/text()", namespaces=NS)
    assert "Competency ICS (Test test-milestones)" in threads


def test_developmental_frameworks_stay_out(crafted: CraftedMap, people: People) -> None:
    adopt(people.program, crafted.developmental)
    mapping_set_cell(
        activity=crafted.wards,
        item=item(crafted.developmental, "ETP1"),
        emphases="IRA",
        acting_user=None,
    )
    xml = curriculum_inventory_xml(program=people.program)
    etp1 = uri_for(item(crafted.developmental, "ETP1").identifier, "item")
    assert etp1.encode() not in xml
    assert b"educator-test" not in xml and b"ETP1" not in xml


def test_a_faculty_development_map_exports_without_its_developmental_items(
    crafted: CraftedMap, people: People, real_data: Path
) -> None:
    workshop = make_activity(people.fd_program, "FB", kind="workshop", weeks=None, hours="3")
    mapping_set_cell(
        activity=workshop, item=item(crafted.developmental, "ETP1"), emphases="IR", acting_user=None
    )
    workshop.objectives.create(text="Give feedback on an observed encounter", code="FB-1")
    xml = curriculum_inventory_xml(program=people.fd_program)
    assert b"ETP1" not in xml
    assert b"continuing professional development" in xml
    assert ci_validate(xml, real_data / "medbiq") == []


def test_an_empty_program_cannot_be_reported(people: People) -> None:
    with pytest.raises(CurriculumInventoryError, match="no activities"):
        curriculum_inventory_xml(program=people.program)
    Activity.objects.create(program=people.program, code="A", title="A", kind="course")
    with pytest.raises(CurriculumInventoryError, match="adopt a framework"):
        curriculum_inventory_xml(program=people.program)


@pytest.mark.parametrize(
    "hours,text", [(None, "PT0M"), ("0.5", "PT30M"), ("2", "PT2H"), ("2.5", "PT2H30M")]
)
def test_event_durations(hours: str | None, text: str) -> None:
    from decimal import Decimal

    assert event_duration(Decimal(hours) if hours else None) == text


def test_uris_are_safe_inside_a_reference() -> None:
    assert uri_for("2b4a4b32-8c3e-4e0f-9f7e-1a7d9c0b5e11", "item").startswith("urn:uuid:")
    assert uri_for("https://example.org/pc1", "item") == "https://example.org/pc1"
    assert "'" not in uri_for("it's", "item")
