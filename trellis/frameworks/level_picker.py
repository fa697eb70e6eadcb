"""The level picker: a person places themself (or someone they observed) on a framework's
items, one radio group of whole and half levels per item, what each level looks like
beside it (frameworks/_levels_form.html). Used by the educators' and the learners'
self-assessments and the peer observation of teaching."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import QueryDict

from trellis.frameworks.models import Item, LevelDescriptor, Scale, ScaleLevel, as_level

LEVELS = (1, 2, 3, 4, 5)


@dataclass
class DescriptorRow:
    item: Item
    descriptors: list[str]  # level 1..5, "" where the framework says nothing
    chosen: str = ""  # the level the form starts on ("2", "2.5"), "" for "Not now"
    halves: bool = True  # whether the item's scale takes half levels (an EPA's does not)

    @property
    def chosen_label(self) -> str:
        """The starting level in the form's words: "Level 2", "Between 2 and 3"."""
        if not self.chosen:
            return ""
        whole, _, half = self.chosen.partition(".")
        return f"Between {whole} and {int(whole) + 1}" if half == "5" else f"Level {whole}"


def rows_chosen(
    rows: list[DescriptorRow], *, posted: Any = None, latest: dict[int, Decimal] | None = None
) -> list[DescriptorRow]:
    """The rows starting on what was posted (a form re-shown after an error) or else on
    the person's latest levels, so a new self-assessment begins where the last one ended."""
    for row in rows:
        if posted is not None:
            row.chosen = str(posted.get(f"level-{row.item.pk}", "")).strip()
        elif latest and row.item.pk in latest:
            row.chosen = f"{latest[row.item.pk].normalize():f}"
    return rows


def descriptor_rows(items: list[Item]) -> list[DescriptorRow]:
    """Each item with what its levels 1 to 5 look like: its own descriptors, else its
    scale's (an entrustment scale says what each level of supervision is). Three queries."""
    texts: dict[tuple[int, int], str] = {}
    for d in LevelDescriptor.objects.filter(item__in=items, level__isnull=False):
        if d.level is not None and d.level == d.level.to_integral_value():
            texts[(d.item_id, int(d.level))] = d.text
    scale_ids = {i.scale_id or i.framework.scale_id for i in items} - {None}
    scales = Scale.objects.in_bulk(scale_ids)
    labels: dict[tuple[int | None, int], str] = {}
    for lv in ScaleLevel.objects.filter(scale_id__in=scale_ids):
        if lv.value == lv.value.to_integral_value():
            text = f"{lv.label}: {lv.description}" if lv.description else lv.label
            labels[(lv.scale_id, int(lv.value))] = text
    rows = []
    for i in items:
        scale_id = i.scale_id or i.framework.scale_id
        scale = scales.get(scale_id) if scale_id else None
        rows.append(
            DescriptorRow(
                i,
                [texts.get((i.pk, n)) or labels.get((scale_id, n), "") for n in LEVELS],
                halves=scale is None or scale.allows_half_levels,
            )
        )
    return rows


def read_levels(data: QueryDict, items: list[Item]) -> tuple[dict[Item, Decimal], list[str]]:
    """`level-<item id>` fields: a whole or half level from 1 to 5, or blank (not placed)."""
    levels: dict[Item, Decimal] = {}
    errors: list[str] = []
    for item in items:
        raw = (data.get(f"level-{item.pk}") or "").strip()
        if not raw:
            continue
        value = as_level(raw)
        if value is None:
            errors.append(f"{item.code}: {raw!r} is not a level.")
            continue
        if not item.accepts_level(value):
            allowed = ", ".join(f"{v:g}" for v in item.accepted_levels())
            errors.append(f"{item.code}: {raw} is not a level of this item ({allowed}).")
            continue
        levels[item] = value
    return levels, errors
