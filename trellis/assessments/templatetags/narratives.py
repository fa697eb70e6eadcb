"""`{% nudge_attributes %}`: the comment nudge's rules as data attributes for capture.js."""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from trellis.analytics.narratives import nudge_rules

register = template.Library()


@register.simple_tag
def nudge_attributes() -> SafeString:
    return format_html_join(" ", 'data-nudge-{}="{}"', nudge_rules().items())
