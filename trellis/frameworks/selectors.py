"""Reads about frameworks, items and expected levels."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet

from trellis.frameworks.models import Adoption, ExpectedLevel, Framework, Item
from trellis.people.models import User
from trellis.people.selectors import institutions_of


def frameworks_visible(*, user: User) -> QuerySet[Framework]:
    if not user.is_authenticated:
        return Framework.objects.none()
    return Framework.objects.filter(
        Q(institution__isnull=True) | Q(institution__in=institutions_of(person=user))
    )


def frameworks_published(*, user: User | None) -> QuerySet[Framework]:
    """The frameworks the CASE service gives this caller: the shipped catalogue to anyone
    (Trellis's own structures and wording), an institution's own frameworks (which may
    carry licensed text) only to its members."""
    catalogue = Q(institution__isnull=True)
    if user is None or not user.is_authenticated:
        return Framework.objects.filter(catalogue)
    return Framework.objects.filter(catalogue | Q(institution__in=institutions_of(person=user)))


def nearest_half(value: Decimal) -> Decimal:
    """`value` at the nearest half level (a quarter rounds up)."""
    return (value * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2


def default_expected_level(
    *, graduation_level: Decimal, training_year: int, length_years: int
) -> Decimal:
    """The default trajectory: from Level 1 on entry, rising evenly to the graduation target
    at the end of the final year, rounded to the nearest half level."""
    if length_years <= 0:
        return graduation_level
    year = min(max(training_year, 1), length_years)
    raw = Decimal(1) + (graduation_level - Decimal(1)) * Decimal(year) / Decimal(length_years)
    return nearest_half(raw)


def expected_level(*, adoption: Adoption, item: Item | None, training_year: int) -> Decimal:
    """The level a learner in this training year is expected to reach by its end: an
    item-specific setting, else the framework-wide setting, else the default trajectory."""
    rows = {
        (row.item_id, row.training_year): row.level
        for row in ExpectedLevel.objects.filter(adoption=adoption, training_year=training_year)
    }
    item_id = item.pk if item is not None else None
    if (item_id, training_year) in rows:
        return rows[(item_id, training_year)]
    if (None, training_year) in rows:
        return rows[(None, training_year)]
    return default_expected_level(
        graduation_level=adoption.graduation_level,
        training_year=training_year,
        length_years=adoption.program.length_years,
    )


def framework_items(*, framework: Framework) -> QuerySet[Item]:
    return framework.items.select_related("parent").order_by("position", "id")
