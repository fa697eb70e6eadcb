"""Coaching pages, under /programs/<slug>/coaching/: the program's coaches (assigned by
its coordinators and directors), a coach's learners, and each learner's coaching page
(notes and plans) for the learner and their coach alone. Outsiders get 404; members
without the right 403. The rules are `trellis.plans.coaching`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.assessments.evidence import record_adoptions, record_items
from trellis.frameworks.models import MILESTONE_LEVELS
from trellis.people import visibility
from trellis.people.access import MemberAccess, get_program_for, get_program_learner, viewer
from trellis.people.models import Role, User
from trellis.people.selectors import learners_of
from trellis.plans.coaching import (
    coach_of,
    coachees,
    coaching_assign,
    coaching_end,
    learner_plans,
    may_coach,
    note_add,
    note_share,
    notes_of,
    plan_review,
    plan_share_with_program,
)
from trellis.plans.models import Coaching, CoachingNote, Plan
from trellis.plans.services import plan_create

LEVELS = [("", "—")] + [(f"{v:g}", f"{v:g}") for v in MILESTONE_LEVELS]


def _member(request: HttpRequest, slug: str) -> MemberAccess:
    user = viewer(request)
    return MemberAccess(access=get_program_for(user, slug), user=user)


def _problem(error: ValidationError) -> str:
    return "; ".join(error.messages)


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    member = _member(request, slug)
    program = member.program
    manages = member.access.can_manage
    mine = list(coachees(program=program, coach=member.user))
    if Role.LEARNER in member.roles and not manages and not mine:
        return redirect("coaching:learner", slug=slug, learner_id=member.user.pk)
    member.require(
        manages or bool(mine) or member.holds(visibility.SUPERVISORS),
        "Coaching is arranged by the program's coordinators",
    )
    rows: list[tuple[Any, Coaching | None]] = []
    if manages:
        current = {
            c.learner_id: c
            for c in Coaching.objects.filter(program=program, end_date__isnull=True).select_related(
                "coach"
            )
        }
        members = learners_of(program=program).select_related("person")
        rows = [
            (m, current.get(m.person_id))
            for m in members.order_by("training_year", "person__last_name", "person__first_name")
        ]
    return render(
        request,
        "plans/coaching/overview.html",
        {
            "program": program,
            "manages": manages,
            "rows": rows,
            "coaches": list(may_coach(program=program)) if manages else [],
            "mine": mine,
        },
    )


@login_required
@require_POST
def assign(request: HttpRequest, slug: str) -> HttpResponse:
    member = _member(request, slug)
    member.require(member.access.can_manage, "Coaching is arranged by the program's coordinators")
    learner = get_program_learner(member.program, _id(request.POST.get("learner")))
    coach = may_coach(program=member.program).filter(pk=_id(request.POST.get("coach"))).first()
    if coach is None:
        messages.error(request, "Choose a coach from the program's faculty.")
        return redirect("coaching:overview", slug=slug)
    try:
        coaching_assign(
            program=member.program, learner=learner, coach=coach, acting_user=member.user
        )
    except ValidationError as refused:
        messages.error(request, _problem(refused))
    else:
        messages.success(request, f"{coach.display_name} now coaches {learner.display_name}.")
    return redirect("coaching:overview", slug=slug)


@login_required
@require_POST
def end(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    member = _member(request, slug)
    member.require(member.access.can_manage, "Coaching is arranged by the program's coordinators")
    coaching = Coaching.objects.filter(pk=pk, program=member.program).first()
    if coaching is None:
        raise Http404("No such coaching")
    coaching_end(coaching=coaching, acting_user=member.user)
    messages.success(request, f"{coaching.learner.display_name} has no coach now.")
    return redirect("coaching:overview", slug=slug)


def _id(value: str | None) -> int:
    if not value or not value.isdigit() or len(value) > 12:
        raise Http404("No such person")
    return int(value)


def _coaching_for(
    request: HttpRequest, slug: str, learner_id: int
) -> tuple[MemberAccess, User, Coaching | None]:
    """The learner's coaching as the learner or their current coach may use it."""
    member = _member(request, slug)
    learner = get_program_learner(member.program, learner_id)
    coaching = coach_of(program=member.program, learner=learner)
    is_coach = coaching is not None and coaching.coach_id == member.user.pk
    member.require(
        learner.pk == member.user.pk or is_coach,
        "Coaching notes and plans are the learner's and their coach's",
    )
    return member, learner, coaching


