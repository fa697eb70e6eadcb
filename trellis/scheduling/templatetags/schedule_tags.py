"""Small template helpers for schedule pages."""

from __future__ import annotations

import datetime as dt

from django import template

from trellis.scheduling.models import Assignment, Block, Rotation

register = template.Library()


@register.filter
def rotation_colour(thing: Assignment | Rotation, colours: dict[int, int]) -> str:
    """The CSS class that colours a rotation, or an assignment's (rot-c0 ... rot-c15)."""
    pk = thing.rotation_id if isinstance(thing, Assignment) else thing.pk
    return f"rot-c{colours.get(pk, 0)}"


@register.filter
def span(start: dt.date, end: dt.date) -> str:
    """A date range as people write it: 1 Jul – 28 Jul 2026, or 30 Jun – 27 Jul 2027."""
    if start == end:
        return f"{start.day} {start:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


@register.filter
def is_current(thing: Block | Assignment, today: dt.date | None) -> bool:
    """Whether a block or an assignment includes `today`."""
    return today is not None and thing.start_date <= today <= thing.end_date
