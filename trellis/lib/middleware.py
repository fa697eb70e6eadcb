"""Requests refused before any view sees them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL_REFUSED = "The request holds a NUL character, which no field takes."
# Paths whose clients read JSON (the REST API, the CASE service): the refusal is JSON there.
JSON_PREFIXES = ("/api/", "/ims/")


class RefuseNulMiddleware:
    """A NUL character in the query string or in a form-encoded value is answered 400:
    no field holds one, and PostgreSQL refuses to store or even compare it (a 500
    otherwise). Uploaded files are the importers' to judge (lib.importing.decode_text)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            if request.path.startswith(JSON_PREFIXES):
                return JsonResponse({"detail": NUL_REFUSED}, status=400)
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain")
        return self.get_response(request)


def _holds_nul(request: HttpRequest) -> bool:
    fields = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        fields.append(request.POST)  # uploaded files are in request.FILES, not here
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for query in fields
        for key, values in query.lists()
    )
