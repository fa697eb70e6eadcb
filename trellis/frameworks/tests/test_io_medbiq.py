"""MedBiquitous Competency Framework XML, in and out (issue 12): valid against the
schemas in ../shared/real-data/medbiq, a round trip that keeps every item, the tree and
the EPA bundles, and refusals that name the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from lxml import etree

from trellis.curriculum.ci_export import medbiq_xsd
from trellis.frameworks.io.errors import FrameworkImportError
from trellis.frameworks.io.medbiq import CF, CO
from trellis.frameworks.models import Association, Framework, ItemKind
from trellis.frameworks.services import framework_export, framework_import
from trellis.testing import People

pytestmark = pytest.mark.django_db

CSV = (
    "kind,code,name,statement,parent,related,level_1,scale,developmental\n"
    "framework,mb-test,MedBiq Test,A framework to carry,,,,milestone,no\n"
    "domain,PC,Patient Care,,,,,,\n"
    "subcompetency,PC1,History,Takes a history,PC,,Gathers,,\n"
    "subcompetency,PC2,Exam,Performs an exam,PC,,,,\n"
    "epa,EPA1,Admit a patient,,,PC1;PC2,,,\n"
)


def schemas(real_data: Path) -> tuple[etree.XMLSchema, etree.XMLSchema]:
    """The Competency Framework and Competency Object schemas, compiled offline."""
    folder = real_data / "medbiq"
    return (
        medbiq_xsd(folder, "competencyframework/v1/competencyframework.xsd"),
        medbiq_xsd(folder, "competencyobject/v1/competencyobject.xsd"),
    )


def made(people: People) -> Framework:
    return framework_import(
        content=CSV.encode(), filename="mb.csv", institution=people.institution, acting_user=None
    )


def test_the_export_is_valid_competency_framework_xml(people: People, real_data: Path) -> None:
    cf_schema, co_schema = schemas(real_data)
    xml = framework_export(framework=made(people), format="medbiq")
    doc = etree.fromstring(xml)
    assert cf_schema.validate(doc), cf_schema.error_log
    objects = doc.findall(f"{{{CO}}}CompetencyObject")
    assert len(objects) == 4
    for co in objects:  # the framework's open content holds them: each valid on its own
        assert co_schema.validate(etree.fromstring(etree.tostring(co))), co_schema.error_log
    relations = [r.findtext(f"{{{CF}}}Relationship") for r in doc.findall(f"{{{CF}}}Relation")]
    assert relations.count("http://www.w3.org/2004/02/skos/core#narrower") == 2
    assert relations.count("http://www.w3.org/2004/02/skos/core#related") == 2


def test_a_round_trip_keeps_items_tree_and_bundles(people: People) -> None:
    framework = made(people)
    first = framework_export(framework=framework, format="medbiq")
    framework.delete()  # slugs are unique: the copy takes the original's
    again = framework_import(
        content=first, filename="mb.xml", institution=people.institution, acting_user=None
    )
    assert framework_export(framework=again, format="medbiq") == first
    items = {i.code: i for i in again.items.all()}
    assert items["PC1"].parent == items["PC"] and items["PC1"].kind == ItemKind.SUBCOMPETENCY
    assert items["PC1"].name == "History" and items["PC1"].statement == "Takes a history"
    assert items["EPA1"].kind == ItemKind.EPA and items["EPA1"].parent is None
    related = again.associations.filter(association_type=Association.IS_RELATED_TO)
    assert {a.destination for a in related} == {items["PC1"], items["PC2"]}
    assert again.associations.filter(association_type=Association.IS_CHILD_OF).count() == 4
    assert again.scale is not None and again.scale.slug == "milestone"


def test_a_file_from_another_tool_without_trellis_extras_imports(people: People) -> None:
    xml = f"""<?xml version="1.0"?>
