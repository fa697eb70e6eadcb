from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from trellis.audit.models import AuditEvent
from trellis.curriculum.models import Activity, ActivityKind, Mapping
from trellis.curriculum.selectors import activity_level_cells
from trellis.curriculum.services import (
    ActivityData,
    activity_create,
    activity_delete,
    activity_update,
    mapping_grid_save,
    mapping_set_cell,
    objective_create,
    objective_delete,
)
from trellis.curriculum.tests.factories import CraftedMap, item, make_framework
from trellis.testing import People


def cell(activity: Activity, it: object) -> set[str]:
    return set(
        Mapping.objects.filter(activity=activity, item=it, objective=None).values_list(
            "emphasis", flat=True
        )
    )


def test_it_sets_a_cell_and_records_who(crafted: CraftedMap, people: People) -> None:
    pc2 = item(crafted.framework, "PC2")
    change = mapping_set_cell(
        activity=crafted.icu,
        item=pc2,
        emphases={"I", "A"},
        assessment_method="direct_observation",
        acting_user=people.coordinator,
    )
    assert change is not None and change.before == "" and change.after == "IA"
    assert cell(crafted.icu, pc2) == {"I", "A"}
    a_row = Mapping.objects.get(activity=crafted.icu, item=pc2, emphasis="A")
    assert a_row.assessment_method == "direct_observation"
    assert a_row.updated_by == people.coordinator
    event = AuditEvent.objects.get(action="curriculum.mapping_set")
    assert event.actor == people.coordinator
    assert event.after["emphases"] == "IA"
    assert event.program == people.program


def test_it_changes_nothing_when_the_cell_is_the_same(crafted: CraftedMap, people: People) -> None:
    pc1 = item(crafted.framework, "PC1")
    change = mapping_set_cell(
        activity=crafted.wards, item=pc1, emphases="IRA", acting_user=people.coordinator
    )
    assert change is None
    assert not AuditEvent.objects.filter(action="curriculum.mapping_set").exists()
    # The method recorded earlier is kept when none is given.
    assert Mapping.objects.get(activity=crafted.wards, item=pc1, emphasis="A").assessment_method


def test_it_drops_the_method_when_assessed_is_removed(crafted: CraftedMap, people: People) -> None:
    pc1 = item(crafted.framework, "PC1")
    mapping_set_cell(activity=crafted.wards, item=pc1, emphases="R", acting_user=people.director)
    assert cell(crafted.wards, pc1) == {"R"}
    assert (
        not Mapping.objects.filter(activity=crafted.wards, item=pc1)
        .exclude(assessment_method="")
        .exists()
    )


def test_it_refuses_an_item_of_a_framework_not_adopted(crafted: CraftedMap, people: People) -> None:
    etp1 = item(crafted.developmental, "ETP1")
    with pytest.raises(ValidationError, match="not adopted"):
        mapping_set_cell(activity=crafted.icu, item=etp1, emphases="I", acting_user=None)


def test_it_refuses_an_objective_of_another_activity(crafted: CraftedMap) -> None:
    with pytest.raises(ValidationError, match="another activity"):
        mapping_set_cell(
            activity=crafted.icu,
            item=item(crafted.framework, "PC1"),
            objective=crafted.objective,
            emphases="I",
            acting_user=None,
        )


def test_it_maps_an_objective(crafted: CraftedMap, people: People) -> None:
    mapping_set_cell(
        activity=crafted.session,
        objective=crafted.objective,
        item=item(crafted.framework, "PC1"),
        emphases="A",
        assessment_method="written_exam",
        acting_user=people.coordinator,
    )
    row = Mapping.objects.get(objective=crafted.objective, item__code="PC1")
    assert row.emphasis == "A" and row.assessment_method == "written_exam"


def test_it_saves_a_whole_grid_and_audits_each_changed_cell(
    crafted: CraftedMap, people: People
) -> None:
    fw = crafted.framework
    pc1, pc2, prof1 = item(fw, "PC1"), item(fw, "PC2"), item(fw, "PROF1")
    changes = mapping_grid_save(
        program=people.program,
        framework=fw,
        cells={
            (crafted.wards.pk, pc1.pk): frozenset("IRA"),  # unchanged
            (crafted.wards.pk, pc2.pk): frozenset(),  # cleared
            (crafted.clinic.pk, prof1.pk): frozenset("RA"),  # new
        },
        acting_user=people.coordinator,
    )
    assert {(c.item_id, c.after) for c in changes} == {(pc2.pk, ""), (prof1.pk, "RA")}
    assert cell(crafted.wards, pc2) == set()
    assert cell(crafted.clinic, prof1) == {"R", "A"}
    assert AuditEvent.objects.filter(action="curriculum.mapping_set").count() == 2


