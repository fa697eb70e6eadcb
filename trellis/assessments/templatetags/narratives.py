"""`{% nudge_attributes %}`: the comment nudge's rules as data attributes for capture.js."""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from trellis.analytics.narratives import nudge_rules
from trellis.assessments.capture.services import MAX_COMMENT_CHARS

register = template.Library()


@register.simple_tag
def nudge_attributes() -> SafeString:
    return format_html_join(" ", 'data-nudge-{}="{}"', nudge_rules().items())


@register.simple_tag
def max_comment_chars() -> int:
    """The longest comment the service takes, for capture.js's counter."""
    return MAX_COMMENT_CHARS
