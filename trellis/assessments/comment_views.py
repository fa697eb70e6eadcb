"""The comment-quality page: does the program's feedback say what to do next, by quarter
(and by rater, for the program director), and which forms' words and levels disagree.
For those who run the program (coordinators, directors, admins); outsiders get 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trellis.analytics.narratives import NUDGE_SUGGESTION
from trellis.assessments.access_program import get_assess_for
from trellis.assessments.comment_quality import (
    MISMATCH_DAYS,
    comment_quality,
    level_text_mismatches,
)
from trellis.people.models import Role

RATER_READERS = frozenset({Role.DIRECTOR})


@login_required
@require_GET
def comments(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_manage()
    quality = comment_quality(program=access.program)
    return render(
        request,
        "assessments/comments.html",
        {
            "program": access.program,
            "quality": quality,
            "raters": quality.raters if access.holds(RATER_READERS) else None,
            "mismatches": level_text_mismatches(program=access.program, limit=50),
            "mismatch_days": MISMATCH_DAYS,
            "nudge": NUDGE_SUGGESTION,
        },
    )
