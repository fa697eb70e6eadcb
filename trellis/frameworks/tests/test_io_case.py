from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from trellis.audit.models import AuditEvent
from trellis.frameworks.models import (
    Association,
    Framework,
    Item,
    ItemKind,
    LevelDescriptor,
    Scale,
    ScaleKind,
)
from trellis.frameworks.services import FrameworkImportError, framework_export, framework_import
from trellis.people.models import Institution, User

OPENSALT = "case/opensalt"
LENIENT_2017 = "opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json"
REAL_PACKAGES = [
    "AdoptedTestFramework.json",
    "EmptyExternalFramework.json",
    "ItemTypeTestFramework.json",
    "MarkdownFramework.json",
    "Ordering.json",
    "SequenceNumberFramework.json",
    "SmartLevelFramework.json",
    "Utf8TestFramework.json",
]

NATIVE_CSV = (
    "kind,code,name,statement,parent,related,level_1,level_1.5,level_2,scale,developmental\n"
    "framework,native,Native Test,A framework made here,,,,,,milestone,yes\n"
    "domain,PC,Patient Care,,,,,,,,\n"
    "subcompetency,PC2,Exam,Performs an exam,PC,,Notices,,Targets,,\n"
    "subcompetency,PC1,History,Takes a history,PC,,Gathers,Between,Focuses,,\n"
    "epa,EPA1,Admit a patient,,,PC1;PC2,,,,,\n"
)

DOC = "d1000000-0000-4000-8000-000000000000"
ITEM_A = "a1000000-0000-4000-8000-000000000001"
ITEM_B = "a1000000-0000-4000-8000-000000000002"
STAMP = "2024-01-02T03:04:05+00:00"


def uid(n: int) -> str:
    return f"c0000000-0000-4000-8000-{n:012d}"


def link(identifier: str, title: str = "x") -> dict[str, str]:
    return {"identifier": identifier, "title": title, "uri": f"https://case.test/{identifier}"}


def rubric_package() -> dict[str, Any]:
    """A small package with every rubric shape: criteria on items, one on no item, one on
    an item but without levels, a level with a score Trellis cannot hold."""
    level = {"uri": "https://case.test/l", "lastChangeDateTime": STAMP}
    return {
        "CFDocument": {
            **link(DOC, "Rubric Test"),
            "creator": "Tester",
            "lastChangeDateTime": STAMP,
        },
        "CFItems": [
            {
                **link(ITEM_A),
                "fullStatement": "Does A",
                "humanCodingScheme": "A",
                "lastChangeDateTime": STAMP,
            },
            {**link(ITEM_B), "fullStatement": "Does B", "lastChangeDateTime": STAMP},
        ],
        "CFAssociations": [
            {
                **link(uid(90)),
                "associationType": "isChildOf",
                "originNodeURI": link(ITEM_B, "B"),
                "destinationNodeURI": link(ITEM_A, "A"),
                "lastChangeDateTime": STAMP,
            }
        ],
        "CFRubrics": [
            {
                **link(uid(1)),
                "description": "First rubric",
                "lastChangeDateTime": STAMP,
                "CFRubricCriteria": [
                    {
                        **link(uid(10)),
                        "CFItemURI": link(ITEM_A, "A"),
                        "weight": 2.5,
                        "lastChangeDateTime": STAMP,
                        "CFRubricCriterionLevels": [
                            {
                                **level,
                                "identifier": uid(100),
                                "score": 1,
                                "quality": "Novice",
                                "description": "Starts",
                                "position": 0,
                                "feedback": "Keep going",
                            },
                            {
                                **level,
                                "identifier": uid(101),
                                "score": 2.5,
                                "description": "Grows",
                                "position": 1,
                            },
                            {**level, "identifier": uid(102), "score": 1.25, "quality": "Odd"},
                        ],
                    },
                    {
                        **link(uid(11)),
                        "description": "On no item",
                        "lastChangeDateTime": STAMP,
                        "CFRubricCriterionLevels": [{**level, "identifier": uid(110), "score": 1}],
                    },
                    {
                        **link(uid(12)),
                        "CFItemURI": link(ITEM_B),
                        "lastChangeDateTime": STAMP,
                        "CFRubricCriterionLevels": [],
                    },
                ],
            },
            {
                **link(uid(2)),
                "lastChangeDateTime": STAMP,
                "CFRubricCriteria": [
                    {
                        **link(uid(20)),
                        "CFItemURI": link(ITEM_B),
                        "lastChangeDateTime": STAMP,
                        "CFRubricCriterionLevels": [{**level, "identifier": uid(200), "score": 3}],
                    },
                ],
            },
        ],
        "CFDefinitions": {"CFItemTypes": [], "CFConcepts": [{"odd": "kept"}]},
    }


