from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from trellis.audit.models import AuditEvent

if TYPE_CHECKING:
    from trellis.people.models import Program


def audit_events_for_program(*, program: Program) -> QuerySet[AuditEvent]:
    """A program's events, and those of its institution that are not tied to another program
    (frameworks imported for the institution, for instance)."""
    from django.db.models import Q

    return (
        AuditEvent.objects.filter(
            Q(program=program) | Q(program__isnull=True, institution_id=program.institution_id)
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )


def imports_refused(*, program: Program, since: dt.datetime) -> list[AuditEvent]:
    """The program's refused imports since `since`, newest first, leaving out each one that
    a later import of the same kind replaced."""
    from trellis.audit.services import IMPORT_DONE, IMPORT_REFUSED

    events = (
        AuditEvent.objects.filter(
            program=program, action__in=[IMPORT_REFUSED, IMPORT_DONE], at__gte=since
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )
    done_after: set[str] = set()
    out = []
    for event in events:
        what = str((event.after or {}).get("what", ""))
        if event.action == IMPORT_DONE:
            done_after.add(what)
        elif what not in done_after:
            out.append(event)
    return out
