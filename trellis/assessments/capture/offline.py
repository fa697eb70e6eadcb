"""The installable app: its manifest and its service worker, public like static files.

The worker is served from the site's root (/sw.js) so that its scope covers the home
page and the assessor's pages; a worker under /static/ could only control /static/.
Neither resource says anything about a person: the pages the worker keeps are the ones
the browser already fetched with the person's own session.
"""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

# What the phone needs to draw the assessor's pages without signal.
SHELL = (
    "trellis/trellis.css",
    "trellis/trellis-mark.svg",
    "trellis/offline.js",
    "trellis/stack.js",
    "assessments/capture.css",
    "assessments/capture.js",
)


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [static(path) for path in SHELL]
    body = render_to_string(
        "assessments/sw.js",
        {"shell": json.dumps(shell), "start": json.dumps(reverse("assessments:start"))},
    )
    # A new worker (and so fresh copies of the shell) whenever the script or a file name
    # changes; the browser compares the script byte for byte.
    version = hashlib.sha256(body.encode()).hexdigest()[:12]
    response = HttpResponse(
        body.replace("__VERSION__", version), content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {"src": static(f"trellis/app-icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png"}
        for n in (192, 512)
    ]
    icons.append(
        {
            "src": static("trellis/app-icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    )
    response = JsonResponse(
        {
            "name": "Trellis",
            "short_name": "Trellis",
            "description": "Rate a learner after an encounter, with or without signal.",
            "id": reverse("home"),
            "start_url": reverse("home"),
            "scope": reverse("home"),
            "display": "standalone",
            "background_color": "#f3f6f6",
            "theme_color": "#0b6b66",
            "icons": icons,
        },
        content_type="application/manifest+json",
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response
