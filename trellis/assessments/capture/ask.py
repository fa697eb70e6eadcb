"""A learner asks for feedback: an open request, shown as a link and a QR code that the
supervisor scans to open the form, pre-filled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import segno
from django.db import transaction
from django.utils import timezone

from trellis.assessments.models import Form, Request, RequestOrigin
from trellis.audit.services import audit_record, snapshot
from trellis.frameworks.models import Item
from trellis.people.models import Membership, Program, Role, User

# A learner's request stays open this long: long enough for a busy shift.
ASK_OPEN_DAYS = 7


class AskRefused(ValueError):
    """The request may not be made; the message says why."""


@transaction.atomic
def feedback_ask(
    *,
    program: Program,
    learner: User,
    form: Form,
    items: Sequence[Item],
    acting_user: User,
    assessor: User | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> Request:
    """An open request by `learner` about themselves (origin=learner). Without `assessor`
    any faculty member of the program who opens the link may answer it."""
    today = today or timezone.localdate()
    if form.archived or form.program_id not in (None, program.pk):
        raise AskRefused("That form is not offered by this program.")
    if not items:
        raise AskRefused("Choose what you would like feedback on.")
    if assessor is not None:
        if assessor.pk == learner.pk:
            raise AskRefused("Ask someone else for feedback.")
        if not Membership.objects.filter(
            program=program, person=assessor, role__in=[Role.FACULTY, Role.DIRECTOR]
        ).exists():
            raise AskRefused(f"{assessor} is not on the faculty of {program}.")
    request = Request.objects.create(
        program=program,
        form=form,
        subject=learner,
        assessor=assessor,
        origin=RequestOrigin.LEARNER,
        due_date=today + dt.timedelta(days=ASK_OPEN_DAYS),
        note=note.strip()[:255],
        created_by=acting_user,
    )
    request.items.set(items)
    audit_record(
        actor=acting_user,
        action="request.ask",
        target=request,
        after={
            **snapshot(request, ["form", "subject", "assessor", "origin", "due_date"]),
            "items": [i.code for i in items],
        },
        program=program,
    )
    return request


def qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code (no script, no style attribute)."""
    code = segno.make(url, error="m")
    return str(code.svg_inline(scale=4, svgclass="qr", omitsize=True, title="QR code of the link"))