@pytest.fixture
def institution(db: None) -> Institution:
    return Institution.objects.create(slug="riverside", name="Riverside")


@pytest.fixture
def milestone(db: None) -> Scale:
    scale, _ = Scale.objects.get_or_create(
        slug="milestone", defaults={"name": "Milestones", "kind": ScaleKind.MILESTONE}
    )
    return scale


@pytest.fixture
def schema(real_data: Path) -> jsonschema.Draft7Validator:
    with (real_data / OPENSALT / "case-v1p0-cfpackage-schema.json").open() as f:
        return jsonschema.Draft7Validator(json.load(f))


def import_bytes(
    content: bytes, institution: Institution | None = None, filename: str = "package.json"
) -> Framework:
    return framework_import(
        content=content, filename=filename, institution=institution, acting_user=None
    )


def import_package(package: dict[str, Any], institution: Institution | None = None) -> Framework:
    return import_bytes(json.dumps(package).encode(), institution)


def export(framework: Framework) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(framework_export(framework=framework, format="case"))
    return data


def by_identifier(package: dict[str, Any]) -> dict[str, Any]:
    """A package with its item and association lists keyed by identifier, to compare
    packages whatever order their lists are in."""
    out = copy.deepcopy(package)
    for key in ("CFItems", "CFAssociations"):
        out[key] = {entry["identifier"]: entry for entry in out.get(key, [])}
    return out


def reimport_is_stable(framework: Framework) -> bytes:
    """Export, delete, import the export, export again: the bytes must not change."""
    first = framework_export(framework=framework, format="case")
    institution = framework.institution
    framework.delete()
    again = import_bytes(first, institution)
    assert framework_export(framework=again, format="case") == first
    return first


@pytest.mark.django_db
def test_it_round_trips_a_native_framework_through_case(
    institution: Institution, milestone: Scale
) -> None:
    native = import_bytes(NATIVE_CSV.encode(), institution, "native.csv")
    first = reimport_is_stable(native)

    again = Framework.objects.get(identifier=native.identifier, institution=institution)
    assert again.scale == milestone and again.developmental
    items = {item.code: item for item in again.items.all()}
    assert [i.code for i in again.items.order_by("position")] == ["PC", "PC2", "PC1", "EPA1"]
    assert items["PC1"].parent == items["PC"] and items["EPA1"].kind == ItemKind.EPA
    assert items["PC1"].name == "History" and items["PC1"].statement == "Takes a history"
    assert [(d.level, d.text) for d in items["PC1"].descriptors.order_by("position")] == [
        (Decimal("1.0"), "Gathers"),
        (Decimal("1.5"), "Between"),
        (Decimal("2.0"), "Focuses"),
    ]
    related = again.associations.filter(association_type=Association.IS_RELATED_TO)
    assert {a.destination for a in related} == {items["PC1"], items["PC2"]}
    assert json.loads(first)["CFDocument"]["extensions"] == {
        "trellis": {"scale": "milestone", "developmental": True}
    }


