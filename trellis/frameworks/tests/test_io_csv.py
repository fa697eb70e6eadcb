from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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

SAMPLE = (
    "kind,code,name,statement,parent,related,identifier,level_1,level_1.5,level_2,"
    "version,scale,developmental,publisher,language\n"
    "framework,im-test,Internal Medicine Test,A test framework,,,,,,,2.0,milestone,no,ACGME,en\n"
    "domain,PC,Patient Care,,,,,,,,,,,,\n"
    "subcompetency,PC1,History,Takes a history,PC,,,Gathers facts,Between,Focused,,,,,\n"
    'subcompetency,PC2,Exam,"Performs an exam, carefully",PC,,,Notices,,Targets,,,,,\n'
    "epa,EPA1,Admit a patient,,,PC1;PC2,,,,,,,,,\n"
    "item,,Loose item,,,,,,,,,,,,\n"
)


@dataclass
class Owner:
    """Who imports: an institution and a coordinator (no password, so no slow hashing)."""

    institution: Institution
    coordinator: User


@pytest.fixture
def owner(db: None) -> Owner:
    return Owner(
        institution=Institution.objects.create(slug="riverside", name="Riverside"),
        coordinator=User.objects.create(email="coordinator@riverside.test"),
    )


@pytest.fixture
def milestone(db: None) -> Scale:
    scale, _ = Scale.objects.get_or_create(
        slug="milestone", defaults={"name": "Milestones", "kind": ScaleKind.MILESTONE}
    )
    return scale


