"""A program's People pages, under /programs/<slug>/people/: the roster, adding a person,
changing or ending a membership, the roster import and the year's turn. For the program's
managers and the institution's admins only (`get_program_managed_by`); anyone else gets
404. The rules are the services'; these views only wire forms to them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.people.access import (
    ProgramAccess,
    get_program_managed_by,
    get_program_membership,
    viewer,
)
from trellis.people.accreditation import IdsRefused, accreditation_ids_record, is_acgme_program
from trellis.people.forms import (
    MemberAddForm,
    MembershipChangeForm,
    MembershipEndForm,
    PromotionForm,
    RosterImportForm,
)
from trellis.people.importer import COLUMNS, roster_import
from trellis.people.models import Membership, Role
from trellis.people.selectors import last_promotion, person_memberships_in, program_roster
from trellis.people.services import (
    PROGRAM_ROLES,
    MembershipError,
    PromotionRefused,
    cohort_promote,
    membership_change,
    membership_end,
    person_invite,
    program_member_add,
    promotion_plan,
    role_from,
)


def _managing(request: HttpRequest, slug: str) -> ProgramAccess:
    return get_program_managed_by(viewer(request), slug)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _refused(form: forms.Form, exc: MembershipError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@login_required
@require_GET
def roster(request: HttpRequest, slug: str) -> HttpResponse:
    access = _managing(request, slug)
    ended = request.GET.get("show") == "ended"
    role = role_from(request.GET.get("role", ""))
    by_role: dict[str, list[Membership]] = {}
    for m in program_roster(program=access.program, ended=ended, role=role):
        by_role.setdefault(m.role, []).append(m)
    groups = [(r, by_role[r.value]) for r in PROGRAM_ROLES if r.value in by_role]
    context = {
        "program": access.program,
        "groups": groups,
        "ended": ended,
        "role": role,
        "roles": PROGRAM_ROLES,
        "changeable": {r.value for r in PROGRAM_ROLES if access.can_grant(r)},
        "last_turn": last_promotion(program=access.program),
        "acgme": is_acgme_program(access.program),
    }
    return render(request, "people/roster.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, slug: str) -> HttpResponse:
    access = _managing(request, slug)
    form = MemberAddForm(request.POST or None, access=access)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = program_member_add(
                program=access.program,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=Role(data["role"]),
                training_year=data["training_year"],
                start_date=data["start_date"],
                invite=data["invite"],
                acting_user=viewer(request),
            )
        except MembershipError as exc:
            _refused(form, exc)
        else:
            person = added.membership.person
            sent = " and sent them a link to set a password" if data["invite"] else ""
            messages.success(
                request,
                f"Added {person.display_name} as {added.membership.get_role_display()}{sent}.",
            )
            return redirect("people:roster", slug)
    context = {"program": access.program, "form": form}
    return render(request, "people/member_add.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def membership(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One membership: change its role or training year, or end it."""
    access = _managing(request, slug)
    member = get_program_membership(access, pk)
    if not access.can_grant(Role(member.role)):
        raise Http404("No such membership")
    action = request.POST.get("action") if request.method == "POST" else None
    initial = {"role": member.role, "training_year": member.training_year}
    change = MembershipChangeForm(
        request.POST if action == "change" else None, access=access, initial=initial
    )
    end = MembershipEndForm(request.POST if action == "end" else None, prefix="end")
    posted: dict[str | None, forms.Form] = {"change": change, "end": end}
    if _apply(request, member, posted.get(action)):
        return redirect("people:roster", slug)
    context = {
        "program": access.program,
        "member": member,
        "history": person_memberships_in(program=access.program, person=member.person),
        "change": change,
        "end": end,
    }
    status = 400 if change.errors or end.errors else 200
    return render(request, "people/membership.html", context, status=status)


