"""Web forms for the schedule. They only shape input: the rules are in `rules.py` and the
writes in `services.py`; a form shows their problems on its fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from trellis.curriculum.models import Activity, ActivityKind
from trellis.people.models import Program, User
from trellis.scheduling.models import AcademicYear, Rotation, Site
from trellis.scheduling.rules import LEARNER, Problem
from trellis.scheduling.selectors import learner_memberships, program_faculty

DATE = forms.DateInput(attrs={"type": "date"})


def _choices(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.email})"


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.email})"


class AssignmentForm(forms.Form):
    learner = PersonChoice(queryset=User.objects.none())
    rotation = forms.ModelChoiceField(queryset=Rotation.objects.none())
    site = forms.ModelChoiceField(queryset=Site.objects.none())
    start_date = forms.DateField(label="First day", widget=DATE)
    end_date = forms.DateField(label="Last day", widget=DATE)
    supervisors = PeopleChoice(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Faculty who supervise the learner on this assignment.",
    )

    def __init__(self, *args: Any, program: Program, year: AcademicYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        learner_ids = learner_memberships(
            program=program, start=year.start_date, end=year.end_date
        ).values("person_id")
        _choices(self, "learner", User.objects.filter(pk__in=learner_ids))
        _choices(
            self, "rotation", Rotation.objects.filter(program=program).select_related("activity")
        )
        _choices(self, "site", Site.objects.filter(institution_id=program.institution_id))
        _choices(self, "supervisors", program_faculty(program=program))

    def add_problems(self, problems: list[Problem]) -> None:
        for p in problems:
            name = "learner" if p.column == LEARNER else p.column
            self.add_error(name if name in self.fields else None, p.message)


class AcademicYearForm(forms.Form):
    name = forms.CharField(max_length=32, help_text="For example 2026-2027.")
    start_date = forms.DateField(label="First day", widget=DATE)
    end_date = forms.DateField(label="Last day", widget=DATE)
    generate_blocks = forms.BooleanField(
        required=False, initial=True, label="Cut the year into 13 four-week blocks"
    )


class SiteForm(forms.Form):
    code = forms.CharField(max_length=32, help_text="Short, as used in schedule files: UH, VA.")
    name = forms.CharField(max_length=200)


class RotationForm(forms.Form):
    activity = forms.ModelChoiceField(
        queryset=Activity.objects.none(),
        required=False,
        label="Clinical experience from the curriculum map",
        empty_label="— a new one, named below —",
    )
    code = forms.CharField(
        max_length=32, required=False, help_text="For a new rotation, e.g. CARD."
    )
    title = forms.CharField(max_length=200, required=False, label="Title of a new rotation")
    capacity = forms.IntegerField(
        min_value=1, required=False, help_text="Most learners at once; leave empty for no limit."
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(
            self,
            "activity",
            Activity.objects.filter(
                program=program, kind=ActivityKind.CLINICAL_EXPERIENCE, rotation__isnull=True
            ),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("activity") and not (data.get("code") and data.get("title")):
            raise forms.ValidationError(
                "Choose a clinical experience, or give a code and a title for a new one."
            )
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Schedule file (.csv or .xlsx)",
        help_text="Columns: learner_email, rotation, site, start_date, end_date, supervisors.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    dry_run = forms.BooleanField(required=False, label="Only check the file; write nothing")

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB")
        return upload