<CompetencyFramework xmlns="{CF}" xmlns:lom="http://ltsc.ieee.org/xsd/LOM" xmlns:co="{CO}">
  <lom:lom><lom:general><lom:identifier><lom:catalog>URI</lom:catalog>
    <lom:entry>http://example.edu/fw/1</lom:entry></lom:identifier>
    <lom:title><lom:string>Graduation Competencies</lom:string></lom:title></lom:general></lom:lom>
  <Includes><Catalog>URI</Catalog><Entry>http://example.edu/c/1</Entry></Includes>
  <Includes><Catalog>URI</Catalog><Entry>http://example.edu/c/2</Entry></Includes>
  <Relation><Reference1><Catalog>URI</Catalog><Entry>http://example.edu/c/2</Entry></Reference1>
    <Relationship>http://www.w3.org/2004/02/skos/core#broader</Relationship>
    <Reference2><Catalog>URI</Catalog><Entry>http://example.edu/c/1</Entry></Reference2></Relation>
  <co:CompetencyObject><lom:lom><lom:general><lom:identifier><lom:catalog>URI</lom:catalog>
    <lom:entry>http://example.edu/c/1</lom:entry></lom:identifier>
    <lom:title><lom:string>Patient care</lom:string></lom:title></lom:general></lom:lom>
    <co:Category term="Domain"/></co:CompetencyObject>
  <co:CompetencyObject><lom:lom><lom:general><lom:identifier><lom:catalog>URI</lom:catalog>
    <lom:entry>http://example.edu/c/2</lom:entry></lom:identifier>
    <lom:title><lom:string>Gather a history</lom:string></lom:title></lom:general></lom:lom>
  </co:CompetencyObject>
</CompetencyFramework>"""
    framework = framework_import(
        content=xml.encode(), filename="grad.xml", institution=people.institution, acting_user=None
    )
    assert framework.title == "Graduation Competencies"
    assert framework.identifier == "http://example.edu/fw/1"
    items = {i.name: i for i in framework.items.all()}
    assert items["Gather a history"].parent == items["Patient care"]
    assert items["Patient care"].kind == ItemKind.DOMAIN


def test_a_bad_file_is_refused_whole_naming_lines(people: People) -> None:
    xml = f"""<?xml version="1.0"?>
<CompetencyFramework xmlns="{CF}" xmlns:lom="http://ltsc.ieee.org/xsd/LOM">
  <lom:lom><lom:general><lom:identifier><lom:catalog>URI</lom:catalog>
    <lom:entry>urn:x</lom:entry></lom:identifier>
    <lom:title><lom:string>X</lom:string></lom:title></lom:general></lom:lom>
  <Includes><Catalog>URI</Catalog><Entry>urn:elsewhere</Entry></Includes>
</CompetencyFramework>"""
    with pytest.raises(FrameworkImportError) as refused:
        framework_import(
            content=xml.encode(), filename="x.xml", institution=people.institution,
            acting_user=None,
        )  # fmt: skip
    assert [(p.line, "not in the file" in p.message) for p in refused.value.problems] == [(6, True)]
    for content, words in (
        (b"<CompetencyFramework", "not well-formed XML"),
        (b"<other/>", "must be a MedBiquitous CompetencyFramework"),
        (
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            "must be a MedBiquitous",
        ),
    ):
        with pytest.raises(FrameworkImportError, match=words):
            framework_import(
                content=content, filename="x.xml", institution=people.institution,
                acting_user=None,
            )  # fmt: skip
    assert not Framework.objects.filter(title="X").exists()


def test_the_command_and_the_api_speak_medbiq(
    client: Client, people: People, tmp_path: Path
) -> None:
    framework = made(people)
    out = tmp_path / "mb.xml"
    call_command("frameworks", "export", framework.slug, "-o", str(out))
    assert out.read_bytes() == framework_export(framework=framework, format="medbiq")
    client.force_login(people.coordinator)
    response = client.get(f"/api/v1/frameworks/{framework.slug}/export?format=medbiq")
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert response.content == out.read_bytes()
