"""A learner's self-assessment page: the program's frameworks one at a time, each item's
levels with what they look like, starting where the learner last placed themself."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from trellis.assessments.capture.page import new_client_key
from trellis.assessments.capture.self_assessment import (
    SelfAssessmentRefused,
    learner_self_assessment_submit,
    self_assessment_frameworks,
    self_assessment_items,
)
from trellis.assessments.capture.services import AssessmentRefused
from trellis.assessments.evidence import learner_self_levels
from trellis.frameworks.level_picker import descriptor_rows, read_levels, rows_chosen
from trellis.people.access import viewer
from trellis.people.models import Role
from trellis.records.access import get_records_for

TEXT_LIMIT = 5000


@login_required
@require_http_methods(["GET", "POST"])
def self_assessment(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    access.require(Role.LEARNER in access.roles, "Self-assessment is for the program's learners")
    learner, program = access.user, access.program
    adoptions = self_assessment_frameworks(program=program)
    chosen = request.POST.get("framework") or request.GET.get("framework")
    adoption = next((a for a in adoptions if a.framework.slug == chosen), None) or (
        adoptions[0] if adoptions else None
    )
    items = self_assessment_items(adoption=adoption) if adoption else []
    latest = {k: v.level for k, v in learner_self_levels(program=program, learner=learner).items()}
    errors: list[str] = []
    posted = request.POST if request.method == "POST" else None
    if posted is not None:
        levels, errors = read_levels(posted, items)
        strengths, next_step = posted.get("strengths", ""), posted.get("next_step", "")
        if len(strengths) > TEXT_LIMIT or len(next_step) > TEXT_LIMIT:
            errors.append(f"Keep each answer under {TEXT_LIMIT:,} characters.")
        if not errors:
            try:
                result = learner_self_assessment_submit(
                    program=program,
                    learner=learner,
                    levels=levels,
                    strengths=strengths,
                    next_step=next_step,
                    observed_on=timezone.localdate(),
                    acting_user=learner,
                    client_key=posted.get("client_key", "")[:64],
                )
            except SelfAssessmentRefused as refused:
                errors.append(str(refused))
            except AssessmentRefused as refused:
                errors.extend(refused.problems.values())
            else:
                n = result.assessment.ratings.count()
                messages.success(
                    request,
                    f"Self-assessment saved: {n} item{'s' if n != 1 else ''}. Your record "
                    "shows it beside the evidence; your committee sees it too.",
                )
                return redirect("records:learner", slug=slug, learner_id=learner.pk)
    return render(
        request,
        "records/self_assessment.html",
        {
            "program": program,
            "adoptions": adoptions,
            "adoption": adoption,
            "rows": rows_chosen(descriptor_rows(items), posted=posted, latest=latest),
            "errors": errors,
            "strengths": posted.get("strengths", "") if posted else "",
            "next_step": posted.get("next_step", "") if posted else "",
            "client_key": (posted.get("client_key", "") if posted else "") or new_client_key(),
            "since": bool(latest) and posted is None,
        },
        status=400 if errors else 200,
    )