def _apply(request: HttpRequest, member: Membership, form: forms.Form | None) -> bool:
    if form is None or not form.is_valid():
        return False
    data: dict[str, Any] = form.cleaned_data
    try:
        if isinstance(form, MembershipChangeForm):
            membership_change(
                membership=member,
                role=Role(data["role"]),
                training_year=data["training_year"],
                on=data["on"],
                acting_user=viewer(request),
            )
            messages.success(request, f"Changed {member.person.display_name}'s membership.")
        else:
            membership_end(
                membership=member, end_date=data["end_date"], acting_user=viewer(request)
            )
            messages.success(
                request,
                f"{member.person.display_name}'s membership ends on {_day(data['end_date'])}.",
            )
    except MembershipError as exc:
        _refused(form, exc)
        return False
    except ValueError as exc:  # the older services' refusals (e.g. an end before the start)
        form.add_error(None, str(exc))
        return False
    return True


@login_required
@require_POST
def membership_invite(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _managing(request, slug)
    member = get_program_membership(access, pk)
    if not access.can_grant(Role(member.role)):
        raise Http404("No such membership")
    person_invite(person=member.person, program=access.program, acting_user=viewer(request))
    messages.success(request, f"Sent {member.person.email} a link to set a password.")
    return redirect("people:membership", slug, pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest, slug: str) -> HttpResponse:
    access = _managing(request, slug)
    form = RosterImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = roster_import(
            program=access.program,
            filename=upload.name,
            data=upload.read(),
            acting_user=viewer(request),
            dry_run=form.cleaned_data["dry_run"],
            invite=form.cleaned_data["invite"],
            roles=frozenset(r for r in PROGRAM_ROLES if access.can_grant(r)),
        )
    status = 400 if request.method == "POST" and (result is None or not result.ok) else 200
    context = {
        "program": access.program,
        "form": form,
        "result": result,
        "columns": COLUMNS,
        "acgme": is_acgme_program(access.program),
    }
    return render(request, "people/import.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def promote(request: HttpRequest, slug: str) -> HttpResponse:
    """The year's turn in two steps: the date gives a preview; its confirmation applies it.
    A second confirmation of the same turn is refused by the service, changing nothing."""
    access = _managing(request, slug)
    form = PromotionForm(request.POST or None)
    plan = None
    status = 200
    if request.method == "POST" and form.is_valid():
        last_day = form.cleaned_data["last_day"]
        if request.POST.get("confirm") == "yes":
            try:
                turn = cohort_promote(
                    program=access.program, last_day=last_day, acting_user=viewer(request)
                )
            except PromotionRefused as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                messages.success(
                    request,
                    f"Year turned on {_day(turn.last_day)}: {turn.promoted} moved up, "
                    f"{turn.graduated} graduated.",
                )
                return redirect("people:roster", slug)
        plan = promotion_plan(program=access.program, last_day=last_day)
    elif form.errors:
        status = 400
    context = {
        "program": access.program,
        "form": form,
        "plan": plan,
        "last_turn": last_promotion(program=access.program),
    }
    return render(request, "people/promote.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def acgme_ids(request: HttpRequest, slug: str) -> HttpResponse:
    """The ADS program number and the learners' ACGME IDs, in one form. Only the IDs the
    form showed are taken, so a learner added meanwhile is not cleared by a missing field."""
    access = _managing(request, slug)
    program = access.program
    if not is_acgme_program(program):
        raise Http404("The ACGME does not accredit this program")
    ended = request.GET.get("show") == "ended"
    learners = list(program_roster(program=program, ended=ended, role=Role.LEARNER))
    ads_number, typed = program.ads_number, {m.pk: m.acgme_id for m in learners}
    problems: dict[str, str] = {}
    if request.method == "POST":
        ads_number = request.POST.get("ads_number", program.ads_number)
        typed = {m.pk: request.POST.get(f"acgme-{m.pk}", m.acgme_id) for m in learners}
        try:
            changed = accreditation_ids_record(
                program=program, ads_number=ads_number, acgme=typed, acting_user=viewer(request)
            )
        except IdsRefused as exc:
            problems = exc.problems
        else:
            messages.success(request, f"ACGME identifiers saved ({changed} changed).")
            return redirect(request.get_full_path())
    context = {
        "program": program,
        "ended": ended,
        "ads_number": ads_number,
        "rows": [(m, typed[m.pk], problems.get(f"acgme-{m.pk}", "")) for m in learners],
        "problems": problems,
    }
    return render(request, "people/acgme.html", context, status=400 if problems else 200)
