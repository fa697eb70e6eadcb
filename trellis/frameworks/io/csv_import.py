"""Read a framework from the Trellis CSV layout (docs/formats.md, "Framework CSV").

One file is one framework: a header row, then the framework row, then one row per item.
Every problem is collected with its file line and column before anything is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.text import slugify

from trellis.frameworks.io.common import CSV_KINDS, make_identifier, node_uri, now_stamp
from trellis.frameworks.io.errors import Problems
from trellis.frameworks.io.plan import (
    AssociationPlan,
    DescriptorPlan,
    FrameworkPlan,
    ItemPlan,
    is_slug,
    tree_associations,
)
from trellis.frameworks.models import Association, Framework, Item, ItemKind, Scale
from trellis.lib.importing import UnreadableFile, read_table
from trellis.people.models import Institution

# An EPA relates to the milestones it draws on; a program objective (a subcompetency) to the
# reference competencies it answers, such as the AAMC's PCRS for the Curriculum Inventory.
RELATING_KINDS = frozenset({ItemKind.EPA, ItemKind.SUBCOMPETENCY})

BASE_COLUMNS = ("kind", "code", "name", "statement", "parent", "related", "identifier")
FRAMEWORK_COLUMNS = ("version", "scale", "developmental", "publisher", "language")
REQUIRED_COLUMNS = ("kind", "name")
LEVEL_COLUMN = re.compile(r"^level_(\d+(?:\.\d+)?)$")
MAX_ROWS = 20_000  # items in one framework: ten times the largest published
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}

# Longest values the model columns take.
LIMITS = {
    "code": 64,
    "name": 255,
    "identifier": 255,
    "version": 64,
    "publisher": 255,
    "language": 16,
}


@dataclass
class Row:
    line: int
    cells: dict[str, str]
    levels: dict[Decimal, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


def _level_columns(header: list[str], problems: Problems) -> dict[str, Decimal]:
    levels: dict[str, Decimal] = {}
    for column in header:
        match = LEVEL_COLUMN.match(column)
        if not match:
            continue
        value = Decimal(match.group(1))
        if value * 2 != (value * 2).to_integral_value() or not Decimal(0) <= value <= Decimal(10):
            problems.add("levels run from 0 to 10 in half levels", line=1, field=column)
            continue
        if value in levels.values():
            problems.add("another column names the same level", line=1, field=column)
            continue
        levels[column] = value
    return levels


def _read_rows(content: bytes, problems: Problems) -> tuple[list[Row], bool]:
    """The data rows with their first line numbers; False when the header is unusable."""
    try:
        table = read_table(data=content, casefold=True, max_rows=MAX_ROWS)
    except UnreadableFile as exc:
        problems.add(exc.reason, line=exc.line)
        return [], False
    header = table.header
    if not any(header):
        problems.add("the file is empty: a header row is required", line=1)
        return [], False
    seen: set[str] = set()
    for column in header:
        if not column:
            continue  # spreadsheets add unnamed columns; a value under one is an error
        if column in seen:
            problems.add("the column appears twice", line=1, field=column)
        elif column not in BASE_COLUMNS + FRAMEWORK_COLUMNS and not LEVEL_COLUMN.match(column):
            problems.add("unknown column", line=1, field=column)
        seen.add(column)
    for column in REQUIRED_COLUMNS:
        if column not in seen:
            problems.add("a required column is missing", line=1, field=column)
    level_columns = _level_columns(header, problems)
    if problems:
        return [], False

    rows: list[Row] = []
    try:
        for row in table:
            unnamed = [
                n
                for n, value in enumerate(row.cells, start=1)
                if value and (n > len(header) or not header[n - 1])
            ]
            if unnamed:
                problems.add(
                    f"column {unnamed[0]} has a value but no name in the header", line=row.line
                )
                continue
            levels = {
                level: row.values[column]
                for column, level in level_columns.items()
                if row.values[column]
            }
            rows.append(Row(line=row.line, cells=row.values, levels=levels))
    except UnreadableFile as exc:
        problems.add(exc.reason, line=exc.line)
    return rows, True


def _check_lengths(row: Row, problems: Problems) -> None:
    for column, limit in LIMITS.items():
        value = row.get(column)
        if len(value) > limit:
            problems.add(
                f"too long ({len(value)} characters, at most {limit})", line=row.line, field=column
            )


def _framework_plan(row: Row, problems: Problems) -> FrameworkPlan:
    slug = row.get("code")
    if slug and not is_slug(slug):
        problems.add(
            f"{slug!r} is not a valid framework slug (lowercase letters, digits, hyphens)",
            line=row.line,
            field="code",
        )
    title = row.get("name")
    if not title:
        problems.add("the framework title is required", line=row.line, field="name")
    for column in ("parent", "related"):
        if row.get(column):
            problems.add("the framework row takes no " + column, line=row.line, field=column)
    if row.levels:
        problems.add("the framework row takes no level descriptors", line=row.line, field="level")
    scale = None
    scale_slug = row.get("scale")
    if scale_slug:
        scale = Scale.objects.filter(slug=scale_slug).first()
        if scale is None:
            known = ", ".join(Scale.objects.values_list("slug", flat=True)) or "none"
            problems.add(f"no scale {scale_slug!r} (known: {known})", line=row.line, field="scale")
    developmental = row.get("developmental").lower()
    if developmental not in YES | NO:
        problems.add("expected yes or no", line=row.line, field="developmental")
    _check_lengths(row, problems)
    version = row.get("version")
    identifier = row.get("identifier") or make_identifier(
        "framework", slug or slugify(title), version
    )
    return FrameworkPlan(
        identifier=identifier,
        title=title[:255],
        format="csv",
        version=version,
        publisher=row.get("publisher"),
        description=row.get("statement"),
        language=row.get("language"),
        developmental=developmental in YES,
        scale=scale,
        last_change=now_stamp(),
        slug=slug,
    )


def _item_plan(row: Row, plan: FrameworkPlan, position: int, problems: Problems) -> ItemPlan | None:
    kind_name = row.get("kind").lower()
    if kind_name not in CSV_KINDS:
        expected = ", ".join(["framework", *CSV_KINDS])
        problems.add(
            f"unknown kind {kind_name!r} (expected one of {expected})", line=row.line, field="kind"
        )
        return None
    kind, item_type = CSV_KINDS[kind_name]
    name = row.get("name")
    if not name:
        problems.add("required", line=row.line, field="name")
    for column in FRAMEWORK_COLUMNS:
        if row.get(column):
            problems.add(f"only the framework row takes a {column}", line=row.line, field=column)
    if row.get("related") and kind not in RELATING_KINDS:
        problems.add(
            "only subcompetency and EPA rows list related items", line=row.line, field="related"
        )
    _check_lengths(row, problems)
    code = row.get("code")
    identifier = row.get("identifier") or make_identifier(
        plan.identifier, "item", code or f"#{position}"
    )
    return ItemPlan(
        identifier=identifier,
        kind=kind,
        item_type=item_type,
        code=code,
        name=name,
        statement=row.get("statement") or name,
        position=position,
    )


def _outside_item(reference: str, institution: Institution | None) -> Item | str:
    """An item of another stored framework, from `framework-slug:CODE`; else why not."""
    slug, _, code = reference.partition(":")
    framework = (
        Framework.objects.filter(slug=slug)
        .filter(Q(institution__isnull=True) | Q(institution=institution))
        .first()
    )
    if framework is None:
        return f"no framework {slug!r} for {reference!r}"
    item = framework.items.filter(code=code).order_by("position", "id").first()
    if item is None:
        return f"framework {slug!r} has no item with code {code!r}"
    return item


def csv_parse(
    *, content: bytes, institution: Institution | None
) -> tuple[FrameworkPlan | None, Problems]:
    problems = Problems()
    rows, usable = _read_rows(content, problems)
    if not usable:
        return None, problems
    if not rows:
        if not problems:
            problems.add("no rows: the first data row must be the framework row", line=2)
        return None, problems

    first = rows[0]
    has_framework_row = first.get("kind").lower() == "framework"
    if not has_framework_row:
        problems.add(
            "the first row must be the framework row (kind 'framework')",
            line=first.line,
            field="kind",
        )
    plan = _framework_plan(first, problems)
    items = _item_plans(rows[1:] if has_framework_row else rows, plan, problems)
    _link_parents(items, problems)
    _check_cycles(items.rows, problems)
    _tree(items.rows, plan)
    for row, item in items.rows:
        _related(row, item, plan, items.local, institution, problems)
        _descriptors(row, item, plan)
    plan.items = [item for _row, item in items.rows]
    problems.items.sort(key=lambda p: p.line or 0)
    return plan, problems


@dataclass
class _Items:
    """The item rows read so far, and where to find them by code and by identifier."""

    plan: FrameworkPlan
    rows: list[tuple[Row, ItemPlan]] = field(default_factory=list)
    by_code: dict[str, tuple[Row, ItemPlan]] = field(default_factory=dict)
    by_identifier: dict[str, tuple[Row, ItemPlan]] = field(default_factory=dict)

    def local(self, reference: str) -> ItemPlan | None:
        """A parent or related item: its code, else its identifier (what CSV export writes
        for items without a unique code), else `this-framework-slug:CODE`."""
        found = self.by_code.get(reference) or self.by_identifier.get(reference)
        slug = self.plan.slug
        if found is None and slug and reference.startswith(slug + ":"):
            found = self.by_code.get(reference[len(slug) + 1 :])
        return found[1] if found else None


def _item_plans(rows: list[Row], plan: FrameworkPlan, problems: Problems) -> _Items:
    items = _Items(plan=plan)
    for row in rows:
        if row.get("kind").lower() == "framework":
            problems.add("only one framework row is allowed", line=row.line, field="kind")
            continue
        item = _item_plan(row, plan, len(items.rows), problems)
        if item is None:
            continue
        if item.code:
            if item.code in items.by_code:
                earlier = items.by_code[item.code][0].line
                problems.add(
                    f"code {item.code!r} is already used on line {earlier}",
                    line=row.line,
                    field="code",
                )
            else:
                items.by_code[item.code] = (row, item)
        if item.identifier in items.by_identifier or item.identifier == plan.identifier:
            if row.get("identifier"):  # a generated one repeats only with its code, reported
                problems.add(
                    f"identifier {item.identifier!r} is used twice",
                    line=row.line,
                    field="identifier",
                )
        else:
            items.by_identifier[item.identifier] = (row, item)
        items.rows.append((row, item))
    return items


def _link_parents(items: _Items, problems: Problems) -> None:
    for row, item in items.rows:
        parent_code = row.get("parent")
        if not parent_code:
            continue
        parent = items.local(parent_code)
        if parent is None:
            problems.add(f"no item with code {parent_code!r}", line=row.line, field="parent")
        elif parent is item:
            problems.add("an item cannot be its own parent", line=row.line, field="parent")
        else:
            item.parent = parent.identifier


def _tree(item_rows: list[tuple[Row, ItemPlan]], plan: FrameworkPlan) -> None:
    """An isChildOf association for each item, numbered among its siblings."""
    tree_associations(plan, [item for _row, item in item_rows])


def _descriptors(row: Row, item: ItemPlan, plan: FrameworkPlan) -> None:
    for position, (level, text) in enumerate(sorted(row.levels.items())):
        plan.descriptors.append(
            DescriptorPlan(
                item_identifier=item.identifier,
                level=level,
                label="",
                text=text,
                position=position,
                identifier=make_identifier(plan.identifier, "level", item.identifier, str(level)),
            )
        )


def _related(
    row: Row,
    item: ItemPlan,
    plan: FrameworkPlan,
    local: Callable[[str], ItemPlan | None],
    institution: Institution | None,
    problems: Problems,
) -> None:
    seen: set[str] = set()
    for reference in (part.strip() for part in row.get("related").split(";")):
        if not reference or reference in seen:
            continue
        seen.add(reference)
        target = local(reference)
        outside: Item | None = None
        source: dict[str, Any] = {}
        if target is not None:
            destination = target.identifier
        elif ":" in reference:
            found = _outside_item(reference, institution)
            if isinstance(found, str):
                problems.add(found, line=row.line, field="related")
                continue
            outside, destination = found, found.identifier
            source = {
                "destinationNodeURI": {
                    "title": found.code or found.name,
                    "uri": found.source.get("uri") or node_uri(found.identifier),
                }
            }
        else:
            problems.add(f"no item with code {reference!r}", line=row.line, field="related")
            continue
        plan.associations.append(
            AssociationPlan(
                identifier=make_identifier(
                    plan.identifier, Association.IS_RELATED_TO, item.identifier, destination
                ),
                association_type=Association.IS_RELATED_TO,
                origin_identifier=item.identifier,
                destination_identifier=destination,
                source=source,
                destination_item=outside,
            )
        )


def _check_cycles(item_rows: list[tuple[Row, ItemPlan]], problems: Problems) -> None:
    parents = {item.identifier: item.parent for _row, item in item_rows}
    codes = {item.identifier: item.code or item.identifier for _row, item in item_rows}
    reported: set[str] = set()
    for row, item in item_rows:
        path = [item.identifier]
        current = parents.get(item.identifier)
        while current is not None and current not in path:
            path.append(current)
            current = parents.get(current)
        if current is not None and current == item.identifier and item.identifier not in reported:
            reported.update(path)
            chain = " > ".join(codes[i] for i in [*path, item.identifier])
            problems.add(f"the parents form a loop: {chain}", line=row.line, field="parent")
            for identifier in path:  # break it, so later steps terminate
                parents[identifier] = None
