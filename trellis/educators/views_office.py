"""A colleague's peer observation, the workshop page, and the faculty-development
office's aggregate view and coaching invitations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.assessments.capture.services import AssessmentRefused
from trellis.curriculum.models import Mapping
from trellis.educators import selectors as sel
from trellis.educators.access import get_office_for, get_peer_invitation_for, get_workshop_for
from trellis.educators.services import coaching_invite, peer_submit
from trellis.frameworks.level_picker import read_levels
from trellis.frameworks.models import ItemKind
from trellis.people.access import viewer


@login_required
@require_http_methods(["GET", "POST"])
def peer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_peer_invitation_for(viewer(request), token)
    if invitation.assessment_id is not None:
        return render(request, "educators/peer_done.html", {"invitation": invitation})
    items = sel.cem_subcompetencies()
    errors: list[str] = []
    if request.method == "POST":
        levels, errors = read_levels(request.POST, items)
        if not errors:
            try:
                peer_submit(
                    invitation=invitation,
                    levels=levels,
                    comment=request.POST.get("comment", ""),
                    observed_on=timezone.localdate(),
                    acting_user=viewer(request),
                )
            except (ValidationError, AssessmentRefused) as e:
                errors = list(e.messages)
            else:
                messages.success(request, "Thank you. Your observation went to the educator only.")
                return redirect("educators:peer", token=token)
    return render(
        request,
        "educators/peer.html",
        {
            "invitation": invitation,
            "rows": sel.rows_chosen(
                sel.descriptor_rows(items),
                posted=request.POST if request.method == "POST" else None,
            ),
            "errors": errors,
            "comment": request.POST.get("comment", ""),
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def workshop(request: HttpRequest, pk: int) -> HttpResponse:
    _, activity = get_workshop_for(viewer(request), pk)
    items = sorted(
        {
            m.item
            for m in Mapping.objects.filter(
                activity=activity,
                item__framework__slug=sel.CEM_SLUG,
                item__kind=ItemKind.SUBCOMPETENCY,
            ).select_related("item")
        },
        key=lambda i: i.position,
    )
    return render(request, "educators/workshop.html", {"activity": activity, "items": items})


@login_required
@require_GET
def office(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_office_for(viewer(request), slug)
    return render(
        request,
        "educators/office.html",
        {"view": sel.office_view(office=program), "levels": sel.LEVELS},
    )


@login_required
@require_POST
def office_coaching(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_office_for(viewer(request), slug)
    try:
        invitation = coaching_invite(
            office=program, message=request.POST.get("message", ""), acting_user=viewer(request)
        )
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        n = invitation.recipients.count()
        messages.success(
            request, f"Invitation sent to {n} educator{'s' if n != 1 else ''} who opted in."
        )
    return redirect("educators:office", slug=slug)
