"""Reads of the curriculum map: activities in order, the matrix against a framework, and
the gap and overlap analysis that the page, the exports and the command line share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from django.db.models import Count, QuerySet

from trellis.curriculum.emphasis import format_emphases, strongest
from trellis.curriculum.models import Activity, AssessmentMethod, Emphasis, Mapping, Objective
from trellis.frameworks.crosswalk import items_through
from trellis.frameworks.models import Framework, Item, ItemKind
from trellis.people.models import Program

# "Taught in many places but assessed in none" starts at this many activities.
MANY_PLACES = 3
COLUMN_KINDS = (ItemKind.SUBCOMPETENCY, ItemKind.EPA)

Cell = tuple[int, int]  # (activity id, item id)


class _Tree(Protocol):
    pk: int
    parent_id: int | None
    position: int


T = TypeVar("T", bound=_Tree)


def tree_order(nodes: Iterable[T]) -> list[tuple[T, int]]:
    """Nodes depth first, siblings by position then id, each with its depth. A node whose
    parent is not among `nodes` counts as a root."""
    nodes = list(nodes)
    ids = {n.pk for n in nodes}
    children: dict[int | None, list[T]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id if node.parent_id in ids else None].append(node)
    for siblings in children.values():
        siblings.sort(key=lambda n: (n.position, n.pk))
    out: list[tuple[T, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in children.get(parent, []):
            out.append((node, depth))
            walk(node.pk, depth + 1)

    walk(None, 0)
    return out


def curriculum_frameworks(
    *, program: Program, developmental: bool | None = None
) -> list[Framework]:
    """The frameworks the program adopted, the ones a map can be drawn against."""
    # In the order the program adopted them: its main framework usually comes first.
    qs = Framework.objects.filter(adoptions__program=program, adoptions__replaced_at=None).order_by(
        "adoptions__id"
    )
    if developmental is not None:
        qs = qs.filter(developmental=developmental)
    return list(qs)


def map_columns(*, framework: Framework) -> list[Item]:
    """The items a map has columns for: subcompetencies and EPAs, in the framework's order.
    A framework with neither (a flat list) uses its leaves."""
    items = list(framework.items.all())
    ordered = [item for item, _ in tree_order(items)]
    columns = [item for item in ordered if item.kind in COLUMN_KINDS]
    if columns:
        return columns
    parents = {item.parent_id for item in items}
    return [item for item in ordered if item.pk not in parents]


@dataclass(frozen=True)
class ActivityRow:
    activity: Activity
    depth: int
    objectives: int = 0
    mapped_items: int = 0
    has_children: bool = False


def program_activities(*, program: Program) -> list[Activity]:
    return [a for a, _ in tree_order(Activity.objects.filter(program=program))]


def activity_rows(*, program: Program) -> list[ActivityRow]:
    """Every activity of the program in tree order (a course, then its sessions), with how
    many objectives it has and how many framework items it is mapped to."""
    qs: QuerySet[Activity] = Activity.objects.filter(program=program).annotate(
        n_objectives=Count("objectives", distinct=True),
        n_items=Count("mappings__item", distinct=True),
    )
    ordered = tree_order(qs)
    parents = {a.parent_id for a, _ in ordered}
    return [
        ActivityRow(
            activity=a,
            depth=depth,
            objectives=a.n_objectives,  # type: ignore[attr-defined]
            mapped_items=a.n_items,  # type: ignore[attr-defined]
            has_children=a.pk in parents,
        )
        for a, depth in ordered
    ]


def activity_level_cells(*, program: Program, items: Sequence[Item]) -> dict[Cell, frozenset[str]]:
    """What the grid edits: the emphases set on each activity itself (not its objectives)."""
    cells: dict[Cell, set[str]] = defaultdict(set)
    rows = Mapping.objects.filter(
        activity__program=program, item__in=list(items), objective__isnull=True
    ).values_list("activity_id", "item_id", "emphasis")
    for activity_id, item_id, emphasis in rows:
        cells[(activity_id, item_id)].add(emphasis)
    return {key: frozenset(value) for key, value in cells.items()}


@dataclass(frozen=True)
class MappedCell:
    """One cell of an activity's map: the activity or one objective, against one item."""

    objective: Objective | None
    item: Item
    emphases: str
    assessment_method: str

    @property
    def assessment_method_label(self) -> str:
        return str(dict(AssessmentMethod.choices).get(self.assessment_method, ""))


def activity_mapped_cells(*, activity: Activity) -> list[MappedCell]:
    """An activity's cells, its own first and then its objectives', for its page."""
    rows = (
        Mapping.objects.filter(activity=activity)
        .select_related("item__framework", "objective")
        .order_by("objective__position", "objective_id", "item__framework__title", "item__position")
    )
    grouped: dict[tuple[int | None, int], list[Mapping]] = {}
    for row in rows:
        grouped.setdefault((row.objective_id, row.item_id), []).append(row)
    cells = [
        MappedCell(
            objective=group[0].objective,
            item=group[0].item,
            emphases=format_emphases(r.emphasis for r in group),
            assessment_method=next((r.assessment_method for r in group if r.assessment_method), ""),
        )
        for group in grouped.values()
    ]
    cells.sort(key=lambda c: (c.objective is not None, c.objective.position if c.objective else 0))
    return cells


def activity_objectives(*, activity: Activity) -> list[Objective]:
    return list(activity.objectives.all())


