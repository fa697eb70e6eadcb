"""Competency frameworks: versioned trees of items with level descriptors on a scale.

The shape follows 1EdTech CASE so that a CASE package round-trips: every framework,
item, association and level descriptor keeps its CASE identifier, and whatever CASE
fields Trellis does not model are kept verbatim in `source` and written back on export.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from trellis.people.models import Institution, Program


def new_identifier() -> str:
    return str(uuid.uuid4())


class ScaleKind(models.TextChoices):
    MILESTONE = "milestone", "Milestone levels"
    ENTRUSTMENT = "entrustment", "Entrustment / supervision"


HALF = Decimal("0.5")
# ACGME milestone levels 1-5 with half levels: the levels of an item with no scale, and of
# a milestone scale whose levels were not listed.
MILESTONE_LEVELS = tuple(Decimal(n) / 2 for n in range(2, 11))


def as_level(value: object) -> Decimal | None:
    """A finite Decimal for a number or its text; None for anything else."""
    try:
        level = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return level if level.is_finite() else None


def is_half_step(value: Decimal) -> bool:
    """A whole or half number (2, 2.5), the grain of every level in Trellis."""
    return value.is_finite() and (value * 2) == (value * 2).to_integral_value()


def level_in(value: object, accepted: Iterable[Decimal]) -> bool:
    """Whether `value` reads as a level and is one of `accepted`."""
    level = as_level(value)
    return level is not None and level in accepted


def levels_accepted(scale: Scale | None) -> list[Decimal]:
    """The levels a rating on `scale` may take (milestone levels where there is no scale)."""
    return scale.accepted_values() if scale is not None else list(MILESTONE_LEVELS)


class Scale(models.Model):
    """An ordered set of levels: milestone levels 1-5, or an entrustment scale.

    `accepts` is the one rule for a valid level, used by capture, the importers, the
    committee, plans and self-assessment alike: one of the scale's levels or, where the
    scale allows half levels, the half between two consecutive whole levels.
    """

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=ScaleKind.choices)
    description = models.TextField(blank=True)
    allows_half_levels = models.BooleanField(default=False)
    identifier = models.CharField(max_length=64, unique=True, default=new_identifier)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def accepted_values(self, levels: Iterable[Decimal] | None = None) -> list[Decimal]:
        """Every valid level, ascending. `levels` are the scale's level values where the
        caller already loaded them (to check many ratings with one query)."""
        values = self._own_levels(levels)
        if not values:
            return list(MILESTONE_LEVELS) if self.kind == ScaleKind.MILESTONE else []
        if not self.allows_half_levels:
            return values
        halves = {
            low + HALF for low, high in zip(values, values[1:], strict=False) if high - low == 1
        }
        return sorted(set(values) | halves)

    def accepts(self, value: object, levels: Iterable[Decimal] | None = None) -> bool:
        return level_in(value, self.accepted_values(levels))

    def _own_levels(self, levels: Iterable[Decimal] | None) -> list[Decimal]:
        """The scale's own levels, ascending: `levels` where the caller loaded them, else
        the (possibly prefetched) ScaleLevel rows."""
        rows = levels if levels is not None else (lv.value for lv in self.levels.all())
        return sorted({Decimal(v) for v in rows})

    def describe_levels(self, levels: Iterable[Decimal] | None = None) -> str:
        """The valid levels for a person to read: "1, 2, 3, 4, 5 (or a half level between)"."""
        values = self._own_levels(levels)
        half = " (or a half level between)" if self.allows_half_levels else ""
        return ", ".join(f"{v:g}" for v in values) + half


class ScaleLevel(models.Model):
    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="levels")
    value = models.DecimalField(max_digits=3, decimal_places=1)
    label = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["scale", "value"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "value"], name="scale_level_unique_value")
        ]

    def __str__(self) -> str:
        return f"{self.value:g} {self.label}"


class Framework(models.Model):
    """One version of a framework. `institution` is null for the shipped catalogue, which
    every signed-in person may read; an imported framework belongs to its institution."""

    identifier = models.CharField(max_length=255, default=new_identifier)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=255)
    version = models.CharField(max_length=64, blank=True)
    creator = models.CharField(max_length=255, blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    language = models.CharField(max_length=16, blank=True)
    developmental = models.BooleanField(
        default=False,
        help_text=(
            "Developmental frameworks (the Clinician Educator Milestones) are for "
            "self-reflection: private to their subject and never in accreditation exports."
        ),
    )
    scale = models.ForeignKey(
        Scale, null=True, blank=True, on_delete=models.PROTECT, related_name="frameworks"
    )
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="frameworks"
    )
    last_change = models.CharField(
        max_length=40, blank=True, help_text="CASE lastChangeDateTime, kept as written."
    )
    source = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title", "version"]
        indexes = [models.Index(fields=["identifier"])]

    def __str__(self) -> str:
        return f"{self.title} {self.version}".strip()


class ItemKind(models.TextChoices):
    DOMAIN = "domain", "Domain"
    COMPETENCY = "competency", "Competency"
    SUBCOMPETENCY = "subcompetency", "Subcompetency"
    EPA = "epa", "EPA"
    OTHER = "other", "Item"


class Item(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    identifier = models.CharField(max_length=255, default=new_identifier)
    kind = models.CharField(max_length=16, choices=ItemKind.choices)
    item_type = models.CharField(
        max_length=120, blank=True, help_text="The CASE CFItemType as written by the source."
    )
    code = models.CharField(max_length=64, blank=True, help_text="Human coding scheme, e.g. PC1.")
    name = models.CharField(max_length=255)
    statement = models.TextField(help_text="CASE fullStatement.")
    notes = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    scale = models.ForeignKey(
        Scale, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    needs_naming = models.BooleanField(
        default=False, help_text="Created by an import from a bare code; a coordinator names it."
    )
    source = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["framework", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "identifier"], name="item_unique_identifier"
            )
        ]
        indexes = [models.Index(fields=["framework", "kind"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    @property
    def effective_scale(self) -> Scale | None:
        return self.scale or self.framework.scale

    def accepted_levels(self) -> list[Decimal]:
        """The levels this item may be given (see `Scale.accepts`)."""
        return levels_accepted(self.effective_scale)

    def accepts_level(self, value: object) -> bool:
        return level_in(value, self.accepted_levels())


class LevelDescriptor(models.Model):
    """What a level looks like for one item (a CASE CFRubricCriterionLevel)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="descriptors")
    level = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    label = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    identifier = models.CharField(max_length=255, default=new_identifier)
    source = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["item", "position", "level"]

    def __str__(self) -> str:
        return f"{self.item.code} L{self.level}: {self.text[:40]}"


