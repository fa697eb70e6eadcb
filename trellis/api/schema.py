"""OpenAPI description of our token authentication (loaded by ApiConfig.ready)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "trellis.api.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme: dict[str, Any] = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106 (the scheme name)
        )
        scheme["description"] = (
            "An API token from /account/tokens/ or `trellis tokens create`, sent as "
            "`Authorization: Bearer trl_...` (the `Token` scheme is accepted too)."
        )
        return scheme
