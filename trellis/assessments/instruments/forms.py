"""Django forms of the program pages: ad hoc requests, the log catalogue, log entries,
verification and the exam upload."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from trellis.assessments.models import Form, LogKind, LogRole, LogType
from trellis.frameworks.models import Item
from trellis.people.models import User


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.email})"


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.email})"


class DateInput(forms.DateInput):
    input_type = "date"


class RequestForm(forms.Form):
    form = forms.ModelChoiceField(queryset=Form.objects.none(), label="Form")
    subjects = PeopleChoice(
        queryset=User.objects.none(),
        label="Who is assessed",
        help_text="Choose one or more; each gets a request of their own.",
        widget=forms.CheckboxSelectMultiple,
    )
    assessor = PersonChoice(queryset=User.objects.none(), label="Who assesses them")
    due_date = forms.DateField(widget=DateInput, label="Due date")
    note = forms.CharField(
        max_length=255, required=False, label="Note to the assessor", help_text="Shown on the form."
    )

    def __init__(self, *args: Any, forms_qs: Any, people_qs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = forms_qs  # type: ignore[attr-defined]
        self.fields["subjects"].queryset = people_qs  # type: ignore[attr-defined]
        self.fields["assessor"].queryset = people_qs  # type: ignore[attr-defined]
        self.fields["due_date"].initial = timezone.localdate() + dt.timedelta(days=14)


class CompliancePeriodForm(forms.Form):
    start = forms.DateField(widget=DateInput, label="Due from")
    end = forms.DateField(widget=DateInput, label="Due to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("The end of the period is before its start.")
        return data


class LogTypeForm(forms.Form):
    code = forms.CharField(max_length=32, help_text="Short and unique, e.g. PARA or CVC.")
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=LogKind.choices)
    minimum = forms.IntegerField(
        min_value=0, max_value=1000, initial=0, help_text="Verified entries required (0: none)."
    )
    item = forms.ModelChoiceField(
        queryset=Item.objects.none(),
        required=False,
        label="Framework item",
        help_text="The competency it gives evidence for.",
    )

    def __init__(self, *args: Any, items_qs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items_qs  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, log_type: LogType) -> dict[str, Any]:
        return {
            "code": log_type.code,
            "name": log_type.name,
            "kind": log_type.kind,
            "minimum": log_type.minimum,
            "item": log_type.item_id,
        }


class LogEntryForm(forms.Form):
    log_type = forms.ModelChoiceField(queryset=LogType.objects.none(), label="What")
    performed_on = forms.DateField(widget=DateInput, label="Date")
    role = forms.ChoiceField(choices=LogRole.choices, label="Your role")
    supervisor = PersonChoice(
        queryset=User.objects.none(),
        required=False,
        label="Supervisor to verify it",
        empty_label="Nobody (keep it unverified)",
    )
    notes = forms.CharField(
        max_length=500,
        required=False,
        label="Notes",
        help_text="No patient identifiers.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    client_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, types_qs: Any, supervisors_qs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["log_type"].queryset = types_qs  # type: ignore[attr-defined]
        self.fields["supervisor"].queryset = supervisors_qs  # type: ignore[attr-defined]
        self.fields["performed_on"].initial = timezone.localdate()
        self.fields["role"].initial = LogRole.PERFORMED


class ReturnForm(forms.Form):
    note = forms.CharField(
        max_length=300, label="What needs changing", widget=forms.Textarea(attrs={"rows": 2})
    )


class ExamUploadForm(forms.Form):
    file = forms.FileField(label="Scores file (CSV)")
    dry_run = forms.BooleanField(required=False, label="Check the file only; import nothing")
