"""Writes to the curriculum map. Each runs in one transaction and is audited there.

The rules of a map cell live in `_set_cell` alone: the grid, the activity page, the
command line and the demo all reach it through `mapping_set_cell` or `mapping_grid_save`.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping as MappingOf
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError

from trellis.audit.services import audit_record, snapshot
from trellis.curriculum.emphasis import LETTERS, format_emphases
from trellis.curriculum.models import (
    Activity,
    ActivityKind,
    AssessmentMethod,
    Emphasis,
    Mapping,
    Objective,
)
from trellis.frameworks.models import Adoption, Framework, Item
from trellis.people.models import Program, User

ACTIVITY_FIELDS = [
    "kind",
    "code",
    "title",
    "description",
    "parent",
    "training_year",
    "duration_hours",
    "duration_weeks",
    "required",
    "instructional_method",
    "keywords",
    "position",
]


@dataclass
class ActivityData:
    """What a person fills in for an activity; the form, the demo and the CLI build one."""

    kind: str
    code: str
    title: str
    description: str = ""
    parent: Activity | None = None
    training_year: int | None = None
    duration_hours: Decimal | None = None
    duration_weeks: int | None = None
    required: bool = True
    instructional_method: str = ""
    keywords: str = ""


def _values(data: ActivityData) -> dict[str, Any]:
    return {f.name: getattr(data, f.name) for f in fields(data)}


def _check_activity(*, program: Program, data: ActivityData, activity: Activity | None) -> None:
    errors: dict[str, str] = {}
    if data.kind not in ActivityKind.values:
        errors["kind"] = "Choose a kind of activity."
    if not data.code.strip():
        errors["code"] = "Give the activity a code."
    if not data.title.strip():
        errors["title"] = "Give the activity a title."
    clash = Activity.objects.filter(program=program, code=data.code.strip())
    if activity is not None:
        clash = clash.exclude(pk=activity.pk)
    if data.code.strip() and clash.exists():
        errors["code"] = "Another activity of this program has this code."
    if data.parent is not None:
        if data.parent.program_id != program.pk:
            errors["parent"] = "The parent belongs to another program."
        elif activity is not None and _is_within(data.parent, activity):
            errors["parent"] = "An activity cannot sit inside itself or its own sessions."
    if data.training_year is not None and not 1 <= data.training_year <= max(
        program.length_years, 1
    ):
        errors["training_year"] = f"Training years run from 1 to {program.length_years}."
    if errors:
        raise ValidationError(errors)


def _is_within(candidate: Activity, ancestor: Activity) -> bool:
    node: Activity | None = candidate
    seen: set[int] = set()
    while node is not None and node.pk not in seen:
        if node.pk == ancestor.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


@transaction.atomic
def activity_create(*, program: Program, data: ActivityData, acting_user: User | None) -> Activity:
    _check_activity(program=program, data=data, activity=None)
    last = Activity.objects.filter(program=program).aggregate(m=Max("position"))["m"]
    values = _values(data)
    values["code"] = data.code.strip()
    activity = Activity.objects.create(program=program, position=(last or 0) + 1, **values)
    audit_record(
        actor=acting_user,
        action="curriculum.activity_create",
        target=activity,
        after=snapshot(activity, ACTIVITY_FIELDS),
        program=program,
    )
    return activity


@transaction.atomic
def activity_update(
    *, activity: Activity, data: ActivityData, acting_user: User | None
) -> Activity:
    _check_activity(program=activity.program, data=data, activity=activity)
    before = snapshot(activity, ACTIVITY_FIELDS)
    for name, value in _values(data).items():
        setattr(activity, name, value)
    activity.code = data.code.strip()
    activity.save()
    audit_record(
        actor=acting_user,
        action="curriculum.activity_update",
        target=activity,
        before=before,
        after=snapshot(activity, ACTIVITY_FIELDS),
        program=activity.program,
    )
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, acting_user: User | None) -> None:
    """Delete an activity with its sessions, objectives and mappings. One on the clinical
    schedule (a rotation) is refused: the schedule points at it."""
    before = snapshot(activity, ACTIVITY_FIELDS)
    program = activity.program
    audit_record(
        actor=acting_user,
        action="curriculum.activity_delete",
        target=activity,
        before=before,
        program=program,
    )
    try:
        activity.delete()
    except ProtectedError as exc:
        raise ValidationError(
            "This activity is on the clinical schedule; take it off the schedule first."
        ) from exc


def _check_objective_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the objective."})
    return text


@transaction.atomic
def objective_create(
    *, activity: Activity, text: str, code: str = "", acting_user: User | None
) -> Objective:
    last = activity.objectives.aggregate(m=Max("position"))["m"]
    objective = Objective.objects.create(
        activity=activity,
        code=code.strip(),
        text=_check_objective_text(text),
        position=(last or 0) + 1,
    )
    audit_record(
        actor=acting_user,
        action="curriculum.objective_create",
        target=objective,
        after=snapshot(objective, ["activity", "code", "text"]),
        program=activity.program,
    )
    return objective


@transaction.atomic
def objective_update(
    *, objective: Objective, text: str, code: str = "", acting_user: User | None
) -> Objective:
    before = snapshot(objective, ["activity", "code", "text"])
    objective.text = _check_objective_text(text)
    objective.code = code.strip()
    objective.save()
    audit_record(
        actor=acting_user,
        action="curriculum.objective_update",
        target=objective,
        before=before,
        after=snapshot(objective, ["activity", "code", "text"]),
        program=objective.activity.program,
    )
    return objective


@transaction.atomic
def objective_delete(*, objective: Objective, acting_user: User | None) -> None:
    audit_record(
        actor=acting_user,
        action="curriculum.objective_delete",
        target=objective,
        before=snapshot(objective, ["activity", "code", "text"]),
        program=objective.activity.program,
    )
    objective.delete()


@dataclass(frozen=True)
class CellChange:
    activity_id: int
    item_id: int
    before: str
    after: str


def _cell_state(rows: Iterable[Mapping]) -> dict[str, Any]:
    rows = list(rows)
    method = next((r.assessment_method for r in rows if r.emphasis == Emphasis.ASSESSED), "")
    return {"emphases": format_emphases(r.emphasis for r in rows), "assessment_method": method}


def _set_cell(
    *,
    activity: Activity,
    item: Item,
    objective: Objective | None,
    emphases: frozenset[str],
    assessment_method: str | None,
    existing: list[Mapping],
    adopted: set[int],
    acting_user: User | None,
) -> CellChange | None:
    """The one place with the rules of a cell. `existing` are the cell's current rows and
    `adopted` the ids of the frameworks the program adopted (passed in so a whole grid
    costs a few queries). `assessment_method` None keeps the method already recorded."""
    unknown = set(emphases) - LETTERS
    if unknown:
        raise ValidationError(f"Unknown emphasis {', '.join(sorted(unknown))}: use I, R or A")
    if item.framework_id not in adopted:
        raise ValidationError(
            f"{item.code or item.name}: the program has not adopted its framework"
        )
    if objective is not None and objective.activity_id != activity.pk:
        raise ValidationError("The objective belongs to another activity")
    if assessment_method and assessment_method not in AssessmentMethod.values:
        raise ValidationError(f"Unknown assessment method {assessment_method}")
    before = _cell_state(existing)
    method = before["assessment_method"] if assessment_method is None else assessment_method
    if Emphasis.ASSESSED not in emphases:
        method = ""
    after = {"emphases": format_emphases(emphases), "assessment_method": method}
    if before == after:
        return None
    have = {row.emphasis: row for row in existing}
    for letter, row in have.items():
        if letter not in emphases:
            row.delete()
    editor = acting_user if acting_user is not None and acting_user.is_authenticated else None
    for letter in emphases:
        row_method = method if letter == Emphasis.ASSESSED else ""
        current = have.get(letter)
        if current is None:
            Mapping.objects.create(
                activity=activity,
                objective=objective,
                item=item,
                emphasis=letter,
                assessment_method=row_method,
                updated_by=editor,
            )
        elif current.assessment_method != row_method:
            current.assessment_method = row_method
            current.updated_by = editor
            current.save(update_fields=["assessment_method", "updated_by", "updated_at"])
    audit_record(
        actor=acting_user,
        action="curriculum.mapping_set",
        target=objective if objective is not None else activity,
        before={"item": item.pk, "item_code": item.code, **before},
        after={"item": item.pk, "item_code": item.code, **after},
        program=activity.program,
    )
    return CellChange(activity.pk, item.pk, before["emphases"], after["emphases"])


def _adopted_ids(program: Program) -> set[int]:
    return set(
        Adoption.objects.current().filter(program=program).values_list("framework_id", flat=True)
    )


@transaction.atomic
def mapping_set_cell(
    *,
    activity: Activity,
    item: Item,
    emphases: Iterable[str],
    assessment_method: str | None = None,
    objective: Objective | None = None,
    acting_user: User | None,
) -> CellChange | None:
    """Make one cell of the map (an activity, or one of its objectives, against an item)
    hold exactly `emphases`. Returns what changed, or None when nothing did."""
    existing = list(
        Mapping.objects.select_for_update().filter(
            activity=activity, item=item, objective=objective
        )
    )
    return _set_cell(
        activity=activity,
        item=item,
        objective=objective,
        emphases=frozenset(emphases),
        assessment_method=assessment_method,
        existing=existing,
        adopted=_adopted_ids(activity.program),
        acting_user=acting_user,
    )


@transaction.atomic
def mapping_grid_save(
    *,
    program: Program,
    framework: Framework,
    cells: MappingOf[tuple[int, int], frozenset[str]],
    acting_user: User | None,
) -> list[CellChange]:
    """Save a whole grid (activity-level cells keyed by activity and item id) at once; only
    cells that differ are written and audited. Activities of another program and items of
    another framework are refused, and then nothing is written."""
    activities = {a.pk: a for a in Activity.objects.filter(program=program)}
    items = {i.pk: i for i in Item.objects.filter(framework=framework)}
    strangers = [key for key in cells if key[0] not in activities or key[1] not in items]
    if strangers:
        raise ValidationError(f"{len(strangers)} cells are not part of this map")
    existing: dict[tuple[int, int], list[Mapping]] = {}
    for row in Mapping.objects.select_for_update().filter(
        activity__program=program, item__framework=framework, objective__isnull=True
    ):
        existing.setdefault((row.activity_id, row.item_id), []).append(row)
    adopted = _adopted_ids(program)
    changes: list[CellChange] = []
    for (activity_id, item_id), emphases in cells.items():
        change = _set_cell(
            activity=activities[activity_id],
            item=items[item_id],
            objective=None,
            emphases=emphases,
            assessment_method=None,
            existing=existing.get((activity_id, item_id), []),
            adopted=adopted,
            acting_user=acting_user,
        )
        if change is not None:
            changes.append(change)
    return changes
