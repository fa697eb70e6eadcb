from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def level(value: Decimal | float | str | None) -> str:
    """A level as people write it: 2, 2.5; an en dash for none."""
    if value is None or value == "":
        return "–"
    if isinstance(value, float):
        return f"{value:+.2f}"
    return f"{Decimal(value).normalize():f}"


@register.simple_tag
def insight_for(insight: object, code: str) -> object:
    """The learner insight of one item (`committees.analytics.LearnerInsight.get`)."""
    getter = getattr(insight, "get", None)
    return getter(code) if getter else None


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    """A share (0-1) as a percentage: 0.065 -> "6.5%" with digits=1; "–" when unknown."""
    if value is None or value != value:  # None or NaN
        return "–"
    return f"{100 * float(value):.{int(digits)}f}%"


@register.simple_tag
def self_level(record: object, item_id: int) -> object:
    """Where the learner last placed themself on an item (`LearnerRecord.self_levels`)."""
    levels = getattr(record, "self_levels", None) or {}
    return levels.get(item_id)


@register.simple_tag
def plan_now(record: object, plan_id: int) -> object:
    """The items a plan on a replaced framework version is read under (`plans_now`)."""
    found = getattr(record, "plans_now", None) or {}
    return found.get(plan_id, [])


@register.filter
def self_gap(self_level: object, latest: Decimal | None) -> Decimal | None:
    """`SelfLevel.gap`: the gap to the latest rating where it is worth showing."""
    gap = getattr(self_level, "gap", None)
    return gap(latest) if callable(gap) else None
