"""Pages and formats that refuse what they do not understand.

DRF's LimitOffsetPagination reads `?offset=null` as 0 and a negative or non-numeric
`?limit=` as the default page, and its content negotiation answers an unknown `?format=`
with 404: a client that made a mistake gets a page it did not ask for, or "not found".
Here each gets a 400 naming the parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.serializers import ValidationError

# No list Trellis serves comes near this; SQL engines overflow past 2**63.
MAX_OFFSET = 2**31 - 1


def whole_number(raw: str, *, name: str, low: int, high: int) -> int:
    """`raw` as a whole number from `low` to `high`, or a 400 naming `name`. The digits are
    counted first (Python refuses to read a number of thousands of them); 20 holds any
    database id."""
    text = raw.strip()
    digits = text.isascii() and text.isdigit() and len(text) <= 20
    if not digits or not low <= int(text) <= high:
        raise ValidationError({name: [f"A whole number from {low} to {high} is required."]})
    return int(text)


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """`?limit=` from 1 to 1000 (default 100), `?offset=` from 0; anything else is a 400."""

    max_limit = 1000

    def get_limit(self, request: Request) -> int | None:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return self.default_limit
        assert self.max_limit is not None
        return whole_number(raw, name=self.limit_query_param, low=1, high=self.max_limit)

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if raw is None:
            return 0
        return whole_number(raw, name=self.offset_query_param, low=0, high=MAX_OFFSET)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


class StrictContentNegotiation(DefaultContentNegotiation):
    """An unknown `?format=` is a 400 listing the formats the endpoint has."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        override = self.settings.URL_FORMAT_OVERRIDE
        wanted = format_suffix or (override and request.query_params.get(override))
        if wanted and not any(r.format == wanted for r in renderers):
            known = ", ".join(sorted({str(r.format) for r in renderers}))
            raise ValidationError({"format": [f"Unknown format {wanted!r}: use {known}."]})
        chosen: tuple[BaseRenderer, str] = super().select_renderer(
            request, renderers, format_suffix
        )
        return chosen
