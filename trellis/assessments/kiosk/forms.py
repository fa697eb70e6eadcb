"""The page that starts a patient kiosk."""

from __future__ import annotations

from typing import Any

from django import forms

from trellis.assessments.kiosk.services import KIOSK_HOURS_DEFAULT, KIOSK_HOURS_MAX
from trellis.assessments.models import Form
from trellis.people.models import User


class LearnerChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class KioskForm(forms.Form):
    learners = LearnerChoices(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Feedback about",
        help_text="One learner, or a few for a clinic session: the patient taps whom they saw.",
    )
    form = forms.ModelChoiceField(queryset=Form.objects.none(), label="Form", empty_label=None)
    label = forms.CharField(
        max_length=200, required=False, label="Where", help_text="e.g. Tuesday clinic, room 3"
    )
    hours = forms.IntegerField(
        min_value=1,
        max_value=KIOSK_HOURS_MAX,
        initial=KIOSK_HOURS_DEFAULT,
        label="The kiosk works for (hours)",
    )
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, forms_qs: Any, people_qs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = forms_qs  # type: ignore[attr-defined]
        self.fields["learners"].queryset = people_qs  # type: ignore[attr-defined]