def import_csv(content: str | bytes, owner: Owner | None = None, **kwargs: object) -> Framework:
    data = content.encode() if isinstance(content, str) else content
    return framework_import(
        content=data,
        filename="framework.csv",
        institution=owner.institution if owner else None,
        acting_user=owner.coordinator if owner else None,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.django_db
def test_it_imports_a_framework_tree_with_descriptors(owner: Owner, milestone: Scale) -> None:
    framework = import_csv(SAMPLE, owner)

    assert framework.slug == "im-test"
    assert (framework.title, framework.version, framework.publisher) == (
        "Internal Medicine Test",
        "2.0",
        "ACGME",
    )
    assert framework.description == "A test framework"
    assert framework.scale == milestone
    assert framework.institution == owner.institution
    assert framework.last_change
    items = {item.code or item.name: item for item in framework.items.all()}
    assert [i.code or i.name for i in framework.items.order_by("position")] == [
        "PC",
        "PC1",
        "PC2",
        "EPA1",
        "Loose item",
    ]
    assert items["PC1"].parent == items["PC"]
    assert items["PC"].parent is None
    assert items["PC"].kind == ItemKind.DOMAIN and items["PC"].item_type == "Domain"
    assert items["EPA1"].kind == ItemKind.EPA and items["EPA1"].item_type == "EPA"
    assert items["Loose item"].kind == ItemKind.OTHER and items["Loose item"].item_type == ""
    assert items["PC1"].statement == "Takes a history"
    assert items["PC"].statement == "Patient Care"
    assert [(d.level, d.text) for d in items["PC1"].descriptors.all()] == [
        (Decimal("1.0"), "Gathers facts"),
        (Decimal("1.5"), "Between"),
        (Decimal("2.0"), "Focused"),
    ]
    child_of = framework.associations.filter(association_type=Association.IS_CHILD_OF)
    assert child_of.count() == 5
    assert child_of.get(origin=items["PC1"]).destination == items["PC"]
    top = child_of.get(origin=items["PC"])
    assert top.destination is None and top.destination_identifier == framework.identifier
    related = framework.associations.filter(association_type=Association.IS_RELATED_TO)
    assert {a.destination for a in related} == {items["PC1"], items["PC2"]}
    assert all(a.origin == items["EPA1"] for a in related)


@pytest.mark.django_db
def test_it_records_an_audit_event(owner: Owner, milestone: Scale) -> None:
    framework = import_csv(SAMPLE, owner)

    event = AuditEvent.objects.get(action="framework.import", target_id=str(framework.pk))
    assert event.actor == owner.coordinator
    assert event.target_id == str(framework.pk)
    assert event.institution == owner.institution
    assert event.after is not None and event.after["items"] == 5


@pytest.mark.django_db
def test_it_round_trips_a_native_framework_through_csv(owner: Owner, milestone: Scale) -> None:
    framework = import_csv(SAMPLE, owner)
    first = framework_export(framework=framework, format="csv")
    framework.delete()

    again = import_csv(first, owner)
    second = framework_export(framework=again, format="csv")

    assert second == first
    assert again.slug == "im-test"
    assert again.items.count() == 5
    assert LevelDescriptor.objects.filter(item__framework=again).count() == 5


@pytest.mark.django_db
def test_it_tolerates_spreadsheet_habits_and_any_column_order(milestone: Scale) -> None:
    # Spreadsheets add a BOM, CRLF, unnamed columns and trailing commas.
    content = (
        "\ufeffname,kind,parent,code,\r\n"
        "Tiny,framework,,,\r\n"
        "Top,domain,,D\r\n"
        ",,,\r\n"
        "Leaf,item,D,,,\r\n"
    )

    framework = import_csv(content.encode("utf-8"))

    assert framework.slug == "tiny"
    assert framework.institution is None
    leaf = framework.items.get(name="Leaf")
    assert leaf.parent is not None and leaf.parent.code == "D"


@pytest.mark.django_db
def test_it_refuses_a_file_listing_every_problem_and_writes_nothing(owner: Owner) -> None:
    frameworks, items = Framework.objects.count(), Item.objects.count()
    content = (
        "kind,code,name,parent,related,version,scale,developmental,colour\n"
        "framework,Bad Slug,Broken,,,1,nosuch,maybe,\n"
    )
    with pytest.raises(FrameworkImportError) as refused:
        import_csv(content, owner)
    assert [str(p) for p in refused.value.problems] == ["line 1, field 'colour': unknown column"]

    content = (
        "kind,code,name,parent,related,version,scale,developmental\n"
        "framework,Bad Slug,Broken,,,1,nosuch,maybe\n"
        "domain,PC,Patient Care,,,,,\n"
        "competency,PC1,,PC,,,,\n"
        "competency,PC1,Again,PC9,,,,\n"
        "widget,W1,Widget,,,,,\n"
        "competency,S1,Sub,,PC1,,,\n"
        "epa,E1,Entrust,,PC1;nosuch:X;PC7,2,,\n"
        "framework,other,Second,,,,,\n"
    )
    with pytest.raises(FrameworkImportError) as refused:
        import_csv(content, owner)

    messages = [str(p) for p in refused.value.problems]
    assert messages[1].startswith("line 2, field 'scale': no scale 'nosuch' (known: ")
    del messages[1]
    assert messages == [
        "line 2, field 'code': 'Bad Slug' is not a valid framework slug "
        "(lowercase letters, digits, hyphens)",
        "line 2, field 'developmental': expected yes or no",
        "line 4, field 'name': required",
        "line 5, field 'code': code 'PC1' is already used on line 4",
        "line 5, field 'parent': no item with code 'PC9'",
        "line 6, field 'kind': unknown kind 'widget' (expected one of framework, domain, "
        "competency, subcompetency, epa, item)",
        "line 7, field 'related': only subcompetency and EPA rows list related items",
        "line 8, field 'version': only the framework row takes a version",
        "line 8, field 'related': no framework 'nosuch' for 'nosuch:X'",
        "line 8, field 'related': no item with code 'PC7'",
        "line 9, field 'kind': only one framework row is allowed",
    ]
    assert (Framework.objects.count(), Item.objects.count()) == (frameworks, items)
    assert not AuditEvent.objects.filter(action="framework.import", actor=owner.coordinator)


@pytest.mark.django_db
def test_it_refuses_a_first_row_that_is_not_the_framework(owner: Owner) -> None:
    with pytest.raises(FrameworkImportError) as refused:
        import_csv("kind,name\ndomain,Top\n", owner)

    assert "line 2, field 'kind': the first row must be the framework row" in str(refused.value)


@pytest.mark.django_db
def test_it_refuses_parent_loops(owner: Owner) -> None:
    content = "kind,code,name,parent\nframework,,Loop,\ndomain,A,A,B\ndomain,B,B,A\n"

    with pytest.raises(FrameworkImportError) as refused:
        import_csv(content, owner)

    assert [str(p) for p in refused.value.problems] == [
        "line 3, field 'parent': the parents form a loop: A > B > A"
    ]


@pytest.mark.django_db
def test_it_refuses_a_framework_already_imported(owner: Owner, milestone: Scale) -> None:
    first = import_csv(SAMPLE, owner)
    count = Framework.objects.count()

    with pytest.raises(FrameworkImportError) as refused:
        import_csv(SAMPLE, owner)

    assert f"already imported as {first.slug}" in str(refused.value)
    assert Framework.objects.count() == count


@pytest.mark.django_db
def test_it_makes_the_slug_unique_across_institutions(owner: Owner, milestone: Scale) -> None:
    catalogue = import_csv(SAMPLE)
    local = import_csv(SAMPLE, owner)
    named = import_csv(SAMPLE.replace(",2.0,", ",3.0,"), owner, slug="im-v3")

    assert (catalogue.slug, local.slug, named.slug) == ("im-test", "im-test-2", "im-v3")
    assert catalogue.identifier == local.identifier


@pytest.mark.django_db
def test_it_links_epas_to_items_of_another_framework(owner: Owner, milestone: Scale) -> None:
    subs = import_csv(SAMPLE)
    content = "kind,code,name,related\nframework,epas,EPAs,\nepa,E1,Admit,im-test:PC1;im-test:PC2\n"

    framework = import_csv(content, owner)

    related = framework.associations.filter(association_type=Association.IS_RELATED_TO)
    assert {a.destination for a in related} == set(subs.items.filter(code__in=["PC1", "PC2"]))
    exported = framework_export(framework=framework, format="csv").decode()
    assert "im-test:PC1;im-test:PC2" in exported


@pytest.mark.django_db
def test_it_counts_lines_across_quoted_line_breaks(owner: Owner) -> None:
    content = (
        "kind,code,name,statement,parent\n"
        "framework,,Multi,,\n"
        'domain,D,"Two\nlines",,\n'
        "item,,Leaf,,X\n"
    )

    with pytest.raises(FrameworkImportError) as refused:
        import_csv(content, owner)

    assert [str(p) for p in refused.value.problems] == [
        "line 5, field 'parent': no item with code 'X'"
    ]


@pytest.mark.django_db
def test_it_refuses_text_that_is_not_utf8(owner: Owner) -> None:
    with pytest.raises(FrameworkImportError) as refused:
        import_csv("kind,name\nframework,Caf\u00e9\n".encode("latin-1"), owner)

    assert str(refused.value.problems[0]) == "line 2: not UTF-8 text (byte 24)"
