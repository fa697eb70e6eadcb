from __future__ import annotations

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
