"""The editable grid: activities as rows, a framework's subcompetencies and EPAs as columns,
each cell a text input holding I, R and A. One POST carries the whole grid; when a cell is
wrong nothing is saved and every cell is shown again as typed."""

from __future__ import annotations

from collections.abc import Mapping as MappingOf
from dataclasses import dataclass, field

from trellis.curriculum.emphasis import (
    EmphasisError,
    format_emphases,
    parse_emphases,
    strongest,
)
from trellis.curriculum.models import Activity
from trellis.curriculum.selectors import activity_level_cells, map_columns, tree_order
from trellis.frameworks.models import Framework, Item
from trellis.people.models import Program

MAX_CELL_LENGTH = 8


def cell_name(activity_id: int, item_id: int) -> str:
    return f"cell-{activity_id}-{item_id}"


@dataclass
class GridCell:
    activity: Activity
    item: Item
    value: str
    error: str = ""

    @property
    def name(self) -> str:
        return cell_name(self.activity.pk, self.item.pk)

    @property
    def heat(self) -> str:
        """The strongest emphasis typed, lower case, for the cell's colour class."""
        if self.error:
            return ""
        try:
            return strongest(parse_emphases(self.value)).lower()
        except EmphasisError:
            return ""

    @property
    def label(self) -> str:
        return (
            f"Activity {self.activity.code} {self.activity.title}, "
            f"item {self.item.code} {self.item.name}".replace("  ", " ")
        )


@dataclass
class GridRow:
    activity: Activity
    depth: int
    cells: list[GridCell]


@dataclass
class Grid:
    framework: Framework
    items: list[Item]
    rows: list[GridRow]
    parsed: dict[tuple[int, int], frozenset[str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[GridCell]:
        return [cell for row in self.rows for cell in row.cells if cell.error]

    @property
    def is_valid(self) -> bool:
        return not self.errors


def grid_build(
    *, program: Program, framework: Framework, data: MappingOf[str, str] | None = None
) -> Grid:
    """The grid as saved (data None) or as submitted. Submitted cells are parsed into
    `parsed`; a cell missing from the submission is left as it is."""
    items = map_columns(framework=framework)
    activities = tree_order(Activity.objects.filter(program=program))
    saved = activity_level_cells(program=program, items=items)
    grid = Grid(framework=framework, items=items, rows=[])
    for activity, depth in activities:
        cells: list[GridCell] = []
        for item in items:
            key = (activity.pk, item.pk)
            value = format_emphases(saved.get(key, ()))
            cell = GridCell(activity=activity, item=item, value=value)
            if data is not None and cell.name in data:
                cell.value = (data.get(cell.name) or "").strip()[: MAX_CELL_LENGTH * 4]
                _parse_into(grid, cell, key)
            cells.append(cell)
        grid.rows.append(GridRow(activity=activity, depth=depth, cells=cells))
    return grid


def _parse_into(grid: Grid, cell: GridCell, key: tuple[int, int]) -> None:
    if len(cell.value) > MAX_CELL_LENGTH:
        cell.error = "Too long: use the letters I, R and A"
        return
    try:
        emphases = parse_emphases(cell.value)
    except EmphasisError as exc:
        cell.error = str(exc)
        return
    grid.parsed[key] = emphases
    cell.value = format_emphases(emphases)
