"""Program pages about case and procedure logs: the catalogue, a learner's quick entry and
progress, a supervisor's verification queue, and the program overview."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.assessments.access_program import get_assess_for, get_learner_logs_for
from trellis.assessments.instruments.forms import LogEntryForm, LogTypeForm, ReturnForm
from trellis.assessments.logs.selectors import (
    entries_awaiting,
    learner_entries,
    learner_progress,
    log_catalogue,
    program_log_overview,
)
from trellis.assessments.logs.services import (
    LogRefused,
    log_entry_create,
    log_entry_delete,
    log_entry_return,
    log_entry_verify,
    log_type_create,
    log_type_delete,
    log_type_update,
    supervisor_choices,
)
from trellis.assessments.models import LogEntry, LogType
from trellis.frameworks.models import Adoption, Item
from trellis.people.models import Program, User


def _items(program: Program) -> QuerySet[Item]:
    adopted = Adoption.objects.current().filter(program=program).values("framework_id")
    return Item.objects.filter(framework_id__in=adopted).select_related("framework")


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_read_logs()
    return render(
        request,
        "assessments/logs/overview.html",
        {
            "program": access.program,
            "access": access,
            "overview": program_log_overview(program=access.program),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def log_types(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_manage()
    form = LogTypeForm(request.POST or None, items_qs=_items(access.program))
    if request.method == "POST" and form.is_valid():
        try:
            made = log_type_create(
                program=access.program, acting_user=access.user, **form.cleaned_data
            )
        except LogRefused as exc:
            form.add_error("code", str(exc))
        else:
            messages.success(request, f"{made.name} added to the catalogue.")
            return redirect("assessments-program:log-types", slug)
    return render(
        request,
        "assessments/logs/types.html",
        {"program": access.program, "types": log_catalogue(program=access.program), "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def log_type_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_manage()
    log_type = get_object_or_404(LogType, pk=pk, program=access.program)
    form = LogTypeForm(
        request.POST or None,
        initial=LogTypeForm.initial_for(log_type),
        items_qs=_items(access.program),
    )
    if request.method == "POST" and form.is_valid():
        try:
            log_type_update(log_type=log_type, acting_user=access.user, **form.cleaned_data)
        except LogRefused as exc:
            form.add_error("code", str(exc))
        else:
            messages.success(request, f"{log_type.name} saved.")
            return redirect("assessments-program:log-types", slug)
    return render(
        request,
        "assessments/logs/type_edit.html",
        {"program": access.program, "log_type": log_type, "form": form},
    )


@login_required
@require_POST
def log_type_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_manage()
    log_type = get_object_or_404(LogType, pk=pk, program=access.program)
    try:
        log_type_delete(log_type=log_type, acting_user=access.user)
    except LogRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{log_type.name} removed from the catalogue.")
    return redirect("assessments-program:log-types", slug)


def _entry_form(request: HttpRequest, program: Program, learner: User) -> LogEntryForm:
    people = supervisor_choices(learner=learner, program=program, day=timezone.localdate())
    return LogEntryForm(
        request.POST if request.method == "POST" else None,
        initial={"client_key": uuid.uuid4().hex},
        types_qs=log_catalogue(program=program),
        supervisors_qs=User.objects.filter(pk__in=[p.pk for p in people]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_logs(request: HttpRequest, slug: str) -> HttpResponse:
    """The learner's log: a quick entry form on top, then progress and recent entries."""
    access = get_assess_for(request, slug)
    access.require_learner()
    form = _entry_form(request, access.program, access.user)
    if request.method == "POST" and form.is_valid():
        try:
            entry, created = log_entry_create(
                program=access.program,
                learner=access.user,
                acting_user=access.user,
                **form.cleaned_data,
            )
        except LogRefused as exc:
            form.add_error(None, str(exc))
        else:
            said = "Logged" if created else "Already logged"
            messages.success(
                request, f"{said}: {entry.log_type.name} on {entry.performed_on:%d %b %Y}."
            )
            return redirect("assessments-program:my-logs", slug)
    return render(
        request,
        "assessments/logs/mine.html",
        {
            "program": access.program,
            "form": form,
            "progress": learner_progress(program=access.program, learner=access.user),
            "entries": learner_entries(program=access.program, learner=access.user),
        },
    )


@login_required
@require_POST
def entry_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_learner()
    entry = get_object_or_404(LogEntry, pk=pk, program=access.program, learner=access.user)
    try:
        log_entry_delete(entry=entry, acting_user=access.user)
    except LogRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The entry was removed.")
    return redirect("assessments-program:my-logs", slug)


@login_required
@require_GET
def learner_logs(request: HttpRequest, slug: str, learner_id: int) -> HttpResponse:
    access = get_assess_for(request, slug)
    learner = get_learner_logs_for(access, learner_id)
    return render(
        request,
        "assessments/logs/learner.html",
        {
            "program": access.program,
            "access": access,
            "learner": learner,
            "progress": learner_progress(program=access.program, learner=learner),
            "entries": learner_entries(program=access.program, learner=learner),
        },
    )


@login_required
@require_GET
def verify_queue(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_supervisor()
    return render(
        request,
        "assessments/logs/verify.html",
        {
            "program": access.program,
            "entries": entries_awaiting(supervisor=access.user, program=access.program),
            "return_form": ReturnForm(),
        },
    )


@login_required
@require_POST
def entry_verify(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Verify (action=verify) or return with a note (action=return) an entry naming you."""
    access = get_assess_for(request, slug)
    access.require_supervisor()
    entry = get_object_or_404(
        LogEntry.objects.select_related("learner", "log_type"),
        pk=pk,
        program=access.program,
        supervisor=access.user,
    )
    try:
        if request.POST.get("action") == "return":
            form = ReturnForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            log_entry_return(entry=entry, note=note, acting_user=access.user)
            messages.success(request, f"Returned {entry.learner.display_name}'s entry.")
        else:
            log_entry_verify(entry=entry, acting_user=access.user)
            messages.success(
                request, f"Verified {entry.learner.display_name}'s {entry.log_type.name}."
            )
    except LogRefused as exc:
        messages.error(request, str(exc))
    return redirect("assessments-program:log-verify", slug)
