"""Template filters for people's details."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Break after the @ and before each dot, nowhere else: "ana.lopez@<wbr>riverside<wbr>.test".
_BREAKS = re.compile(r"(?<=@)|(?=\.)")


@register.filter
def email_breaks(address: str) -> SafeString:
    """An e-mail address that wraps on a phone where a reader expects it, not in the middle
    of a name: a <wbr> after the @ and before each dot (a hyphen is a break already). Use
    it inside `.email`, which turns off a table's break-anywhere rule. The address's text
    is unchanged, so it copies as written."""
    parts = [escape(part) for part in _BREAKS.split(str(address)) if part]
    return mark_safe("<wbr>".join(parts))  # noqa: S308 (each part is escaped)
