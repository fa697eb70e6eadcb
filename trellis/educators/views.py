"""The educator's own practice: self-assessment, plans, sharing, peers, portfolio."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.educators import selectors as sel
from trellis.educators.access import get_practice_for, get_shared_for
from trellis.educators.forms import PlanForm, ShareForm
from trellis.educators.models import CoachingPreference
from trellis.educators.services import (
    coaching_opt,
    colleague_choices,
    peer_invite,
    self_assessment_submit,
)
from trellis.frameworks.level_picker import read_levels
from trellis.people.access import viewer
from trellis.people.models import User
from trellis.plans.models import ShareScope
from trellis.plans.selectors import active_shares, plans_of, plans_shared_with, shares_with
from trellis.plans.services import plan_create, share_grant

OWNER_SCOPES = frozenset(set(ShareScope.values) | {"teaching"})


def _share_form(request: HttpRequest, person: User, data: object = None) -> ShareForm:
    practice_programs = sel.educator_programs(person=person)
    return ShareForm(
        data,
        plans=list(plans_of(owner=person)),
        people=colleague_choices(educator=person),
        offices=practice_programs,
    )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    practice = get_practice_for(viewer(request))
    me = practice.person
    pref = CoachingPreference.objects.filter(person=me).first()
    return render(
        request,
        "educators/home.html",
        {
            "practice": practice,
            "progress": sel.progress(
                person=me, scopes=OWNER_SCOPES, plans=list(plans_of(owner=me))
            ),
            "shares": active_shares(owner=me),
            "share_form": _share_form(request, me),
            "colleagues": colleague_choices(educator=me),
            "opted_in": bool(pref and pref.opted_in),
            "invitations": me.coaching_invitations.select_related("office")[:5],
            "shared_with_me": _owners(shares_with(viewer=me)),
            "peer_invitations": me.peer_invitations.filter(assessment__isnull=True),
        },
    )


def _owners(shares: object) -> list[User]:
    seen: dict[int, User] = {}
    for s in shares:  # type: ignore[attr-defined]
        seen.setdefault(s.owner_id, s.owner)
    return list(seen.values())


@login_required
@require_http_methods(["GET", "POST"])
def self_assess(request: HttpRequest) -> HttpResponse:
    practice = get_practice_for(viewer(request))
    items = sel.cem_subcompetencies(program=practice.program)
    only = {v for v in request.GET.getlist("item") if v.isdigit()}
    if only:  # a workshop's opening: just its subcompetencies
        items = [i for i in items if str(i.pk) in only] or items
    rows = sel.descriptor_rows(items)
    errors: list[str] = []
    latest = sel.trajectory(
        person=practice.person, items=items, last=1, program=practice.program
    ).latest
    if request.method == "POST":
        levels, errors = read_levels(request.POST, items)
        if not errors:
            try:
                self_assessment_submit(
                    educator=practice.person,
                    program=practice.program,
                    levels=levels,
                    note=request.POST.get("note", ""),
                    observed_on=timezone.localdate(),
                    acting_user=practice.person,
                )
            except (ValidationError, ValueError) as e:
                errors = [str(m) for m in getattr(e, "messages", [str(e)])]
            else:
                messages.success(request, "Self-assessment saved. It is private to you.")
                return redirect("educators:home")
    posted = request.POST if request.method == "POST" else None
    return render(
        request,
        "educators/self_assess.html",
        {
            "rows": sel.rows_chosen(rows, posted=posted, latest=latest),
            "levels": sel.LEVELS,
            "errors": errors,
            "note": request.POST.get("note", "") if posted else "",
            "since": bool(latest) and posted is None,
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    practice = get_practice_for(viewer(request))
    items = sel.cem_subcompetencies(program=practice.program)
    initial = {"item": request.GET.get("item")} if request.GET.get("item", "").isdigit() else {}
    form = PlanForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = plan_create(
                owner=practice.person,
                program=practice.program,
                item=d["item"],
                current_level=d["current_level"],
                target_level=d["target_level"],
                actions=d["actions"],
                evidence=d["evidence"],
                check_ins=[x for x in (d["check_in_1"], d["check_in_2"]) if x],
                acting_user=practice.person,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Plan opened. It is private to you unless you share it.")
            return redirect("plans:detail", pk=plan.pk)
    return render(
        request, "educators/plan_new.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def share(request: HttpRequest) -> HttpResponse:
    practice = get_practice_for(viewer(request))
    form = _share_form(request, practice.person, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        share_grant(
            owner=practice.person,
            scope=d["scope"],
            plan=d["plan"],
            grantee=d["grantee"],
            office=d["office"],
            acting_user=practice.person,
        )
        messages.success(request, "Shared. You can withdraw it at any time.")
    else:
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
    return redirect("educators:home")


@login_required
@require_POST
def coaching(request: HttpRequest) -> HttpResponse:
    me = get_practice_for(viewer(request)).person
    opted = request.POST.get("opted_in") == "1"
    coaching_opt(person=me, opted_in=opted, acting_user=me)
    messages.success(
        request, "You will receive coaching invitations." if opted else "Coaching opt-in removed."
    )
    return redirect("educators:home")


@login_required
@require_POST
def peer_new(request: HttpRequest) -> HttpResponse:
    practice = get_practice_for(viewer(request))
    colleague = User.objects.filter(pk=request.POST.get("colleague") or 0).first()
    try:
        if colleague is None:
            raise ValidationError("Choose a colleague.")
        peer_invite(
            educator=practice.person,
            program=practice.program,
            colleague=colleague,
            session=request.POST.get("session", ""),
            acting_user=practice.person,
        )
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, f"{colleague} can now record an observation of your teaching.")
    return redirect("educators:home")


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    practice = get_practice_for(viewer(request))
    me = practice.person
    return render(
        request,
        "educators/portfolio.html",
        {"progress": sel.progress(person=me, scopes=OWNER_SCOPES, plans=list(plans_of(owner=me)))},
    )


@login_required
@require_POST
def portfolio_pdf(request: HttpRequest) -> HttpResponse:
    """Only the owner, on their own request, can print their portfolio."""
    from weasyprint import HTML  # slow to load; only this view needs it

    me = get_practice_for(viewer(request)).person
    html = render_to_string(
        "educators/portfolio_pdf.html",
        {
            "progress": sel.progress(
                person=me, scopes=OWNER_SCOPES, plans=list(plans_of(owner=me))
            ),
            "generated": timezone.now(),
        },
    )
    response = HttpResponse(bytes(HTML(string=html).write_pdf()), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="educator-portfolio.pdf"'
    return response


@login_required
@require_GET
def shared(request: HttpRequest, pk: int) -> HttpResponse:
    """What one educator shares with the viewer, while it is shared."""
    person = viewer(request)
    view = get_shared_for(person, pk)
    plans = list(plans_shared_with(owner=view.owner, viewer=person))
    return render(
        request,
        "educators/shared.html",
        {
            "owner": view.owner,
            "progress": sel.progress(person=view.owner, scopes=view.scopes, plans=plans),
        },
    )
