from __future__ import annotations

from django import template

from trellis.frameworks.models import Item

register = template.Library()


@register.filter
def item_title(item: Item) -> str:
    """What to call an item: its name, unless an import left only its code there, in which
    case its statement."""
    if item.name and item.name != item.code:
        return item.name
    return item.statement or item.name or item.code
