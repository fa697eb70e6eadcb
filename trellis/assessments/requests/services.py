"""Writes of requests: who should assess whom, on which form, by when.

- `requests_generate_from_schedule` turns finished assignments into end-of-rotation
  requests (each supervisor about the learner) and, where the program offers a teaching
  evaluation form, the learner's evaluation of each supervisor. It is idempotent: a
  schedule request is unique per (form, subject, assessor, assignment), so running it
  twice, or in two processes at once, creates nothing the second time.
- `request_create` is a coordinator's ad hoc request; `request_cancel` withdraws one.
Every write is audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from trellis.assessments.models import (
    Form,
    FormKind,
    Request,
    RequestOrigin,
    RequestStatus,
)
from trellis.audit.services import audit_record, snapshot
from trellis.lib.bounds import plausible_date
from trellis.people.models import Membership, Program, User
from trellis.scheduling.models import Assignment

# An assignment that ended this many days ago or fewer still gets its requests.
GENERATE_LOOKBACK_DAYS = 14
# End-of-rotation requests fall due this many days after the last day of the assignment.
DUE_AFTER_END_DAYS = 14

REQUEST_FIELDS = ["form", "subject", "assessor", "assignment", "origin", "status", "due_date"]


class RequestRefused(ValueError):
    """A request that may not be made or changed; the message says why."""


@dataclass(frozen=True)
class GenerateResult:
    created: int
    existing: int
    assignments: int
    missing_form: bool = False


def form_for(*, program: Program, kind: str) -> Form | None:
    """The program's own live form of this kind, else the built-in one."""
    forms = Form.objects.filter(kind=kind, archived=False).filter(
        Q(program=program) | Q(program__isnull=True)
    )
    return forms.filter(program=program).first() or forms.filter(program__isnull=True).first()


def forms_offered(*, program: Program) -> list[Form]:
    return list(
        Form.objects.filter(archived=False)
        .filter(Q(program=program) | Q(program__isnull=True))
        .order_by("title")
    )


def _record(request: Request, *, action: str, actor: User | None) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=request,
        after=snapshot(request, REQUEST_FIELDS),
        program=request.program,
    )


def _schedule_request(
    *,
    program: Program,
    form: Form,
    subject: User,
    assessor: User,
    assignment: Assignment,
    acting_user: User | None,
) -> bool:
    request, created = Request.objects.get_or_create(
        form=form,
        subject=subject,
        assessor=assessor,
        assignment=assignment,
        origin=RequestOrigin.SCHEDULE,
        defaults={
            "program": program,
            "due_date": assignment.end_date + dt.timedelta(days=DUE_AFTER_END_DAYS),
            "created_by": acting_user,
        },
    )
    if created:
        _record(request, action="request.generate", actor=acting_user)
    return created


@transaction.atomic
def requests_generate_from_schedule(
    *,
    program: Program,
    on: dt.date,
    acting_user: User | None,
    lookback_days: int = GENERATE_LOOKBACK_DAYS,
) -> GenerateResult:
    """Requests for every assignment of the program whose last day falls within the
    `lookback_days` up to and including `on`: each supervisor's end-of-rotation
    evaluation of the learner, and the learner's evaluations of each supervisor's
    teaching and of the rotation."""
    end_of_rotation = form_for(program=program, kind=FormKind.END_OF_ROTATION)
    if end_of_rotation is None:
        return GenerateResult(created=0, existing=0, assignments=0, missing_form=True)
    teaching = form_for(program=program, kind=FormKind.TEACHING)
    rotation = form_for(program=program, kind=FormKind.ROTATION)
    assignments = (
        Assignment.objects.filter(
            rotation__program=program,
            end_date__lte=on,
            end_date__gte=on - dt.timedelta(days=lookback_days),
        )
        .select_related("learner")
        .prefetch_related("supervisors")
        .order_by("end_date", "pk")
    )
    created = existing = count = 0
    for assignment in assignments:
        count += 1
        pairs = []
        for supervisor in assignment.supervisors.all():
            pairs.append((end_of_rotation, assignment.learner, supervisor))
            if teaching is not None:
                pairs.append((teaching, supervisor, assignment.learner))
        if rotation is not None:
            # The learner's evaluation of the rotation itself (see assessments.evaluations).
            pairs.append((rotation, assignment.learner, assignment.learner))
        for form, subject, assessor in pairs:
            made = _schedule_request(
                program=program,
                form=form,
                subject=subject,
                assessor=assessor,
                assignment=assignment,
                acting_user=acting_user,
            )
            created += made
            existing += not made
    return GenerateResult(created=created, existing=existing, assignments=count)


def _is_member(program: Program, person: User) -> bool:
    return Membership.objects.filter(program=program, person=person).exists()


@transaction.atomic
def request_create(
    *,
    program: Program,
    form: Form,
    subjects: Sequence[User],
    assessor: User,
    due_date: dt.date,
    acting_user: User | None,
    note: str = "",
    today: dt.date | None = None,
) -> list[Request]:
    """A coordinator's ad hoc request: one per subject, from `assessor`."""
    if form.archived or form.program_id not in (None, program.pk):
        raise RequestRefused("That form is not offered by this program.")
    if not subjects:
        raise RequestRefused("Choose at least one person to be assessed.")
    if today is not None and due_date < today:
        raise RequestRefused("The due date has already passed.")
    if problem := plausible_date(due_date):
        raise RequestRefused(f"The due date {problem}.")
    strangers = [p for p in [assessor, *subjects] if not _is_member(program, p)]
    if strangers:
        raise RequestRefused(f"{strangers[0]} is not a member of {program}.")
    if any(s.pk == assessor.pk for s in subjects) and form.kind != FormKind.SELF:
        raise RequestRefused("Only a self-assessment may ask someone to assess themselves.")
    made = []
    for subject in subjects:
        request = Request.objects.create(
            program=program,
            form=form,
            subject=subject,
            assessor=assessor,
            due_date=due_date,
            origin=RequestOrigin.COORDINATOR,
            note=note[:255],
            created_by=acting_user,
        )
        _record(request, action="request.create", actor=acting_user)
        made.append(request)
    return made


@transaction.atomic
def request_cancel(*, request: Request, acting_user: User | None) -> Request:
    """Withdraw an open request. Completed and expired requests stay as they are."""
    before = snapshot(request, REQUEST_FIELDS)
    changed = Request.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
        status=RequestStatus.CANCELLED
    )
    if not changed:
        raise RequestRefused("Only an open request can be cancelled.")
    request.status = RequestStatus.CANCELLED
    audit_record(
        actor=acting_user,
        action="request.cancel",
        target=request,
        before=before,
        after=snapshot(request, REQUEST_FIELDS),
        program=request.program,
    )
    return request