@pytest.mark.django_db
def test_it_exports_a_native_framework_as_valid_case(
    institution: Institution, milestone: Scale, schema: jsonschema.Draft7Validator
) -> None:
    native = import_bytes(NATIVE_CSV.encode(), institution, "native.csv")

    package = export(native)

    assert [e.message for e in schema.iter_errors(package)] == []
    items = {item["humanCodingScheme"]: item for item in package["CFItems"]}
    assert items["PC1"]["CFItemType"] == "Subcompetency"
    assert items["PC1"]["abbreviatedStatement"] == "History"
    assert items["PC1"]["CFItemTypeURI"]["title"] == "Subcompetency"
    types = [t["title"] for t in package["CFDefinitions"]["CFItemTypes"]]
    assert types == ["Domain", "Subcompetency", "EPA"]
    pairs = {
        (a["associationType"], a["originNodeURI"]["title"], a["destinationNodeURI"]["title"])
        for a in package["CFAssociations"]
    }
    assert ("isChildOf", "PC1", "PC") in pairs
    assert ("isChildOf", "PC", "Native Test") in pairs
    assert ("isRelatedTo", "EPA1", "PC2") in pairs
    [rubric] = package["CFRubrics"]
    assert [c["CFItemURI"]["title"] for c in rubric["CFRubricCriteria"]] == ["PC2", "PC1"]
    assert [
        level["score"] for level in rubric["CFRubricCriteria"][1]["CFRubricCriterionLevels"]
    ] == [
        1,
        1.5,
        2,
    ]
    assert package["CFDocument"]["lastChangeDateTime"] == native.last_change


@pytest.mark.django_db
@pytest.mark.parametrize("filename", REAL_PACKAGES)
def test_it_imports_real_packages_intact(
    filename: str, real_data: Path, schema: jsonschema.Draft7Validator
) -> None:
    content = (real_data / OPENSALT / filename).read_bytes()
    original = json.loads(content)
    assert list(schema.iter_errors(original)) == []

    framework = import_bytes(content, filename=filename)

    assert framework.identifier == original["CFDocument"]["identifier"]
    assert framework.title == original["CFDocument"]["title"]
    assert framework.items.count() == len(original["CFItems"])
    assert framework.associations.count() == len(original["CFAssociations"])
    assert by_identifier(export(framework)) == by_identifier(original)
    reimport_is_stable(framework)


@pytest.mark.django_db
def test_it_orders_items_by_sequence_number_then_coding_scheme(real_data: Path) -> None:
    ordered = import_bytes((real_data / OPENSALT / "SequenceNumberFramework.json").read_bytes())
    assert [i.code for i in ordered.items.order_by("position")] == ["SNT.2", "SNT.1"]
    ordered.delete()

    act = import_bytes((real_data / OPENSALT / "Ordering.json").read_bytes())

    codes = [i.code for i in act.items.order_by("position")]
    assert codes[:6] == [
        "H.A.MATH.GM",
        "H.A.MATH.GM.PF",
        "H.A.MATH.GM.PF.2DFP",
        "H.A.MATH.GM.PF.2DFP.L1",
        "H.A.MATH.GM.PF.2DFP.L1.1",
        "H.A.MATH.GM.PF.2DFP.L1.2",
    ]
    assert codes[-1] == "H.A.MATH.GM.PF.2DFP.L1.24"
    level1 = act.items.get(code="H.A.MATH.GM.PF.2DFP.L1")
    assert level1.name == "Level 1" and level1.children.count() == 24
    item = act.items.get(code="H.A.MATH.GM.PF.2DFP.L1.3")
    assert item.notes.startswith("Call a rectangle a door")
    assert item.name == item.code  # no abbreviatedStatement: the code stands in


@pytest.mark.django_db
def test_it_imports_the_2017_export_leniently(
    real_data: Path, schema: jsonschema.Draft7Validator
) -> None:
    content = (real_data / OPENSALT / LENIENT_2017).read_bytes()
    original = json.loads(content)
    assert list(schema.iter_errors(original))  # the file does not conform

    framework = import_bytes(content)

    assert framework.items.count() == 16
    assert framework.associations.count() == 39
    numbered = framework.associations.exclude(sequence_number=None)
    assert sorted(a.sequence_number or 0 for a in numbered) == [1, 2]
    item = framework.items.get(code="CCSS.Math.Content.6.RP.A.1")
    assert item.source["educationalLevel"] == "06"
    assert item.source["CFItemAssociationURI"].endswith("/associations")
    assert item.kind == ItemKind.OTHER and item.item_type == "Standard"
    outside = framework.associations.filter(association_type="exactMatchOf")
    assert outside.count() == 16 and all(a.destination is None for a in outside)
    assert all(a.source["destinationNodeURI"]["uri"] for a in outside)
    exported = export(framework)
    assert exported["CFDefinitions"] == original["CFDefinitions"]
    for entry in original["CFAssociations"]:  # everything else as written
        if "sequenceNumber" in entry:
            entry["sequenceNumber"] = int(entry["sequenceNumber"])
    assert by_identifier(exported) == by_identifier(original)
    reimport_is_stable(framework)


