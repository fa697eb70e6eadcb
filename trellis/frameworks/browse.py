"""Reads for the framework pages: the item tree, an item's levels side by side, and the
frameworks a program adopted with their expected levels. Each is a fixed number of
queries, whatever the size of the framework."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from trellis.frameworks.models import (
    Adoption,
    Association,
    ExpectedLevel,
    Framework,
    Item,
    ItemKind,
    LevelDescriptor,
    ScaleLevel,
)
from trellis.frameworks.selectors import (
    default_expected_level,
    expected_level,
    frameworks_visible,
)
from trellis.people.display import training_year_label
from trellis.people.models import Program, Role, User
from trellis.people.selectors import memberships_current


def frameworks_listed(*, user: User) -> QuerySet[Framework]:
    """The frameworks a person may read, with their item counts by kind."""
    counts = {
        f"{kind}_count": Count("items", filter=Q(items__kind=kind))
        for kind in (ItemKind.DOMAIN, ItemKind.COMPETENCY, ItemKind.SUBCOMPETENCY, ItemKind.EPA)
    }
    return (
        frameworks_visible(user=user)
        .select_related("scale", "institution")
        .annotate(item_count=Count("items"), **counts)
        .order_by("title", "version")
    )


@dataclass
class Node:
    item: Item
    children: list[Node] = field(default_factory=list)
    bundles: list[Item] = field(default_factory=list)

    @property
    def bundle_groups(self) -> list[tuple[Framework, list[Item]]]:
        """The bundled items by framework, this framework's first."""
        groups: dict[int, tuple[Framework, list[Item]]] = {}
        for item in self.bundles:
            groups.setdefault(item.framework_id, (item.framework, []))[1].append(item)
        own = self.item.framework_id
        return sorted(groups.values(), key=lambda g: (g[0].pk != own, g[0].title))


def framework_tree(*, framework: Framework, user: User) -> list[Node]:
    """The items as a tree (by Item.parent), each EPA with the items it bundles (its
    isRelatedTo associations, into this framework or another the person may read).
    Three queries."""
    items = list(framework.items.order_by("position", "id"))
    nodes = {item.pk: Node(item=item) for item in items}
    roots: list[Node] = []
    for item in items:
        item.framework = framework
        parent = nodes.get(item.parent_id) if item.parent_id else None
        (parent.children if parent is not None else roots).append(nodes[item.pk])
    bundled = (
        Association.objects.filter(
            framework=framework,
            association_type=Association.IS_RELATED_TO,
            origin__kind=ItemKind.EPA,
            destination__framework__in=frameworks_visible(user=user),
        )
        .select_related("destination__framework")
        .order_by("sequence_number", "id")
    )
    for association in bundled:
        node = nodes.get(association.origin_id) if association.origin_id else None
        if node is not None and association.destination is not None:
            node.bundles.append(association.destination)
    return roots


@dataclass
class LevelColumn:
    level: Decimal
    label: str
    descriptors: list[LevelDescriptor] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"Level {self.level.normalize():f}"

    @property
    def subheading(self) -> str:
        """The scale's name for the level, where it says more than the number."""
        return "" if self.label.strip().lower() == self.heading.lower() else self.label


@dataclass
class ItemPage:
    item: Item
    ancestors: list[Item]
    columns: list[LevelColumn]
    unlevelled: list[LevelDescriptor]
    children: list[Item]
    bundles: list[Item]
    bundled_by: list[Item]


