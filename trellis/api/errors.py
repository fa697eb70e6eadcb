"""The 404 for a URL that matches no route: JSON under /api/, the site's page elsewhere.

Views raise their own 404s through DRF, which answers JSON; this covers what never
reaches a view, such as /api/v1/frameworks/not a slug/, so an API client never gets HTML.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found

API_PREFIX = "/api/"


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception or Exception())
