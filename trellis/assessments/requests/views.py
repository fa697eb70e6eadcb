"""Program pages about requests: open and overdue lists, ad hoc requests, cancelling,
generating from the schedule, completion rates, and each person's own due list."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.assessments.access_program import get_assess_for
from trellis.assessments.instruments.forms import CompliancePeriodForm, RequestForm
from trellis.assessments.models import Form, ReminderPass, Request, RequestStatus
from trellis.assessments.requests.reminders import requests_chase
from trellis.assessments.requests.selectors import (
    REQUEST_VIEWS,
    compliance_report,
    requests_due_for,
    requests_filtered,
)
from trellis.assessments.requests.services import (
    RequestRefused,
    forms_offered,
    request_cancel,
    request_create,
    requests_generate_from_schedule,
)
from trellis.people.access import viewer
from trellis.people.models import Program, User
from trellis.people.selectors import program_members


def _members(program: Program) -> QuerySet[User]:
    ids = program_members(program=program).values("person_id")
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name")


PAGE_SIZE = 50


@login_required
@require_GET
def requests_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Open requests, filtered (overdue / not yet due / all, a form, a name) and paged."""
    access = get_assess_for(request, slug)
    access.require_manage()
    today = timezone.localdate()
    view = request.GET.get("show", "overdue")
    view = view if view in REQUEST_VIEWS else "overdue"
    forms = list(Form.objects.filter(requests__program=access.program).distinct())
    wanted = request.GET.get("form", "")
    form = next((f for f in forms if str(f.pk) == wanted), None)
    name = request.GET.get("q", "").strip()[:100]
    rows = requests_filtered(
        program=access.program, today=today, view=view, form=form.pk if form else None, name=name
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    worker = ReminderPass.objects.first()
    query = {k: v for k, v in (("show", view), ("form", wanted if form else ""), ("q", name)) if v}
    return render(
        request,
        "assessments/requests/list.html",
        {
            "program": access.program,
            "today": today,
            "page": page,
            "views": REQUEST_VIEWS,
            "view": view,
            "view_label": REQUEST_VIEWS[view],
            "forms": forms,
            "form": form,
            "q": name,
            "query": urlencode(query),
            "counts": {
                "overdue": requests_filtered(program=access.program, today=today).count(),
                "open": requests_filtered(program=access.program, today=today, view="open").count(),
            },
            "worker": worker,
            "worker_late": _worker_late(worker),
        },
    )


def _worker_late(last: ReminderPass | None) -> bool:
    """No reminder pass for a day: the worker is not running (or not since yesterday)."""
    return last is None or last.finished_at < timezone.now() - dt.timedelta(days=1)


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_manage()
    offered = Form.objects.filter(pk__in=[f.pk for f in forms_offered(program=access.program)])
    form = RequestForm(request.POST or None, forms_qs=offered, people_qs=_members(access.program))
    if request.method == "POST" and form.is_valid():
        try:
            made = request_create(
                program=access.program,
                form=form.cleaned_data["form"],
                subjects=list(form.cleaned_data["subjects"]),
                assessor=form.cleaned_data["assessor"],
                due_date=form.cleaned_data["due_date"],
                note=form.cleaned_data["note"],
                acting_user=viewer(request),
                today=timezone.localdate(),
            )
        except RequestRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{len(made)} request{'s' if len(made) != 1 else ''} sent.")
            return redirect("assessments-program:requests", slug)
    return render(
        request, "assessments/requests/new.html", {"program": access.program, "form": form}
    )


@login_required
@require_POST
def requests_generate(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_manage()
    result = requests_generate_from_schedule(
        program=access.program, on=timezone.localdate(), acting_user=viewer(request)
    )
    if result.missing_form:
        messages.error(request, "There is no end-of-rotation form to send.")
    else:
        messages.success(
            request,
            f"{result.created} new request{'s' if result.created != 1 else ''} from "
            f"{result.assignments} recently ended assignment"
            f"{'s' if result.assignments != 1 else ''} ({result.existing} already sent).",
        )
    return redirect("assessments-program:requests", slug)


@login_required
@require_POST
def requests_chase_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Chase the overdue now; back to where the button was (the home page or the list)."""
    access = get_assess_for(request, slug)
    access.require_manage()
    result = requests_chase(program=access.program, acting_user=viewer(request))
    if result.emails:
        messages.success(
            request,
            f"Chased {result.chased} overdue request{'s' if result.chased != 1 else ''}: "
            f"{result.emails} e-mail{'s' if result.emails != 1 else ''} sent"
            + (f"; {result.recent} reminded in the last day left alone." if result.recent else "."),
        )
    elif result.recent:
        messages.info(
            request,
            f"Nothing sent: the {result.recent} overdue request"
            f"{'s were' if result.recent != 1 else ' was'} reminded in the last day.",
        )
    else:
        messages.info(request, "Nothing is overdue.")
    if result.failed:
        messages.error(
            request,
            f"{result.failed} e-mail{'s' if result.failed != 1 else ''} could not be sent "
            "(the mail server refused or could not be reached); try again later.",
        )
    if request.POST.get("next") == "home":
        return redirect("home")
    return redirect("assessments-program:requests", slug)


@login_required
@require_http_methods(["GET", "POST"])
def request_cancel_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_manage()
    req = get_object_or_404(
        Request.objects.select_related("form", "subject", "assessor"),
        pk=pk,
        program=access.program,
    )
    if request.method == "POST":
        try:
            request_cancel(request=req, acting_user=viewer(request))
        except RequestRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The request was cancelled.")
        return redirect("assessments-program:requests", slug)
    return render(
        request,
        "assessments/requests/cancel.html",
        {"program": access.program, "req": req, "is_open": req.status == RequestStatus.OPEN},
    )


def _period(request: HttpRequest, today: dt.date) -> tuple[CompliancePeriodForm, dt.date, dt.date]:
    """The period asked for by ?start=&end=, by default the last 90 days up to today."""
    start, end = today - dt.timedelta(days=90), today
    form = CompliancePeriodForm(request.GET or {"start": start, "end": end})
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


@login_required
@require_GET
def compliance(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_manage()
    today = timezone.localdate()
    form, start, end = _period(request, today)
    report = compliance_report(program=access.program, start=start, end=end, today=today)
    return render(
        request,
        "assessments/requests/compliance.html",
        {"program": access.program, "form": form, "report": report},
    )


@login_required
@require_GET
def my_requests(request: HttpRequest, slug: str) -> HttpResponse:
    """Any member's own due list: faculty's evaluations, learners' teaching evaluations."""
    access = get_assess_for(request, slug)
    return render(
        request,
        "assessments/requests/mine.html",
        {
            "program": access.program,
            "today": timezone.localdate(),
            "due": requests_due_for(assessor=access.user, program=access.program),
        },
    )