def item_page(*, framework: Framework, identifier: str, user: User) -> ItemPage:
    """One item of a framework the caller already may read, with its level descriptors in
    one column per level of its scale (whole levels, plus any level a descriptor uses)."""
    item = (
        framework.items.select_related("scale", "parent__parent__parent")
        .filter(identifier=identifier)
        .first()
    )
    if item is None:
        raise Http404("No such item")
    item.framework = framework
    ancestors: list[Item] = []
    parent = item.parent
    while parent is not None and len(ancestors) < 20:
        ancestors.insert(0, parent)
        parent = parent.parent
    descriptors = list(item.descriptors.order_by("level", "position", "id"))
    scale = item.effective_scale
    scale_levels = (
        list(ScaleLevel.objects.filter(scale=scale).order_by("value")) if scale is not None else []
    )
    columns = {
        sl.value: LevelColumn(level=sl.value, label=sl.label)
        for sl in scale_levels
        if sl.value == sl.value.to_integral_value()
    }
    unlevelled = []
    for d in descriptors:
        if d.level is None:
            unlevelled.append(d)
            continue
        column = columns.setdefault(d.level, LevelColumn(level=d.level, label=""))
        column.descriptors.append(d)
    # EPAs and what they bundle may live in different frameworks: the person sees those of
    # them they may read.
    related = (
        Item.objects.filter(framework__in=frameworks_visible(user=user))
        .select_related("framework")
        .order_by("framework__title", "position", "id")
    )
    is_related = Association.IS_RELATED_TO
    return ItemPage(
        item=item,
        ancestors=ancestors,
        columns=[columns[k] for k in sorted(columns)] if descriptors else [],
        unlevelled=unlevelled,
        children=list(item.children.order_by("position", "id")),
        bundles=list(
            related.filter(incoming__origin=item, incoming__association_type=is_related).distinct()
        )
        if item.kind == ItemKind.EPA
        else [],
        bundled_by=list(
            related.filter(
                kind=ItemKind.EPA,
                outgoing__destination=item,
                outgoing__association_type=is_related,
            ).distinct()
        ),
    )


@dataclass
class YearLevel:
    year: int
    label: str
    level: Decimal
    is_default: bool


@dataclass
class AdoptionSummary:
    adoption: Adoption
    framework: Framework
    levels: list[YearLevel]

    def level_for(self, year: int | None) -> YearLevel | None:
        return next((lv for lv in self.levels if lv.year == year), None)


def adoption_summaries(*, programs: list[Program]) -> dict[int, list[AdoptionSummary]]:
    """Each program's adopted frameworks with the framework-wide expected level per year
    (the level set, else the default trajectory). Two queries for any number of programs."""
    out: dict[int, list[AdoptionSummary]] = defaultdict(list)
    if not programs:
        return out
    by_id = {p.pk: p for p in programs}
    adoptions = (
        Adoption.objects.current()
        .filter(program_id__in=by_id)
        .select_related("framework")
        .prefetch_related(
            Prefetch(
                "expected_levels",
                queryset=ExpectedLevel.objects.filter(item__isnull=True),
                to_attr="framework_wide",
            )
        )
        .order_by("framework__title", "framework__version")
    )
    for adoption in adoptions:
        program = by_id[adoption.program_id]
        adoption.program = program
        # The Prefetch's to_attr: django-stubs types it on a plain QuerySet, not a custom one.
        wide: list[ExpectedLevel] = adoption.framework_wide  # type: ignore[attr-defined]
        set_levels = {row.training_year: row.level for row in wide}
        levels = []
        for year in range(1, program.length_years + 1):
            level = set_levels.get(year)
            levels.append(
                YearLevel(
                    year=year,
                    label=training_year_label(program, year),
                    level=level
                    if level is not None
                    else default_expected_level(
                        graduation_level=adoption.graduation_level,
                        training_year=year,
                        length_years=program.length_years,
                    ),
                    is_default=level is None,
                )
            )
        out[program.pk].append(
            AdoptionSummary(adoption=adoption, framework=adoption.framework, levels=levels)
        )
    return out


@dataclass
class Target:
    program: Program
    year_label: str
    level: Decimal


def learner_targets(*, user: User, framework: Framework, item: Item) -> list[Target]:
    """Where the person is a learner in a program that adopted the framework: the level
    expected of this item by the end of their current training year."""
    learning: dict[int, tuple[Program, int]] = {
        m.program.pk: (m.program, m.training_year)
        for m in memberships_current(person=user).filter(role=Role.LEARNER)
        if m.program is not None and m.training_year is not None
    }
    if not learning:
        return []
    targets = []
    for adoption in Adoption.objects.current().filter(program_id__in=learning, framework=framework):
        program, year = learning[adoption.program_id]
        adoption.program = program
        targets.append(
            Target(
                program=program,
                year_label=training_year_label(program, year),
                level=expected_level(adoption=adoption, item=item, training_year=year),
            )
        )
    return targets