@pytest.mark.django_db
def test_it_round_trips_rubrics_criteria_and_definitions(institution: Institution) -> None:
    package = rubric_package()

    framework = import_package(package, institution)

    descriptors = LevelDescriptor.objects.filter(item__framework=framework)
    assert descriptors.count() == 4
    first = descriptors.get(identifier=uid(100))
    assert (first.item.code, first.level, first.label, first.text) == ("A", 1, "Novice", "Starts")
    assert first.source["level"]["feedback"] == "Keep going"
    assert first.source["criterion"]["weight"] == 2.5
    odd = descriptors.get(identifier=uid(102))
    assert odd.level is None and odd.source["level"]["score"] == 1.25
    assert descriptors.get(identifier=uid(200)).item.identifier == ITEM_B
    assert framework.items.get(identifier=ITEM_B).parent == framework.items.get(identifier=ITEM_A)

    exported = export(framework)
    # A level without a position is given its place in the list.
    package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][2]["position"] = 2
    package["CFRubrics"][1]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][0]["position"] = 0
    assert exported["CFRubrics"] == package["CFRubrics"]
    assert exported["CFDefinitions"] == package["CFDefinitions"]
    reimport_is_stable(framework)


@pytest.mark.django_db
def test_it_keeps_unknown_association_types_and_outside_destinations() -> None:
    package = rubric_package()
    del package["CFRubrics"]
    package["CFAssociations"].append(
        {
            **link(uid(91)),
            "associationType": "ext:alignsWith",
            "originNodeURI": link(ITEM_A, "A"),
            "destinationNodeURI": link(uid(999), "Elsewhere"),
            "sequenceNumber": 7,
            "lastChangeDateTime": STAMP,
        }
    )

    framework = import_package(package)

    outside = framework.associations.get(identifier=uid(91))
    assert outside.association_type == "ext:alignsWith"
    assert outside.origin == framework.items.get(identifier=ITEM_A)
    assert outside.destination is None and outside.destination_identifier == uid(999)
    assert outside.sequence_number == 7
    assert by_identifier(export(framework)) == by_identifier(package)


@pytest.mark.django_db
def test_it_maps_item_types_to_kinds() -> None:
    names = ["Domain", "Sub-competency", "Entrustable Professional Activity", "EPA", "Standard"]
    package = rubric_package()
    package["CFItems"] = [
        {**link(uid(300 + n)), "fullStatement": name, "CFItemType": name}
        for n, name in enumerate(names)
    ]
    package["CFAssociations"] = []
    del package["CFRubrics"]

    framework = import_package(package)

    kinds = [(i.item_type, i.kind) for i in framework.items.order_by("position")]
    assert kinds == [
        ("Domain", ItemKind.DOMAIN),
        ("Sub-competency", ItemKind.SUBCOMPETENCY),
        ("Entrustable Professional Activity", ItemKind.EPA),
        ("EPA", ItemKind.EPA),
        ("Standard", ItemKind.OTHER),
    ]


@pytest.mark.django_db
def test_it_refuses_truncated_json() -> None:
    content = json.dumps(rubric_package(), indent=2).encode()[:300]
    before = Framework.objects.count()

    with pytest.raises(FrameworkImportError) as refused:
        import_bytes(content)

    [problem] = refused.value.problems
    assert problem.line is not None and "not valid JSON" in problem.message
    assert Framework.objects.count() == before