def test_it_refuses_a_grid_with_cells_of_another_program(
    crafted: CraftedMap, people: People
) -> None:
    stranger = Activity.objects.create(
        program=people.other_program, code="X", title="X", kind=ActivityKind.COURSE
    )
    pc1 = item(crafted.framework, "PC1")
    with pytest.raises(ValidationError):
        mapping_grid_save(
            program=people.program,
            framework=crafted.framework,
            cells={(stranger.pk, pc1.pk): frozenset("I"), (crafted.icu.pk, pc1.pk): frozenset()},
            acting_user=people.coordinator,
        )
    assert cell(crafted.icu, pc1) == {"R"}


def test_the_grid_needs_few_queries(
    crafted: CraftedMap, people: People, django_assert_max_num_queries
) -> None:
    items = [item(crafted.framework, c) for c in ("PC1", "PC2", "MK1")]
    cells = {(a.pk, i.pk): frozenset() for a in (crafted.wards, crafted.icu) for i in items}
    with django_assert_max_num_queries(30):
        mapping_grid_save(
            program=people.program,
            framework=crafted.framework,
            cells=cells,
            acting_user=people.coordinator,
        )
    assert (
        activity_level_cells(program=people.program, items=items).get(
            (crafted.wards.pk, items[0].pk)
        )
        is None
    )


def test_it_creates_updates_and_deletes_an_activity(people: People) -> None:
    course = activity_create(
        program=people.program,
        data=ActivityData(kind="course", code=" MORNING ", title="Morning report"),
        acting_user=people.coordinator,
    )
    assert course.code == "MORNING" and course.position == 1
    session = activity_create(
        program=people.program,
        data=ActivityData(
            kind="session",
            code="MR-1",
            title="Chest pain",
            parent=course,
            duration_hours=Decimal(1),
        ),
        acting_user=people.coordinator,
    )
    assert session.position == 2
    activity_update(
        activity=course,
        data=ActivityData(kind="course", code="MORNING", title="Morning report", training_year=2),
        acting_user=people.director,
    )
    course.refresh_from_db()
    assert course.training_year == 2
    objective_create(activity=session, text="Risk-stratify chest pain", acting_user=None)
    activity_delete(activity=course, acting_user=people.director)
    assert not Activity.objects.filter(program=people.program).exists()
    events = AuditEvent.objects.filter(action__startswith="curriculum.").order_by("id")
    actions = list(events.values_list("action", flat=True))
    assert actions == [
        "curriculum.activity_create",
        "curriculum.activity_create",
        "curriculum.activity_update",
        "curriculum.objective_create",
        "curriculum.activity_delete",
    ]


def test_it_refuses_a_duplicate_code_and_a_loop(people: People) -> None:
    course = activity_create(
        program=people.program,
        data=ActivityData(kind="course", code="C", title="Course"),
        acting_user=None,
    )
    with pytest.raises(ValidationError) as err:
        activity_create(
            program=people.program,
            data=ActivityData(kind="course", code="C", title="Again"),
            acting_user=None,
        )
    assert "code" in err.value.message_dict
    session = activity_create(
        program=people.program,
        data=ActivityData(kind="session", code="S", title="S", parent=course),
        acting_user=None,
    )
    with pytest.raises(ValidationError) as err:
        activity_update(
            activity=course,
            data=ActivityData(kind="course", code="C", title="Course", parent=session),
            acting_user=None,
        )
    assert "parent" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        activity_create(
            program=people.program,
            data=ActivityData(kind="course", code="Y", title="Y", training_year=9),
            acting_user=None,
        )
    assert "training_year" in err.value.message_dict


def test_it_deletes_an_objective_with_its_mappings(crafted: CraftedMap, people: People) -> None:
    objective_delete(objective=crafted.objective, acting_user=people.coordinator)
    assert not Mapping.objects.filter(activity=crafted.session).exists()
    assert AuditEvent.objects.filter(action="curriculum.objective_delete").exists()


def test_developmental_frameworks_map_the_same_way(crafted: CraftedMap, people: People) -> None:
    workshop = activity_create(
        program=people.fd_program,
        data=ActivityData(kind="workshop", code="FB", title="Feedback that lands"),
        acting_user=people.fd_lead,
    )
    mapping_set_cell(
        activity=workshop,
        item=item(crafted.developmental, "ETP1"),
        emphases="IR",
        acting_user=people.fd_lead,
    )
    assert cell(workshop, item(crafted.developmental, "ETP1")) == {"I", "R"}


def test_a_framework_without_subcompetencies_uses_its_leaves(people: People) -> None:
    from trellis.curriculum.selectors import map_columns
    from trellis.frameworks.models import Item, ItemKind

    fw = make_framework("flat", codes=())
    Item.objects.create(framework=fw, kind=ItemKind.OTHER, code="X1", name="X", statement="X")
    assert [i.code for i in map_columns(framework=fw)] == ["X1"]