class Association(models.Model):
    """A CASE association between two items or an item and something outside Trellis.

    `isChildOf` associations also shape the tree (Item.parent). An EPA points at the
    subcompetencies it bundles with `isRelatedTo`. Types Trellis does not know, and
    destinations outside the framework, are kept as written.
    """

    IS_CHILD_OF = "isChildOf"
    IS_RELATED_TO = "isRelatedTo"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="associations")
    identifier = models.CharField(max_length=255, default=new_identifier)
    association_type = models.CharField(max_length=120)
    origin_identifier = models.CharField(max_length=255)
    origin = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="outgoing"
    )
    destination_identifier = models.CharField(max_length=255)
    destination = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="incoming"
    )
    sequence_number = models.IntegerField(null=True, blank=True)
    source = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["framework", "sequence_number", "id"]
        indexes = [models.Index(fields=["framework", "association_type"])]

    def __str__(self) -> str:
        return f"{self.origin_identifier} {self.association_type} {self.destination_identifier}"


class AdoptionQuerySet(models.QuerySet["Adoption"]):
    def current(self) -> Self:
        """The frameworks a program uses now (not those it moved on from)."""
        return self.filter(replaced_at__isnull=True)


class Adoption(models.Model):
    """A program uses a framework, with a graduation target (Level 4 by default)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="adoptions")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="adoptions")
    graduation_level = models.DecimalField(max_digits=3, decimal_places=1, default=Decimal("4.0"))
    adopted_at = models.DateTimeField(auto_now_add=True)
    # A program that moves to a newer version keeps the old adoption, marked replaced: its
    # ratings, levels and mappings stay on the old items and are read through `crosswalk`.
    replaced_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    crosswalk = models.ForeignKey(
        "Crosswalk",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The crosswalk this program moved through, from this adoption's framework.",
    )

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["program", "framework__title"]
        constraints = [
            models.UniqueConstraint(fields=["program", "framework"], name="adoption_unique")
        ]

    def __str__(self) -> str:
        return f"{self.program} uses {self.framework}"


class ExpectedLevel(models.Model):
    """An explicit expected level for a training year, for one item or (item null) for every
    item of the adopted framework. Where none is set the default trajectory applies."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="expected_levels")
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    training_year = models.PositiveSmallIntegerField()
    level = models.DecimalField(max_digits=3, decimal_places=1)

    class Meta:
        ordering = ["adoption", "training_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["adoption", "item", "training_year"], name="expected_level_unique"
            ),
            models.UniqueConstraint(
                fields=["adoption", "training_year"],
                condition=Q(item__isnull=True),
                name="expected_level_default_unique",
            ),
        ]

    def __str__(self) -> str:
        scope = self.item.code if self.item_id and self.item else "all items"
        return f"Year {self.training_year}, {scope}: level {self.level}"


class Crosswalk(models.Model):
    """How the items of one framework version become those of the next.

    The links are the whole of it: what happened to an item (renamed, split, merged, new,
    retired) is read from them (`trellis.frameworks.crosswalk.item_changes`), never stored.
    Once applied to a program it is frozen: the program's history is read through it.
    """

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="crosswalks",
        help_text="Whose crosswalk it is: its managers review it and apply it to programs.",
    )
    source = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="crosswalks_out")
    target = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="crosswalks_in")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["source__title", "source__version", "target__version", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "source", "target"], name="crosswalk_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="crosswalk_two_frameworks"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None


class CrosswalkLink(models.Model):
    """One arrow of a crosswalk: a source item becomes (all or part of) a target item."""

    crosswalk = models.ForeignKey(Crosswalk, on_delete=models.CASCADE, related_name="links")
    source_item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    target_item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["crosswalk", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["crosswalk", "source_item", "target_item"],
                name="crosswalk_link_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_item} → {self.target_item}"
