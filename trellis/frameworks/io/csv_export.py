"""Write a framework in the Trellis CSV layout, so that importing the file gives it back.

CSV holds less than CASE: a framework imported from CASE loses, in CSV, what only CASE
can say (association types other than the tree and EPA bundles, rubric details).
"""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal

from trellis.frameworks.io.common import KIND_TO_CSV, level_text
from trellis.frameworks.io.csv_import import BASE_COLUMNS, FRAMEWORK_COLUMNS
from trellis.frameworks.models import Association, Framework, Item, LevelDescriptor
from trellis.lib.cells import SafeCsvWriter


def csv_export(*, framework: Framework) -> bytes:
    items = list(framework.items.order_by("position", "id"))
    descriptors: dict[int, dict[Decimal, str]] = {}
    for descriptor in (
        LevelDescriptor.objects.filter(item__framework=framework)
        .exclude(level=None)
        .order_by("item_id", "position", "level", "id")
    ):
        if descriptor.level is not None:
            by_level = descriptors.setdefault(descriptor.item_id, {})
            by_level.setdefault(descriptor.level, descriptor.text)
    levels = sorted({level for by_level in descriptors.values() for level in by_level})

    codes = Counter(item.code for item in items if item.code)
    by_pk = {item.pk: item for item in items}

    def reference(item: Item) -> str:
        # A code names an item only when it is unique in the file; else the identifier does.
        return item.code if item.code and codes[item.code] == 1 else item.identifier

    related: dict[int, list[str]] = {}
    for association in (
        framework.associations.filter(
            association_type=Association.IS_RELATED_TO, origin__isnull=False
        )
        .select_related("destination__framework")
        .order_by("id")
    ):
        destination = association.destination
        if destination is None or association.origin_id is None:
            continue
        if destination.framework_id == framework.pk:
            text = reference(by_pk[destination.pk])
        elif destination.code:
            text = f"{destination.framework.slug}:{destination.code}"
        else:
            continue
        related.setdefault(association.origin_id, []).append(text)

    header = [
        *BASE_COLUMNS,
        *(f"level_{level_text(level)}" for level in levels),
        *FRAMEWORK_COLUMNS,
    ]
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\r\n")
    writer.writerow(header)
    blank_levels = [""] * len(levels)
    writer.writerow(
        [
            "framework",
            framework.slug,
            framework.title,
            framework.description,
            "",
            "",
            framework.identifier,
            *blank_levels,
            framework.version,
            framework.scale.slug if framework.scale else "",
            "yes" if framework.developmental else "no",
            framework.publisher,
            framework.language,
        ]
    )
    for item in items:
        parent = by_pk.get(item.parent_id) if item.parent_id else None
        item_levels = descriptors.get(item.pk, {})
        writer.writerow(
            [
                KIND_TO_CSV.get(item.kind, "item"),
                item.code if item.code and codes[item.code] == 1 else "",
                item.name,
                "" if item.statement == item.name else item.statement,
                reference(parent) if parent else "",
                ";".join(related.get(item.pk, [])),
                item.identifier,
                *(item_levels.get(level, "") for level in levels),
                *([""] * len(FRAMEWORK_COLUMNS)),
            ]
        )
    return out.getvalue().encode("utf-8")
