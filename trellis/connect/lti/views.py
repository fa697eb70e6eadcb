"""The tool's protocol pages, under /lti/: the key set, the OIDC login initiation, the
launch, and the deep-linking picker.

Every refusal ends on one page that says why (lti_refused.html), never a server error. A
session a launch signed in may be framed by its platform's origin alone (middleware.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.exception import LtiException, OIDCException

from trellis.connect.lti.backend import LTI_BACKEND
from trellis.connect.lti.middleware import SESSION_KEY as FRAME_SESSION_KEY
from trellis.connect.lti.middleware import allow_framing
from trellis.connect.lti.services import (
    CLAIM,
    Launch,
    Replayed,
    TooLongLived,
    launch_accept,
    tool_jwks,
)
from trellis.connect.lti.tool import (
    deep_link_response,
    find_platform,
    message_launch,
    oidc_login,
)
from trellis.connect.models import LtiPlatform
from trellis.connect.sso.accounts import refusal_of
from trellis.people.access import viewer
from trellis.people.models import Role
from trellis.people.selectors import memberships_current

log = logging.getLogger("trellis.lti")

DEEP_LINK_SESSION_KEY = "lti_deep_link"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
# What a launch may open: the custom parameter `target` (set by deep linking) names one.
ASSESS, RECORD, LEARNERS = "assess", "record", "learners"
TARGETS = {
    ASSESS: "Rate a learner (the assessment form)",
    RECORD: "My record (a learner's own)",
    LEARNERS: "My learners (for faculty)",
}
# Course roles that may pick what a link opens (deep linking).
DESIGNERS = ("#Instructor", "#Administrator", "#ContentDeveloper")

UNKNOWN_PLATFORM = "unknown_platform"
INVALID = "invalid"
USED = "used"
NOT_DESIGNER = "not_designer"


def lti_refused(
    request: HttpRequest, reason: str, platform: LtiPlatform | None = None, status: int = 403
) -> HttpResponse:
    context = {"reason": reason, "platform": platform, "refusal": refusal_of(request)}
    response = render(request, "connect/lti/refused.html", context, status=status)
    if platform is not None:  # shown inside the LMS that launched, which may frame it
        allow_framing(response, platform)
    return response


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """Trellis's public keys, one for each registration (the LMS checks deep-linking
    answers with them)."""
    return JsonResponse(tool_jwks())


@csrf_exempt  # the platform posts (or links) here from its own site, with no token of ours
@require_http_methods(["GET", "POST"])
def login_start(request: HttpRequest) -> HttpResponse:
    """OIDC third-party login initiation: back to the platform's authentication endpoint
    with a fresh state (in a cookie) and nonce (in the cache)."""
    try:
        response: HttpResponse = oidc_login(request).redirect(
            request.build_absolute_uri(reverse("lti:launch"))
        )
    except OIDCException as exc:
        log.warning("LTI login initiation refused: %s", exc)
        return lti_refused(request, UNKNOWN_PLATFORM, status=400)
    return response


def _is_designer(roles: list[str]) -> bool:
    # Full role URIs (context, institution or system roles), or LTI's deprecated short names.
    return any(role.endswith(DESIGNERS) or f"#{role}" in DESIGNERS for role in roles)


def _target(claims: dict[str, Any]) -> str:
    custom = claims.get(CLAIM + "custom") or {}
    target = custom.get("target") if isinstance(custom, dict) else None
    if target not in TARGETS:
        query = parse_qs(urlsplit(str(claims.get(CLAIM + "target_link_uri") or "")).query)
        target = (query.get("target") or [""])[0]
    return str(target) if target in TARGETS else ""


def _landing(accepted: Launch, target: str) -> str:
    """Where the launch sends the person: the target asked for, else their record for a
    learner and their learners for faculty; a record only for a learner of the program."""
    if not target:
        target = RECORD if accepted.role == Role.LEARNER else LEARNERS
    if target == ASSESS:
        return reverse("assessments:start")
    if target == LEARNERS:
        return reverse("my-schedule:learners-now")
    is_learner = (
        memberships_current(person=accepted.person)
        .filter(program=accepted.program, role=Role.LEARNER)
        .exists()
    )
    if not is_learner:
        return reverse("home")
    return reverse(
        "records:learner",
        kwargs={"slug": accepted.program.slug, "learner_id": accepted.person.pk},
    )


@csrf_exempt  # the platform's auto-posted form: the signed id_token is what is checked
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    try:
        message = message_launch(request)  # over HTTPS, it needs the login's cookie
        claims: dict[str, Any] = dict(message.get_launch_data())
    except LtiException as exc:
        log.warning("LTI launch refused: %s", exc)
        unknown = "Registration not found" in str(exc) or "deployment" in str(exc)
        return lti_refused(request, UNKNOWN_PLATFORM if unknown else INVALID)
    platform = find_platform(str(claims.get("iss")), message.get_client_id())
    assert platform is not None  # pylti1p3 found its registration
    try:
        accepted = launch_accept(platform=platform, claims=claims, request=request)
    except Replayed:
        log.warning("LTI launch refused: nonce used already (%s)", platform)
        return lti_refused(request, USED, platform)
    except TooLongLived:
        log.warning("LTI launch refused: an id_token valid for more than a day (%s)", platform)
        return lti_refused(request, INVALID, platform)
    if accepted is None:
        return lti_refused(request, "account", platform)
    roles = claims.get(CLAIM + "roles") or []
    deep_link = message.is_deep_link_launch()
    if deep_link and not _is_designer(roles):
        return lti_refused(request, NOT_DESIGNER, platform)
    login(request, accepted.person, backend=LTI_BACKEND)
    request.session[FRAME_SESSION_KEY] = platform.pk
    if deep_link:
        request.session[DEEP_LINK_SESSION_KEY] = {
            "platform": platform.pk,
            "deployment_id": claims.get(CLAIM + "deployment_id"),
            "settings": claims.get(DL_CLAIM),
        }
        return redirect("lti:deep-link")
    return redirect(_landing(accepted, _target(claims)))


@dataclass(frozen=True)
class _Pending:
    """A deep-linking request the signed-in instructor has yet to answer."""

    platform: LtiPlatform
    deployment_id: str
    settings: dict[str, Any]


def _pending(request: HttpRequest) -> _Pending:
    pending = request.session.get(DEEP_LINK_SESSION_KEY)
    if not isinstance(pending, dict):
        raise Http404("No deep-linking request")
    platform = LtiPlatform.objects.filter(pk=int(pending.get("platform") or 0)).first()
    settings = pending.get("settings")
    if platform is None or not isinstance(settings, dict):
        raise Http404("No deep-linking request")
    if not str(settings.get("deep_link_return_url") or "").startswith(("https://", "http://")):
        raise Http404("No deep-linking request")
    return _Pending(platform, str(pending.get("deployment_id")), settings)


@login_required
@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest) -> HttpResponse:
    """The instructor picks what the LMS link opens; the answer goes back to the platform as
    a signed LtiDeepLinkingResponse, posted by the browser (a button, pressed by a script)."""
    pending = _pending(request)
    choice = request.POST.get("target", "")
    if request.method == "GET" or choice not in TARGETS:
        context = {"platform": pending.platform, "targets": TARGETS, "person": viewer(request)}
        return render(request, "connect/lti/deep_link.html", context)
    token = deep_link_response(
        platform=pending.platform,
        deployment_id=pending.deployment_id,
        settings=pending.settings,
        url=request.build_absolute_uri(reverse("lti:launch")),
        title=f"Trellis: {TARGETS[choice]}",
        custom={"target": choice},
    )
    del request.session[DEEP_LINK_SESSION_KEY]
    return_url = str(pending.settings["deep_link_return_url"])
    context = {"platform": pending.platform, "jwt": token, "url": return_url}
    response = render(request, "connect/lti/deep_link_return.html", context)
    # The answer is a form posted to the LMS: allow that one origin for this page.
    parts = urlsplit(return_url)
    response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
    return response