@login_required
@require_GET
def learner_page(request: HttpRequest, slug: str, learner_id: int) -> HttpResponse:
    member, learner, coaching = _coaching_for(request, slug, learner_id)
    return render(
        request,
        "plans/coaching/learner.html",
        {
            "program": member.program,
            "learner": learner,
            "coaching": coaching,
            "notes": list(notes_of(coaching=coaching)) if coaching else [],
            "plans": list(learner_plans(program=member.program, learner=learner)),
            "is_learner": learner.pk == member.user.pk,
        },
    )


@login_required
@require_POST
def note(request: HttpRequest, slug: str, learner_id: int) -> HttpResponse:
    member, learner, coaching = _coaching_for(request, slug, learner_id)
    if coaching is None:
        raise Http404("No coach yet")
    try:
        note_add(coaching=coaching, text=request.POST.get("text", ""), acting_user=member.user)
    except ValidationError as refused:
        messages.error(request, _problem(refused))
    else:
        messages.success(request, "Note added. Only you two see it.")
    return redirect("coaching:learner", slug=slug, learner_id=learner.pk)


@login_required
@require_POST
def share_note(request: HttpRequest, slug: str, learner_id: int, pk: int) -> HttpResponse:
    member, learner, coaching = _coaching_for(request, slug, learner_id)
    found = CoachingNote.objects.filter(pk=pk, coaching=coaching).first() if coaching else None
    if found is None:
        raise Http404("No such note")
    try:
        note_share(note=found, shared=request.POST.get("shared") == "1", acting_user=member.user)
    except ValidationError as refused:
        messages.error(request, _problem(refused))
    return redirect("coaching:learner", slug=slug, learner_id=learner.pk)


def _plan(member: MemberAccess, learner: User, pk: int) -> Plan:
    plan = learner_plans(program=member.program, learner=learner).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan")
    return plan


@login_required
@require_POST
def review(request: HttpRequest, slug: str, learner_id: int, pk: int) -> HttpResponse:
    member, learner, _ = _coaching_for(request, slug, learner_id)
    plan = _plan(member, learner, pk)
    try:
        plan_review(plan=plan, note=request.POST.get("note", ""), acting_user=member.user)
    except ValidationError as refused:
        messages.error(request, _problem(refused))
    else:
        messages.success(request, "Plan reviewed.")
    return redirect("coaching:learner", slug=slug, learner_id=learner.pk)


@login_required
@require_POST
def share_plan(request: HttpRequest, slug: str, learner_id: int, pk: int) -> HttpResponse:
    member, learner, _ = _coaching_for(request, slug, learner_id)
    plan = _plan(member, learner, pk)
    try:
        plan_share_with_program(
            plan=plan, shared=request.POST.get("shared") == "1", acting_user=member.user
        )
    except ValidationError as refused:
        messages.error(request, _problem(refused))
    return redirect("coaching:learner", slug=slug, learner_id=learner.pk)


class LearnerPlanForm(forms.Form):
    item = forms.ChoiceField(label="What to work on")
    current_level = forms.ChoiceField(choices=LEVELS, required=False, label="Where I am now")
    target_level = forms.ChoiceField(choices=LEVELS, required=False, label="The level I aim for")
    actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="What I will do"
    )
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
        label="What will show that I moved",
    )
    check_in = forms.DateField(
        required=False,
        label="Check in with my coach on",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = {str(i.pk): i for i in items}
        field = self.fields["item"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(i.pk), f"{i.code} {i.name}".strip()) for i in items]


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, slug: str) -> HttpResponse:
    member = _member(request, slug)
    member.require(Role.LEARNER in member.roles, "Learning plans here are the learners' own")
    items = record_items(adoptions=record_adoptions(program=member.program))
    form = LearnerPlanForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan_create(
                owner=member.user,
                program=member.program,
                item=form.items[d["item"]],
                current_level=Decimal(d["current_level"]) if d["current_level"] else None,
                target_level=Decimal(d["target_level"]) if d["target_level"] else None,
                actions=d["actions"],
                evidence=d["evidence"],
                check_ins=[d["check_in"]] if d["check_in"] else [],
                acting_user=member.user,
            )
        except ValidationError as refused:
            form.add_error(None, _problem(refused))
        else:
            messages.success(
                request,
                "Plan saved. Your coach sees it; the committee only if you open it to them.",
            )
            return redirect("coaching:learner", slug=slug, learner_id=member.user.pk)
    return render(
        request,
        "plans/coaching/plan_new.html",
        {"program": member.program, "form": form},
        status=400 if form.errors else 200,
    )
