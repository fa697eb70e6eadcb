"""Confirm on the learner's phone (Elentra's "complete and confirm via PIN").

A learner starts an observation on their own phone: whom (a supervisor in force) and
which form. They hand the phone over; the faculty member rates, comments and confirms with
their own PIN or password, and the observation is recorded as the faculty member's
(assessor and acting user: the faculty member; role: faculty), never as the learner's. A
wrong PIN shows the form again with everything typed kept; a repeated POST (the same
client key) lands on the same assessment. The learner then reads it like any assessment
about them.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from trellis.assessments import access
from trellis.assessments.capture.page import new_client_key, page_build, page_errors, page_parse
from trellis.assessments.capture.selectors import (
    assessment_by_client_key,
    capture_candidates,
    capture_forms,
    current_version,
    observation_form_default,
)
from trellis.assessments.capture.services import AssessmentRefused, assessment_submit
from trellis.assessments.handover.access import (
    get_handover_for,
    handover_faculty,
    handover_programs,
)
from trellis.assessments.models import Assessment, AssessmentSource, Form
from trellis.people.access import viewer
from trellis.people.pin import PinRefused, confirm_identity


@login_required
@require_GET
def handover_start(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    programs = handover_programs(learner=user)
    if not programs:
        raise PermissionDenied("Observations to confirm are started by learners")
    program = next((p for p in programs if p.slug == request.GET.get("program")), programs[0])
    return render(
        request,
        "assessments/handover/start.html",
        {
            "program": program,
            "programs": programs,
            "faculty": handover_faculty(learner=user, program=program),
            "forms": capture_forms(program=program),
            "default_form": observation_form_default(program=program),
        },
    )


def _form(request: HttpRequest, ra: access.RateAccess) -> Form:
    forms = capture_forms(program=ra.program)
    wanted = request.POST.get("form") or request.GET.get("form")
    if wanted:
        form = next((f for f in forms if str(f.pk) == wanted), None)
        if form is None:
            raise Http404("No such form")
        return form
    default = observation_form_default(program=ra.program)
    if default is None:
        raise Http404("No observation form is installed")
    return default


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest, slug: str, faculty_id: int) -> HttpResponse:
    learner = viewer(request)
    ra = get_handover_for(learner, slug, faculty_id)
    form = _form(request, ra)
    version = current_version(form)
    items, chosen = capture_candidates(
        program=ra.program,
        version=version,
        assignment=ra.assignment if request.method == "GET" else None,
    )
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
        sent = assessment_by_client_key(assessor=ra.user, client_key=page.client_key)
        if sent is not None and sent.subject_id == learner.pk:
            return redirect("assessments:handover-done", pk=sent.pk)  # the same POST again
        parsed = page_parse(request.POST, page)
        if request.POST.get("action") != "items" and not page.errors:
            assert parsed.observed_on is not None
            try:
                confirm_identity(
                    person=ra.user,
                    secret=request.POST.get("confirm_secret", "")[:128],
                    acting_user=learner,
                    program=ra.program,
                )
                result = assessment_submit(
                    program=ra.program,
                    form_version=page.version,
                    subject=learner,
                    assessor=ra.user,
                    assessor_role=ra.assessor_role,
                    observed_on=parsed.observed_on,
                    ratings=parsed.ratings,
                    comments=parsed.comments,
                    acting_user=ra.user,
                    client_key=page.client_key,
                    assignment=ra.assignment,
                    context=page.context,
                    concerns=page.concerns,
                    source=AssessmentSource.HANDOVER,
                )
                return redirect("assessments:handover-done", pk=result.assessment.pk)
            except PinRefused as refused:
                page.errors["confirm"] = str(refused)
            except AssessmentRefused as refused:
                page_errors(page, refused.problems)
    return render(
        request,
        "assessments/handover/form.html",
        {"ra": ra, "page": page, "forms": [], "faculty": ra.user},
        status=400 if page.errors else 200,
    )


@login_required
@require_GET
def handover_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Saved: says by whom, shows no ratings (the phone may still be in the faculty
    member's hand); the learner opens the assessment like any other about them."""
    user = viewer(request)
    assessment: Assessment = access.get_assessment_for(user, pk)
    if assessment.subject_id != user.pk or assessment.source != AssessmentSource.HANDOVER:
        raise Http404("No such observation")
    return render(request, "assessments/handover/done.html", {"a": assessment})
