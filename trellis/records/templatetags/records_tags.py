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
