"""Coordinators' form builder: list, create, edit (which saves a new version)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from trellis.assessments.capture.selectors import current_version
from trellis.assessments.instruments.kept import version_content
from trellis.assessments.instruments.services import (
    FormData,
    FormRefused,
    PromptData,
    form_create,
    form_revise,
)
from trellis.assessments.models import Form, FormKind, ItemSelection
from trellis.frameworks.models import Adoption, Framework, Item, ItemKind, Scale
from trellis.people.access import ProgramAccess, get_program_for, viewer
from trellis.people.models import Program


class FormBuilder(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=FormKind.choices, label="Kind of form")
    scale = forms.ModelChoiceField(queryset=Scale.objects.all(), empty_label=None)
    item_selection = forms.ChoiceField(
        choices=ItemSelection.choices, widget=forms.RadioSelect, label="Items"
    )
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.none(),
        required=False,
        label="Framework (items chosen when assessing come from here)",
    )
    items = forms.ModelMultipleChoiceField(
        queryset=Item.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="The form's own items",
    )
    prompts = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One prompt a line. Add an example answer after a | : "
        "“One thing to do next time | e.g. Commit to a leading diagnosis”.",
    )
    anonymous = forms.BooleanField(
        required=False, help_text="Hide assessors' names; show the subject only summaries of 3+."
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: object, program: Program, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        adopted = Adoption.objects.current().filter(program=program).values("framework_id")
        self.fields["framework"].queryset = Framework.objects.filter(id__in=adopted)  # type: ignore[attr-defined]
        self.fields["items"].queryset = (  # type: ignore[attr-defined]
            Item.objects.filter(
                framework_id__in=adopted, kind__in=[ItemKind.EPA, ItemKind.SUBCOMPETENCY]
            )
            .select_related("framework")
            .order_by("framework__title", "position")
        )

    def data_out(self) -> FormData:
        c = self.cleaned_data
        prompts = []
        for line in (c["prompts"] or "").splitlines():
            text, _, example = line.partition("|")
            if text.strip():
                prompts.append(PromptData(text=text.strip(), placeholder=example.strip()))
        return FormData(
            title=c["title"],
            kind=c["kind"],
            scale=c["scale"],
            item_selection=c["item_selection"],
            framework=c["framework"],
            items=list(c["items"]),
            prompts=prompts,
            anonymous=c["anonymous"],
            description=c["description"],
        )


def _manager(request: HttpRequest, slug: str) -> ProgramAccess:
    program_access = get_program_for(viewer(request), slug)
    if not program_access.can_manage:
        raise PermissionDenied("Forms are built by the program's coordinators and directors")
    return program_access


@login_required
@require_GET
def form_list(request: HttpRequest, slug: str) -> HttpResponse:
    pa = _manager(request, slug)
    forms_ = (
        Form.objects.filter(Q(program=pa.program) | Q(program__isnull=True))
        .prefetch_related("versions")
        .order_by("-program_id", "title")
    )
    return render(request, "assessments/form_list.html", {"program": pa.program, "forms": forms_})


def _initial(form: Form) -> dict[str, object]:
    version = current_version(form)
    content = version_content(version)
    return {
        "title": form.title,
        "kind": form.kind,
        "scale": version.scale,
        "item_selection": version.item_selection,
        "framework": version.framework,
        "items": [q.item for q in content.questions],
        "prompts": "\n".join(
            f"{p.text} | {p.placeholder}" if p.placeholder else p.text for p in content.prompts
        ),
        "anonymous": form.anonymous,
        "description": form.description,
    }


@login_required
@require_http_methods(["GET", "POST"])
def form_new(request: HttpRequest, slug: str) -> HttpResponse:
    pa = _manager(request, slug)
    builder = FormBuilder(
        request.POST or None,
        program=pa.program,
        initial={"item_selection": ItemSelection.FIXED, "kind": FormKind.EPA_OBSERVATION},
    )
    if request.method == "POST" and builder.is_valid():
        try:
            form_create(program=pa.program, data=builder.data_out(), acting_user=viewer(request))
        except FormRefused as refused:
            builder.add_error(None, str(refused))
        else:
            return redirect("assessments:forms", slug=pa.program.slug)
    return render(
        request,
        "assessments/form_edit.html",
        {"program": pa.program, "builder": builder, "form_obj": None},
        status=400 if builder.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_edit(request: HttpRequest, slug: str, form_id: int) -> HttpResponse:
    pa = _manager(request, slug)
    form_obj = Form.objects.filter(pk=form_id, program=pa.program).first()
    if form_obj is None:
        raise Http404("No such form")
    builder = FormBuilder(request.POST or None, program=pa.program, initial=_initial(form_obj))
    if request.method == "POST" and builder.is_valid():
        try:
            form_revise(form=form_obj, data=builder.data_out(), acting_user=viewer(request))
        except FormRefused as refused:
            builder.add_error(None, str(refused))
        else:
            return redirect("assessments:forms", slug=pa.program.slug)
    return render(
        request,
        "assessments/form_edit.html",
        {"program": pa.program, "builder": builder, "form_obj": form_obj},
        status=400 if builder.errors else 200,
    )
