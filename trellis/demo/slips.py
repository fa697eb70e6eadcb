"""A rater's slip, as happens in life: two recent observations whose comment praises a
learner as independent while the levels given sit at the bottom of the scale, so the
coordinator's home and the comment-quality page show what a words-and-levels check finds."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Max

from trellis.assessments.models import Assessment, AssessmentStatus, AssessorRole, Comment

if TYPE_CHECKING:
    from trellis.demo.generator import Demo

SLIPS = (
    "Outstanding morning: ran the list independently and the plan was spot on.",
    "Excellent work, fully independent with the family meeting.",
)


def generate_slips(*, demo: Demo) -> int:
    """The number of comments written."""
    low = list(
        Assessment.objects.filter(
            program=demo.programs.residency,
            status=AssessmentStatus.SUBMITTED,
            assessor_role=AssessorRole.FACULTY,
            form_version__form__anonymous=False,
            observed_on__gte=demo.today - dt.timedelta(days=45),
        )
        .annotate(top=Max("ratings__level"))
        .filter(top__lte=1.5)
        .order_by("-observed_on", "pk")[: len(SLIPS)]
    )
    for assessment, text in zip(low, SLIPS, strict=False):
        Comment.objects.filter(assessment=assessment).delete()
        Comment.objects.create(assessment=assessment, prompt_key="went-well", text=text)
    return len(low)
