"""The page that makes a rater link."""

from __future__ import annotations

from typing import Any

from django import forms

from trellis.assessments.instruments.forms import PersonChoice
from trellis.assessments.links.services import LINK_DAYS_DEFAULT, LINK_DAYS_MAX, LINK_ROLES
from trellis.assessments.models import AssessorRole, Form
from trellis.people.models import User


class RaterLinkForm(forms.Form):
    subject = PersonChoice(queryset=User.objects.none(), label="Feedback about")
    form = forms.ModelChoiceField(queryset=Form.objects.none(), label="Form")
    rater_role = forms.ChoiceField(
        label="Who gives the feedback",
        choices=[(r.value, AssessorRole(r).label) for r in LINK_ROLES],
    )
    rater_name = forms.CharField(
        max_length=200, required=False, label="Their name", help_text="Leave empty for a patient."
    )
    rater_email = forms.EmailField(
        required=False,
        label="Their e-mail address",
        help_text="The link is e-mailed to them. Leave empty to print it or show its QR code.",
    )
    anonymous = forms.BooleanField(
        required=False,
        label="Anonymous (patient feedback: no name is asked for)",
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=LINK_DAYS_MAX,
        initial=LINK_DAYS_DEFAULT,
        label="The link works for (days)",
    )
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, forms_qs: Any, people_qs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = forms_qs  # type: ignore[attr-defined]
        self.fields["subject"].queryset = people_qs  # type: ignore[attr-defined]
