"""Capturing an observation, phone first: start -> form -> done.

A retry or a double tap posts the same client key, so it lands on the same confirmation
and writes nothing twice (see services.assessment_submit).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.assessments import access
from trellis.assessments.capture.page import (
    CapturePage,
    Parsed,
    new_client_key,
    page_build,
    page_errors,
    page_from_assessment,
    page_parse,
)
from trellis.assessments.capture.selectors import (
    capture_candidates,
    capture_forms,
    capture_start,
    current_version,
    observation_form_default,
)
from trellis.assessments.capture.sent import (
    NOT_SUPERVISED,
    sent_already,
    sent_by_script,
    sent_refused,
    sent_saved,
    sent_stale,
)
from trellis.assessments.capture.services import (
    AssessmentRefused,
    assessment_draft_discard,
    assessment_edit,
    assessment_submit,
)
from trellis.assessments.models import (
    Assessment,
    AssessmentStatus,
    AssessorRole,
    Form,
    RequestStatus,
)
from trellis.people.access import viewer
from trellis.people.models import User
from trellis.people.selectors import people_named


@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    programs = access.rater_programs(user=user)
    query = request.GET.get("q", "").strip()
    found: list[tuple[object, list[User]]] = []
    if query:
        for program in programs:
            rateable = User.objects.filter(access.rateable_learners(user=user, program=program))
            matches = list(people_named(rateable, query).distinct()[:20])
            if matches:
                found.append((program, matches))
    return render(
        request,
        "assessments/start.html",
        {
            "start": capture_start(user=user, day=timezone.localdate()) if programs else None,
            "programs": programs,
            "query": query,
            "found": found,
        },
    )


def _pick_form(request: HttpRequest, ra: access.RateAccess, forms: list[Form]) -> Form:
    wanted = request.POST.get("form") or request.GET.get("form")
    if wanted:
        form = next((f for f in forms if str(f.pk) == wanted), None)
        if form is None:
            raise Http404("No such form")
        return form
    if ra.request is not None and ra.assignment is None:
        return ra.request.form  # the request is their only reason to rate this learner
    # A supervisor tapping a learner gets the quick observation; an open request to them
    # is offered above the form, not forced on them (the rater chooses).
    default = observation_form_default(program=ra.program)
    if default is None:
        if ra.request is not None:
            return ra.request.form
        raise Http404("No observation form is installed")
    return default


def _capture(
    request: HttpRequest,
    ra: access.RateAccess,
    form: Form,
    *,
    preselect: set[int] | None = None,
    assessment: Assessment | None = None,
    forms: list[Form] | None = None,
) -> HttpResponse:
    """Render the form (GET) or record it (POST): the one handler behind every way in."""
    version = assessment.form_version if assessment else current_version(form)
    if request.method == "POST" and assessment is None:
        posted = request.POST.get("form_version", "")
        # A missing or mangled field keeps the current version; so does the current one.
        if posted.isdigit() and int(posted) != version.pk:
            version = form.versions.filter(pk=posted).first() or version
    # What the rotation pre-chooses matters to a form drawn new; a POST says its own choice.
    items, chosen = capture_candidates(
        program=ra.program,
        version=version,
        assignment=ra.assignment if request.method == "GET" else None,
    )
    chosen |= preselect or set()
    if assessment is not None:
        page = page_from_assessment(assessment=assessment, items=items, chosen=chosen)
    else:
        page = page_build(
            form=form,
            version=version,
            items=items,
            chosen=chosen,
            client_key=new_client_key(),
            observed_on=timezone.localdate(),
            assessor_role=ra.assessor_role,
        )
    if request.method == "POST":
        page.client_key = request.POST.get("client_key", "")[:64] or page.client_key
        parsed = page_parse(request.POST, page)
        action = request.POST.get("action", "submit")
        if action != "items" and not page.errors and parsed.observed_on is not None:
            try:
                done = _record(request, ra, page, parsed, assessment, draft=action == "draft")
                return sent_saved(done) if sent_by_script(request) else done
            except AssessmentRefused as refused:
                page_errors(page, refused.problems)
        if sent_by_script(request):
            return sent_refused(page)
    if forms is None:
        forms = capture_forms(program=ra.program)
    return render(
        request,
        "assessments/capture_form.html",
        {
            "ra": ra,
            "page": page,
            "assessment": assessment,
            "forms": forms,
            "can_switch": assessment is None
            and ra.assessor_role == AssessorRole.FACULTY
            and len(forms) > 1
            and (ra.assignment is not None or ra.request is None),
        },
        status=400 if page.errors else 200,
    )


def _record(
    request: HttpRequest,
    ra: access.RateAccess,
    page: CapturePage,
    parsed: Parsed,
    assessment: Assessment | None,
    *,
    draft: bool,
) -> HttpResponse:
    assert parsed.observed_on is not None
    if assessment is not None and assessment.status == AssessmentStatus.SUBMITTED:
        assessment_edit(
            assessment=assessment,
            ratings=parsed.ratings,
            comments=parsed.comments,
            observed_on=parsed.observed_on,
            context=page.context,
            acting_user=ra.user,
        )
        return redirect("assessments:done", pk=assessment.pk)
    req = ra.request if ra.request is not None and ra.request.form_id == page.form.pk else None
    result = assessment_submit(
        program=ra.program,
        form_version=page.version,
        subject=ra.subject,
        assessor=ra.user,
        assessor_role=ra.assessor_role,
        observed_on=parsed.observed_on,
        ratings=parsed.ratings,
        comments=parsed.comments,
        acting_user=ra.user,
        client_key=page.client_key,
        request=req,
        assignment=ra.assignment,
        context=page.context,
        draft=draft,
        concerns=page.concerns,
    )
    if draft and result.assessment.status == AssessmentStatus.DRAFT:
        return redirect(f"{reverse('assessments:start')}?saved={result.assessment.pk}")
    done = reverse("assessments:done", args=[result.assessment.pk])
    return redirect(done if result.created else f"{done}?again=1")


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, slug: str, learner_id: int) -> HttpResponse:
    user = viewer(request)
    try:
        ra = access.get_rating_for(user, slug, learner_id)
    except (PermissionDenied, Http404):
        if not sent_by_script(request):
            raise
        # Sent from the phone's outbox: the supervision it was made under has ended.
        key = request.POST.get("client_key", "")
        return sent_already(user=user, client_key=key) or sent_stale(NOT_SUPERVISED)
    forms = capture_forms(program=ra.program)
    return _capture(request, ra, _pick_form(request, ra, forms), forms=forms)


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """A request's link (the QR code a learner shows): the form, pre-filled."""
    ra = access.get_request_to_answer(viewer(request), token)
    assert ra.request is not None
    if request.method == "GET" and ra.request.status != RequestStatus.OPEN:
        mine = ra.request.assessments.filter(assessor=ra.user).first()
        if mine is not None:
            return redirect("assessments:done", pk=mine.pk)
        return render(request, "assessments/request_closed.html", {"req": ra.request}, status=410)
    preselect = set(ra.request.items.values_list("pk", flat=True))
    return _capture(request, ra, ra.request.form, preselect=preselect)


