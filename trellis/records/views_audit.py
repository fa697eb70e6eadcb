"""The audit trail of a program, for its directors and the institution's admins (the
trail is written by `trellis.audit.services`; this is its read side)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trellis.audit.models import AuditEvent
from trellis.audit.selectors import audit_events_for_program
from trellis.people.access import get_program_for, viewer

PAGE_SIZE = 50


@dataclass
class Change:
    field: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return self.before != self.after


def changes(event: AuditEvent) -> list[Change]:
    """The fields of a before/after pair, in the order they were recorded."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    names = list(dict.fromkeys([*before, *after]))
    return [Change(field=n, before=before.get(n), after=after.get(n)) for n in names]


@require_GET
@login_required
def program_audit(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_program_for(viewer(request), slug)
    if not access.can_see_audit:
        raise PermissionDenied("Only the program director and institution admins see the trail")
    page = Paginator(audit_events_for_program(program=access.program), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(event, changes(event)) for event in page.object_list]
    return render(
        request,
        "audit/program_audit.html",
        {"program": access.program, "page": page, "rows": rows},
    )