@dataclass(frozen=True)
class ItemCoverage:
    """Where one item is introduced, reinforced and assessed, and by what methods."""

    item: Item
    introduced: tuple[Activity, ...] = ()
    reinforced: tuple[Activity, ...] = ()
    assessed: tuple[Activity, ...] = ()
    methods: tuple[str, ...] = ()
    # Items of an earlier version whose mappings count here (see `curriculum_gaps`).
    carried_from: tuple[str, ...] = ()

    @property
    def mapped(self) -> bool:
        return bool(self.introduced or self.reinforced or self.assessed)

    @property
    def taught_in(self) -> int:
        """How many distinct activities introduce or reinforce it."""
        return len({a.pk for a in self.introduced + self.reinforced})

    @property
    def is_assessed(self) -> bool:
        return bool(self.assessed)

    @property
    def only_introduced(self) -> bool:
        return bool(self.introduced) and not self.reinforced and not self.assessed


@dataclass(frozen=True)
class HeatCell:
    letters: str
    heat: str  # "a", "r", "i" or "": the strongest emphasis, for the colour class


@dataclass(frozen=True)
class HeatRow:
    activity: Activity
    cells: list[HeatCell]


@dataclass
class GapReport:
    program: Program
    framework: Framework
    activities: list[Activity]
    items: list[Item]
    cells: dict[Cell, frozenset[str]]
    coverage: list[ItemCoverage]
    never_assessed: list[ItemCoverage] = field(default_factory=list)
    only_introduced: list[ItemCoverage] = field(default_factory=list)
    taught_not_assessed: list[ItemCoverage] = field(default_factory=list)
    not_mapped: list[ItemCoverage] = field(default_factory=list)
    many_places: int = MANY_PLACES

    def cell(self, activity: Activity, item: Item) -> str:
        return format_emphases(self.cells.get((activity.pk, item.pk), ()))

    @property
    def heat_rows(self) -> list[HeatRow]:
        rows = []
        for activity in self.activities:
            cells = []
            for item in self.items:
                letters = self.cell(activity, item)
                cells.append(HeatCell(letters=letters, heat=strongest(letters).lower()))
            rows.append(HeatRow(activity=activity, cells=cells))
        return rows

    @property
    def assessed_count(self) -> int:
        return sum(1 for c in self.coverage if c.is_assessed)

    @property
    def mapped_count(self) -> int:
        return sum(1 for c in self.coverage if c.mapped)

    def gap_lists(self) -> list[tuple[str, str, list[ItemCoverage]]]:
        """(key, heading, items) for each list, in the order the page and exports show."""
        return [
            ("never_assessed", "Taught but never assessed", self.never_assessed),
            ("only_introduced", "Only introduced", self.only_introduced),
            (
                "taught_not_assessed",
                f"Taught in {self.many_places} or more places but assessed in none",
                self.taught_not_assessed,
            ),
            ("not_mapped", "Not mapped at all", self.not_mapped),
        ]


def curriculum_gaps(*, program: Program, framework: Framework) -> GapReport:
    """The program's map against one adopted framework, and its gaps and overlaps.

    A mapping on an objective counts for the objective's activity. For each subcompetency
    and EPA: where it is introduced, reinforced and assessed. The lists: items taught (I
    or R) but never assessed; items only ever introduced; items taught in MANY_PLACES or
    more activities but assessed in none (an overlap worth a look); items not mapped at all.
    A mapping on an item of a version the program moved on from counts for the items it
    became (`frameworks.crosswalk`); the mapping itself is left as it was.
    """
    activities = program_activities(program=program)
    items = map_columns(framework=framework)
    by_id = {a.pk: a for a in activities}
    shown = {it.pk for it in items}
    through = {
        old: c for old, c in items_through(program=program).items() if shown.intersection(c.to)
    }
    cells: dict[Cell, set[str]] = defaultdict(set)
    methods: dict[int, set[str]] = defaultdict(set)
    carried: dict[int, list[str]] = defaultdict(list)
    rows = Mapping.objects.filter(
        activity__program=program, item_id__in=shown | set(through)
    ).values_list("activity_id", "item_id", "emphasis", "assessment_method")
    for activity_id, item_id, emphasis, method in rows:
        origin = through.get(item_id)
        for target in [t for t in origin.to if t in shown] if origin else [item_id]:
            cells[(activity_id, target)].add(emphasis)
            if emphasis == Emphasis.ASSESSED and method:
                methods[target].add(method)
            if origin is not None and origin.label not in carried[target]:
                carried[target].append(origin.label)
    labels = dict(AssessmentMethod.choices)
    coverage: list[ItemCoverage] = []
    for item in items:
        where: dict[str, list[Activity]] = {"I": [], "R": [], "A": []}
        for activity in activities:
            for letter in cells.get((activity.pk, item.pk), ()):
                where[letter].append(by_id[activity.pk])
        coverage.append(
            ItemCoverage(
                item=item,
                introduced=tuple(where["I"]),
                reinforced=tuple(where["R"]),
                assessed=tuple(where["A"]),
                methods=tuple(sorted(str(labels.get(m, m)) for m in methods[item.pk])),
                carried_from=tuple(carried.get(item.pk, ())),
            )
        )
    report = GapReport(
        program=program,
        framework=framework,
        activities=activities,
        items=items,
        cells={key: frozenset(value) for key, value in cells.items()},
        coverage=coverage,
    )
    for c in coverage:
        if not c.mapped:
            report.not_mapped.append(c)
            continue
        if not c.is_assessed:
            report.never_assessed.append(c)
            if c.taught_in >= MANY_PLACES:
                report.taught_not_assessed.append(c)
        if c.only_introduced:
            report.only_introduced.append(c)
    return report
