"""Answers to an observation the page script sends (offline.js): the form posted with
fetch, now or later from the phone's outbox, marked by the X-Trellis-Send header.

The script needs to tell three outcomes apart without reading HTML: saved (drop it from
the outbox), refused as stale (the reason to rate is gone: keep it on the phone and say
so), and refused for what it contains. Anything else (a sign-in page, a server error) is
not an answer, and the observation waits for the next try.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from trellis.assessments.capture.page import CapturePage
from trellis.assessments.capture.selectors import assessment_by_client_key
from trellis.assessments.models import AssessmentStatus
from trellis.people.models import User

HEADER = "X-Trellis-Send"

NOT_SUPERVISED = (
    "Not saved: you no longer supervise this learner and no open request asks you to "
    "rate them, so Trellis cannot take this observation."
)
REQUEST_CLOSED = (
    "Not saved: the request this answers has been answered, has expired or was closed "
    "while the observation waited on the phone."
)


def sent_by_script(request: HttpRequest) -> bool:
    return request.method == "POST" and request.headers.get(HEADER) == "1"


def sent_saved(redirect: HttpResponse) -> JsonResponse:
    """The confirmation a form post would have been redirected to, as data."""
    url = redirect["Location"]
    return JsonResponse({"status": "saved", "url": url, "again": url.endswith("again=1")})


def sent_already(*, user: User, client_key: str) -> JsonResponse | None:
    """A resend of an observation that reached the server before (its answer was lost on
    the way back) is saved, even if the reason to rate has gone since."""
    found = assessment_by_client_key(assessor=user, client_key=client_key[:64])
    if found is None or found.status != AssessmentStatus.SUBMITTED:
        return None
    url = reverse("assessments:done", args=[found.pk])
    return JsonResponse({"status": "saved", "url": url, "again": True})


def sent_stale(message: str) -> JsonResponse:
    return JsonResponse({"status": "stale", "message": message}, status=409)


def sent_refused(page: CapturePage) -> JsonResponse:
    """The page's problems in words; a closed request makes the whole observation stale."""
    if "request" in page.errors:
        return sent_stale(REQUEST_CLOSED)
    problems = list(dict.fromkeys(page.errors.values()))
    return JsonResponse(
        {"status": "invalid", "message": "Not saved: " + " ".join(problems)}, status=400
    )
