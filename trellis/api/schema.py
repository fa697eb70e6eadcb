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


DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "Why the request was not answered, as a sentence.",
}
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {},
    "description": (
        "Each refused parameter or field with its messages: a list of sentences, or for a "
        'list field such as `ratings` one object per entry (`{"ratings": [{}, {"item": '
        '["..."]}]}`); an assessment the service refuses answers `{"errors": [...]}`. '
        "Nothing was written."
    ),
}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def document_errors(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Every operation's error answers, declared once here rather than on each view: 401
    without a valid token, 403 where access is checked, 404 where a path or body names a
    thing the caller cannot see (outsiders get 404, never 403), 400 where the operation
    takes parameters or a body. A view's own declaration (the import's problem list)
    wins. (A drf-spectacular postprocessing hook, listed in SPECTACULAR_SETTINGS.)"""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Detail", DETAIL)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
            names_a_thing = "{" in path or method == "post"
            if operation.get("security") != [{}]:  # [{}]: no sign-in needed
                responses.setdefault("401", _json("Detail", "No valid API token or session."))
                responses.setdefault("403", _json("Detail", "Signed in, but not allowed."))
            if names_a_thing:
                responses.setdefault("404", _json("Detail", "No such thing, or not for you."))
            if takes_input:
                responses.setdefault("400", _json("FieldErrors", "Refused input."))
    return result
