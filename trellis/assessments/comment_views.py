"""The comment-quality page: does the program's feedback say what to do next, by quarter
(and by rater, for the program director), which forms' words and levels disagree, and
the items untagged comments speak about, for a coordinator to confirm.
For those who run the program (coordinators, directors, admins); outsiders get 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from trellis.analytics.narratives import NUDGE_SUGGESTION
from trellis.assessments.access_program import get_assess_for
from trellis.assessments.comment_quality import (
    MISMATCH_DAYS,
    comment_quality,
    level_text_mismatches,
)
from trellis.assessments.tagging import (
    MIN_TAGGED,
    comment_of_program,
    comment_tags_confirm,
    tag_suggestions,
    taggable_items,
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
            "suggestions": tag_suggestions(program=access.program),
            "min_tagged": MIN_TAGGED,
        },
    )


@login_required
@require_POST
def comment_tags(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Confirm (or correct) the items a comment speaks about; none: about no item."""
    access = get_assess_for(request, slug)
    access.require_manage()
    comment = comment_of_program(program=access.program, pk=pk)
    if comment is None:
        raise Http404("No such comment")
    ids = [v for v in request.POST.getlist("item") if v.isdigit()]
    items = list(taggable_items(program=access.program).filter(pk__in=ids))
    try:
        comment_tags_confirm(comment=comment, items=items, acting_user=access.user)
    except ValidationError as refused:
        messages.error(request, "; ".join(refused.messages))
    else:
        named = ", ".join(i.code or i.name for i in items) or "no item in particular"
        messages.success(request, f"Tagged: {named}.")
    return redirect(reverse("assessments-program:comments", args=[slug]) + "#t-h")