def _own_rate_access(request: HttpRequest, assessment: Assessment) -> access.RateAccess:
    user = viewer(request)
    program_access = access.get_program_for(user, assessment.program.slug)
    return access.RateAccess(
        program_access,
        user,
        assessment.subject,
        assessment.assignment,
        assessment.request,
        assessment.assessor_role,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Resume a draft, or correct a submitted assessment within its edit window."""
    assessment = access.get_own_assessment_for(viewer(request), pk)
    if assessment.status == AssessmentStatus.SUBMITTED and not _editable(assessment):
        raise PermissionDenied("The time to edit this assessment has passed")
    ra = _own_rate_access(request, assessment)
    return _capture(request, ra, assessment.form_version.form, assessment=assessment)


def _editable(assessment: Assessment) -> bool:
    until = assessment.editable_until
    return until is not None and timezone.now() <= until


@login_required
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    assessment = access.get_own_assessment_for(user, pk)
    if assessment.status != AssessmentStatus.DRAFT:
        raise PermissionDenied("Only a draft can be discarded")
    assessment_draft_discard(assessment=assessment, acting_user=user)
    return redirect("assessments:start")


@login_required
@require_GET
def done(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.get_own_assessment_for(viewer(request), pk)
    labels = {lv.value: lv.label for lv in assessment.form_version.scale.levels.all()}
    return render(
        request,
        "assessments/done.html",
        {
            "a": assessment,
            "editable": _editable(assessment),
            "again": request.GET.get("again") == "1",
            "ratings": [
                (r, labels.get(r.level) if r.level is not None else None)
                for r in assessment.ratings.select_related("item")
            ],
        },
    )
