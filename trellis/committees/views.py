"""Committee pages. Thin: access -> form -> one service or selector -> render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from trellis.committees import selectors as sel
from trellis.committees.access import get_committee_for, get_cycle_for
from trellis.committees.acgme import AcgmeNotReady, acgme_csv
from trellis.committees.forms import CycleForm, ReviewersForm
from trellis.committees.rules import COMMITTEE_VOTERS, CommitteeError, review_items
from trellis.committees.services import (
    cycle_create,
    cycle_meeting_start,
    cycle_sign_off,
    reviewers_assign,
)
from trellis.people.access import get_program_for, viewer
from trellis.people.models import Program, User
from trellis.people.selectors import program_members


@login_required
@require_http_methods(["GET"])
def cycle_list(request: HttpRequest, slug: str) -> HttpResponse:
    committee = get_committee_for(viewer(request), slug)
    cycles = sel.cycles_for(program=committee.program)
    return render(
        request,
        "committees/cycle_list.html",
        {"program": committee.program, "committee": committee, "cycles": cycles},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_new(request: HttpRequest, slug: str) -> HttpResponse:
    committee = get_committee_for(viewer(request), slug)
    if not committee.can_manage_cycles:
        raise_forbidden("Only the director or coordinator opens a review cycle")
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = cycle_create(
                program=committee.program,
                acting_user=viewer(request),
                **form.cleaned_data,
            )
        except CommitteeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Opened {cycle.name}: {cycle.reviews.count()} learners")
            return redirect("committees:cycle", slug=slug, pk=cycle.pk)
    return render(
        request, "committees/cycle_new.html", {"program": committee.program, "form": form}
    )


def raise_forbidden(message: str) -> None:
    raise PermissionDenied(message)


def _reviewer_choices(program: Program) -> list[User]:
    members = program_members(program=program)
    seen: dict[int, User] = {}
    for m in members:
        if m.role in COMMITTEE_VOTERS:
            seen.setdefault(m.person.pk, m.person)
    return sorted(seen.values(), key=lambda u: (u.last_name, u.first_name))


@login_required
@require_http_methods(["GET", "POST"])
def cycle_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    committee, cycle = get_cycle_for(viewer(request), slug, pk)
    reviews = list(sel.cycle_reviews(cycle=cycle))
    reviewers = _reviewer_choices(committee.program)
    form = ReviewersForm(request.POST or None, reviews=reviews, reviewers=reviewers)
    if request.method == "POST":
        if not committee.can_manage_cycles:
            raise_forbidden("Only the director or coordinator assigns pre-reviewers")
        if form.is_valid():
            try:
                n = reviewers_assign(
                    cycle=cycle,
                    assignments=form.assignments({u.pk: u for u in reviewers}),
                    acting_user=viewer(request),
                )
            except CommitteeError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"Saved: {n} assignment{'s' if n != 1 else ''} changed")
                return redirect("committees:cycle", slug=slug, pk=cycle.pk)
    done = sum(1 for r in reviews if r.status == "decided")
    return render(
        request,
        "committees/cycle_detail.html",
        {
            "program": committee.program,
            "committee": committee,
            "cycle": cycle,
            "rows": [(r, form[f"r{r.pk}"]) for r in reviews],
            "form": form,
            "decided": done,
            "total": len(reviews),
            "user_id": viewer(request).pk,
        },
    )


@login_required
@require_POST
def cycle_meeting(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    committee, cycle = get_cycle_for(viewer(request), slug, pk)
    if not committee.can_manage_cycles:
        raise_forbidden("Only the director or coordinator starts the meeting")
    try:
        cycle_meeting_start(cycle=cycle, acting_user=viewer(request))
    except CommitteeError as exc:
        messages.error(request, str(exc))
    return redirect("committees:cycle", slug=slug, pk=cycle.pk)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_signoff(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    committee, cycle = get_cycle_for(viewer(request), slug, pk)
    if not committee.can_sign_off:
        raise_forbidden("Only the program director signs off a review")
    if request.method == "POST":
        try:
            cycle_sign_off(cycle=cycle, acting_user=viewer(request))
        except CommitteeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{cycle.name} is signed off and locked")
            return redirect("committees:cycle", slug=slug, pk=cycle.pk)
    undecided = list(sel.undecided_reviews(cycle=cycle))
    return render(
        request,
        "committees/signoff.html",
        {"program": committee.program, "cycle": cycle, "undecided": undecided},
    )


@login_required
@require_http_methods(["GET"])
def mine(request: HttpRequest, slug: str) -> HttpResponse:
    """A learner's own signed-off levels and decisions."""
    access = get_program_for(viewer(request), slug)
    history = sel.committee_levels_for(learner=viewer(request), program=access.program)
    items = {item.pk: item for item in review_items(program=access.program)}
    rows = []
    for entry in history:
        notes = (
            list(
                entry.review.proposals.select_related("item")
                .exclude(note="")
                .filter(withdrawn_at__isnull=True)
            )
            if entry.cycle.share_prereview_notes
            else []
        )
        rows.append(
            {
                "entry": entry,
                "levels": [(items.get(i), lv) for i, lv in entry.levels.items() if i in items],
                "notes": notes,
            }
        )
    return render(request, "committees/mine.html", {"program": access.program, "rows": rows})


@login_required
@require_http_methods(["GET"])
def cycle_export(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    committee, cycle = get_cycle_for(viewer(request), slug, pk)
    if not committee.can_manage_cycles:
        raise_forbidden("Only the director or coordinator exports for the ACGME")
    if not cycle.is_locked:
        raise Http404("Only a signed-off cycle is exported")
    try:
        text = acgme_csv(cycle=cycle)
    except AcgmeNotReady as exc:
        today = timezone.localdate()
        lacking = [
            (person, m.pk, m.end_date is not None and m.end_date < today)
            for person, m in exc.readiness.without_id
        ]
        context = {
            "program": committee.program,
            "cycle": cycle,
            "ads_number_missing": exc.readiness.ads_number_missing,
            "lacking": lacking,
        }
        return render(request, "committees/acgme_not_ready.html", context, status=409)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    filename = f"{committee.program.slug}-{cycle.pk}-milestones.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