@pytest.mark.django_db
def test_it_refuses_a_corrupted_package_listing_every_problem() -> None:
    package = rubric_package()
    del package["CFItems"][1]["identifier"]
    package["CFItems"].append({"identifier": ITEM_A, "fullStatement": 3})
    package["CFAssociations"].append(
        {
            "identifier": uid(92),
            "associationType": "isRelatedTo",
            "originNodeURI": link(ITEM_A),
            "destinationNodeURI": {"identifier": uid(998), "title": "Nowhere"},
        }
    )
    package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][1].pop("identifier")
    counts = (Framework.objects.count(), Item.objects.count(), Association.objects.count())
    events = AuditEvent.objects.count()

    with pytest.raises(FrameworkImportError) as refused:
        import_package(package)

    assert [str(p) for p in refused.value.problems] == [
        "CFItems[1].identifier: required",
        "CFItems[2].fullStatement: must be a string",
        f"CFItems[2].identifier: identifier '{ITEM_A}' is used twice",
        f"CFAssociations[1].destinationNodeURI: points to '{uid(998)}', which is not in the "
        "package, and gives no uri",
        "CFRubrics[0].CFRubricCriteria[0].CFRubricCriterionLevels[1].identifier: required",
    ]
    assert (Framework.objects.count(), Item.objects.count(), Association.objects.count()) == counts
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_it_refuses_a_package_without_a_document() -> None:
    with pytest.raises(FrameworkImportError) as refused:
        import_bytes(b'{"CFItems": []}')

    assert str(refused.value.problems[0]) == (
        "CFDocument: required: a CASE package has one CFDocument object"
    )


@pytest.mark.django_db
def test_it_refuses_a_package_already_imported(institution: Institution) -> None:
    first = import_package(rubric_package(), institution)
    elsewhere = import_package(rubric_package(), None)  # another owner may have it too

    with pytest.raises(FrameworkImportError) as refused:
        import_package(rubric_package(), institution)

    assert str(refused.value.problems[0]) == (
        f"identifier: framework {DOC} is already imported as {first.slug}"
    )
    assert elsewhere.slug == "rubric-test-2"


@pytest.mark.django_db
def test_it_records_who_imported_a_package(institution: Institution) -> None:
    user = User.objects.create(email="coordinator@riverside.test")

    framework = framework_import(
        content=json.dumps(rubric_package()).encode(),
        filename="rubrics.json",
        institution=institution,
        acting_user=user,
    )

    event = AuditEvent.objects.get(action="framework.import", target_id=str(framework.pk))
    assert event.actor == user and event.institution == institution
    assert event.after is not None
    assert (event.after["format"], event.after["items"], event.after["descriptors"]) == (
        "case",
        2,
        4,
    )
    assert framework.created_by == user


@pytest.mark.django_db
def test_it_sniffs_the_format_from_the_content() -> None:
    case = import_bytes(json.dumps(rubric_package()).encode(), filename="upload")
    csv = import_bytes(b"kind,name\nframework,Sniffed\n", filename="upload")

    assert case.source["CFDocument"]["uri"].endswith(DOC)
    assert csv.title == "Sniffed" and "CFDocument" not in csv.source


@pytest.mark.django_db
def test_it_exports_the_shipped_catalogue_as_valid_case(
    schema: jsonschema.Draft7Validator,
) -> None:
    for framework in Framework.objects.filter(institution=None):
        package = export(framework)
        assert [e.message for e in schema.iter_errors(package)] == [], framework.slug
        assert len(package["CFItems"]) == framework.items.count()


@pytest.mark.django_db
def test_it_refuses_an_item_that_is_its_own_parent() -> None:
    # Issue 16: an item that was its own parent was accepted although loops are refused.
    package = rubric_package()
    item = package["CFItems"][0]["identifier"]
    package["CFAssociations"].append(
        {
            "identifier": uid(93),
            "associationType": "isChildOf",
            "originNodeURI": link(item),
            "destinationNodeURI": link(item),
        }
    )
    counts = (Framework.objects.count(), Item.objects.count())
    with pytest.raises(FrameworkImportError) as refused:
        import_package(package)
    assert any("isChildOf loop" in str(p) for p in refused.value.problems)
    assert (Framework.objects.count(), Item.objects.count()) == counts
