"""A learner asks for feedback on an EPA and shows the supervisor a QR code."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from trellis.assessments.capture.ask import AskRefused, feedback_ask, qr_svg
from trellis.assessments.capture.selectors import (
    capture_candidates,
    current_version,
    observation_form_default,
)
from trellis.assessments.models import Request, RequestOrigin
from trellis.people.access import viewer
from trellis.people.models import Program, Role, User
from trellis.people.selectors import memberships_current
from trellis.scheduling.selectors import learner_rotation_on, program_faculty


class AskForm(forms.Form):
    item = forms.TypedChoiceField(label="What would you like feedback on?", coerce=int)
    assessor = forms.TypedChoiceField(
        label="Who will rate you? (optional)", coerce=int, required=False, empty_value=None
    )
    note = forms.CharField(
        label="A word about the case (optional)",
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"placeholder": "e.g. New admission, shortness of breath"}),
    )


def _learner_program(user: User) -> Program:
    m = memberships_current(person=user).filter(role=Role.LEARNER).first()
    if m is None or m.program is None:
        raise Http404("You are not a learner in any program")
    return m.program


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    program = _learner_program(user)
    form_def = observation_form_default(program=program)
    if form_def is None:
        raise Http404("No observation form is installed")
    assignment = learner_rotation_on(learner=user, day=timezone.localdate())
    items, chosen = capture_candidates(
        program=program, version=current_version(form_def), assignment=assignment
    )
    items.sort(key=lambda i: i.pk not in chosen)
    faculty = [f for f in program_faculty(program=program) if f.pk != user.pk]
    form = AskForm(request.POST or None)
    cast(forms.ChoiceField, form.fields["item"]).choices = [(i.pk, str(i)) for i in items]
    cast(forms.ChoiceField, form.fields["assessor"]).choices = [
        ("", "Whoever scans the code"),
        *((f.pk, f.display_name) for f in faculty),
    ]
    if request.method == "POST" and form.is_valid():
        by_pk = {i.pk: i for i in items}
        assessor = next((f for f in faculty if f.pk == form.cleaned_data["assessor"]), None)
        try:
            req = feedback_ask(
                program=program,
                learner=user,
                form=form_def,
                items=[by_pk[form.cleaned_data["item"]]],
                assessor=assessor,
                note=form.cleaned_data["note"],
                acting_user=user,
            )
        except AskRefused as refused:
            form.add_error(None, str(refused))
        else:
            return redirect("assessments:asked", pk=req.pk)
    return render(
        request,
        "assessments/ask.html",
        {"form": form, "program": program, "form_def": form_def},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def asked(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    req = (
        Request.objects.select_related("form", "assessor", "program")
        .filter(pk=pk, subject=user, origin=RequestOrigin.LEARNER)
        .first()
    )
    if req is None:
        raise Http404("No such request")
    url = request.build_absolute_uri(reverse("assessments:answer", args=[req.token]))
    return render(
        request,
        "assessments/asked.html",
        {
            "req": req,
            "url": url,
            "qr": mark_safe(qr_svg(url)),  # noqa: S308 - segno's own markup, no user text
            "items": req.items.all(),
        },
    )
