"""A plan: its owner works on it; those the owner shared it with may read it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from trellis.people.access import viewer
from trellis.plans.access import get_own_plan, get_own_share, get_plan_for
from trellis.plans.models import CheckIn
from trellis.plans.selectors import plans_of
from trellis.plans.services import check_in_record, plan_close, share_withdraw


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "plans/mine.html", {"plans": plans_of(owner=viewer(request))})


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_plan_for(viewer(request), pk)
    shares = access.plan.shares.filter(withdrawn_at=None) if access.is_owner else []
    return render(
        request,
        "plans/detail.html",
        {"plan": access.plan, "is_owner": access.is_owner, "shares": shares},
    )


def _errors(request: HttpRequest, e: ValidationError) -> None:
    for m in e.messages:
        messages.error(request, m)


@login_required
@require_POST
def check_in(request: HttpRequest, pk: int, check_in_pk: int) -> HttpResponse:
    plan = get_own_plan(viewer(request), pk)
    item = CheckIn.objects.filter(plan=plan, pk=check_in_pk).first()
    if item is None:
        messages.error(request, "No such check-in.")
        return redirect("plans:detail", pk=pk)
    try:
        check_in_record(
            check_in=item, note=request.POST.get("note", ""), acting_user=viewer(request)
        )
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, "Check-in recorded.")
    return redirect("plans:detail", pk=pk)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_own_plan(viewer(request), pk)
    try:
        plan_close(
            plan=plan, reflection=request.POST.get("reflection", ""), acting_user=viewer(request)
        )
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, "Plan closed with your reflection.")
    return redirect("plans:detail", pk=pk)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    share = get_own_share(viewer(request), pk)
    share_withdraw(share=share, acting_user=viewer(request))
    messages.success(request, "Share withdrawn: they no longer see it.")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("plans:mine")
