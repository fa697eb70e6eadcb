"""The patient kiosk: the program's page that starts and ends kiosks (coordinators and
directors), and the tablet's pages, which need no account.

The tablet shows the form about one learner (or first a choice among a clinic session's
few), a thank-you, then an empty form again: each form carries a fresh key, so a double
tap records one answer, and the pages are never cached, so Back shows nothing earlier.
Whatever is wrong with a kiosk's address (unknown, ended, expired) answers the rater
links' plain "not valid" page, and an address that misses too often is refused a while.
"""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.assessments.access_program import AssessAccess, get_assess_for
from trellis.assessments.capture.ask import qr_svg
from trellis.assessments.capture.page import new_client_key, page_errors, page_for_rater, page_post
from trellis.assessments.capture.services import AssessmentRefused
from trellis.assessments.kiosk.forms import KioskForm
from trellis.assessments.kiosk.services import (
    KioskClosed,
    KioskRepeated,
    StartedKiosk,
    kiosk_end,
    kiosk_find,
    kiosk_forms,
    kiosk_learners,
    kiosk_start,
    kiosk_state,
    kiosk_submit,
)
from trellis.assessments.links.services import LinkRefused, client_refused, miss_record
from trellis.assessments.models import KioskSession
from trellis.people.auth import client_ip
from trellis.people.models import User
from trellis.people.selectors import learners_of


def _manager(request: HttpRequest, slug: str) -> AssessAccess:
    access = get_assess_for(request, slug)
    access.require(access.can_manage, "Kiosks are started by coordinators and directors")
    return access


def _learners(access: AssessAccess) -> QuerySet[User]:
    ids = learners_of(program=access.program, on=timezone.localdate()).values("person_id")
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name")


@login_required
@require_http_methods(["GET", "POST"])
def kiosks(request: HttpRequest, slug: str) -> HttpResponse:
    access = _manager(request, slug)
    program = access.program
    options = {"forms_qs": kiosk_forms(program=program), "people_qs": _learners(access)}
    initial = {"client_key": new_client_key()}
    form = KioskForm(request.POST or None, initial=initial, **options)
    started: StartedKiosk | None = None
    repeated: KioskSession | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            started = kiosk_start(
                program=program,
                form=data["form"],
                learners=list(data["learners"]),
                label=data["label"],
                hours=data["hours"],
                acting_user=access.user,
                client_key=data["client_key"],
            )
        except KioskRepeated as again:
            repeated = again.kiosk
        except LinkRefused as refused:
            for field, message in refused.problems.items():
                form.add_error(field if field in form.fields else None, message)
        if started is not None or repeated is not None:
            form = KioskForm(initial={"client_key": new_client_key()}, **options)
    now = timezone.now()
    rows = KioskSession.objects.filter(program=program).prefetch_related("learners")[:100]
    return render(
        request,
        "assessments/kiosk/kiosks.html",
        {
            "program": program,
            "form": form,
            "started": started,
            # segno's own markup of our own URL, no user text.
            "qr": mark_safe(qr_svg(started.url)) if started else "",  # noqa: S308
            "repeated": repeated,
            "rows": [(k, kiosk_state(k, now=now)) for k in rows],
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
@require_POST
def kiosk_end_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _manager(request, slug)
    kiosk = get_object_or_404(KioskSession, program=access.program, pk=pk)
    kiosk_end(kiosk=kiosk, acting_user=access.user)
    return redirect("assessments-program:kiosks", slug=access.program.slug)


def _not_valid(request: HttpRequest, status: int = 404) -> HttpResponse:
    return render(request, "assessments/links/not_valid.html", {"status": status}, status=status)


def _open_kiosk(request: HttpRequest, token: str) -> KioskSession | HttpResponse:
    """The open kiosk behind `token`, or the page to answer instead (a miss counted)."""
    ip = client_ip(request)
    if client_refused(ip=ip):
        return _not_valid(request, status=429)
    kiosk = kiosk_find(token)
    if kiosk is None or kiosk_state(kiosk) != "open":
        miss_record(ip=ip)
        return _not_valid(request)
    return kiosk


@require_POST
def kiosk_open(request: HttpRequest) -> HttpResponse:
    """Open a kiosk on the device in hand: whoever was signed in on it is signed out first,
    so the tablet shows a patient nothing but the kiosk."""
    token = request.POST.get("token", "")
    found = _open_kiosk(request, token)
    if isinstance(found, HttpResponse):
        return found
    logout(request)
    return redirect("kiosk", token=token)


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, token: str) -> HttpResponse:
    found = _open_kiosk(request, token)
    if isinstance(found, HttpResponse):
        return found
    learners = kiosk_learners(found)
    if not learners:
        return _not_valid(request)
    wanted = request.POST.get("learner") or request.GET.get("learner", "")
    subject = learners[0] if len(learners) == 1 else None
    subject = next((p for p in learners if str(p.pk) == wanted), subject)
    if subject is None:
        return render(
            request,
            "assessments/kiosk/choose.html",
            {"kiosk": found, "token": token, "learners": learners},
        )
    return _answer(request, found, token, subject, several=len(learners) > 1)


class _KioskAccess:
    """What the capture template reads about who is rated (as a RateAccess would)."""

    request = None
    assignment = None

    def __init__(self, subject: User) -> None:
        self.subject = subject


def _answer(
    request: HttpRequest, kiosk: KioskSession, token: str, subject: User, *, several: bool
) -> HttpResponse:
    page = page_for_rater(program=kiosk.program, form=kiosk.form, assessor_role=kiosk.rater_role)
    if request.method == "POST":
        parsed = page_post(request.POST, page)
        if request.POST.get("action") != "items" and not page.errors:
            assert parsed.observed_on is not None
            try:
                kiosk_submit(
                    kiosk=kiosk,
                    subject=subject,
                    observed_on=parsed.observed_on,
                    ratings=parsed.ratings,
                    comments=parsed.comments,
                    answer_key=page.client_key,
                    concerns=page.concerns,
                )
                return redirect("kiosk-thanks", token=token)
            except KioskClosed:
                return _not_valid(request)
            except AssessmentRefused as refused:
                page_errors(page, refused.problems)
    return render(
        request,
        "assessments/kiosk/form.html",
        {
            "ra": _KioskAccess(subject),
            "page": page,
            "forms": [],
            "link": kiosk,
            "kiosk": kiosk,
            "token": token,
            "several": several,
        },
        status=400 if page.errors else 200,
    )


@never_cache
@require_GET
def kiosk_thanks(request: HttpRequest, token: str) -> HttpResponse:
    found = _open_kiosk(request, token)
    if isinstance(found, HttpResponse):
        return found
    return render(request, "assessments/kiosk/thanks.html", {"kiosk": found, "token": token})
