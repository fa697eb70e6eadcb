"""A learner's self-assessment on their program's milestones and EPAs: where they place
themself, what they do well and what they will work on next. It is theirs and their
program staff's (the committee sees the gap between it and the evidence), and it is never
evidence itself (`assessments.evidence`). The educators' self-assessment on the
Clinician Educator Milestones is `educators.services.self_assessment_submit`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from trellis.assessments.capture.selectors import current_version
from trellis.assessments.capture.services import (
    CommentInput,
    RatingInput,
    SubmitResult,
    assessment_submit,
)
from trellis.assessments.evidence import record_adoptions, record_items
from trellis.assessments.models import AssessorRole, Form
from trellis.frameworks.models import Adoption, Item
from trellis.people.models import Program, User
from trellis.people.selectors import learners_of

SELF_FORM_SLUG = "self-assessment"


class SelfAssessmentRefused(ValueError):
    pass


def self_assessment_frameworks(*, program: Program) -> list[Adoption]:
    """The program's adopted frameworks a learner places themself on (not developmental)."""
    return record_adoptions(program=program)


def self_assessment_items(*, adoption: Adoption) -> list[Item]:
    return record_items(adoptions=[adoption])


def learner_self_assessment_submit(
    *,
    program: Program,
    learner: User,
    levels: dict[Item, Decimal],
    strengths: str = "",
    next_step: str = "",
    observed_on: dt.date,
    acting_user: User,
    client_key: str = "",
) -> SubmitResult:
    """Record the learner's self-assessment. Only the learner, a current learner of the
    program, on items of the frameworks the program adopted; at least one level. A repeat
    with the same client key (a phone's retry, the Back button) records nothing more."""
    if acting_user.pk != learner.pk:
        raise SelfAssessmentRefused("A self-assessment is made by the learner themself.")
    if not learners_of(program=program).filter(person=learner).exists():
        raise SelfAssessmentRefused(f"{learner} is not a learner of {program}.")
    if not levels:
        raise SelfAssessmentRefused("Place yourself on at least one item.")
    adopted = {a.framework_id for a in self_assessment_frameworks(program=program)}
    strangers = [item for item in levels if item.framework_id not in adopted]
    if strangers:
        raise SelfAssessmentRefused(f"{strangers[0]} is not in a framework of {program}.")
    form = Form.objects.get(program__isnull=True, slug=SELF_FORM_SLUG)
    comments = [
        CommentInput(key, text)
        for key, text in (("strengths", strengths), ("next-time", next_step))
        if text.strip()
    ]
    return assessment_submit(
        program=program,
        form_version=current_version(form),
        subject=learner,
        assessor=learner,
        assessor_role=AssessorRole.SELF,
        observed_on=observed_on,
        ratings=[RatingInput(item=i, level=v) for i, v in levels.items()],
        comments=comments,
        acting_user=acting_user,
        client_key=client_key,
    )
