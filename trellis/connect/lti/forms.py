"""The registration form: what the LMS shows once Trellis is added to it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from trellis.connect.lti.services import deployment_ids_from
from trellis.people.models import Institution, Program


class PlatformForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="e.g. Riverside Canvas")
    issuer = forms.URLField(
        max_length=500,
        assume_scheme="https",
        help_text="Canvas: https://canvas.instructure.com; Moodle: its address.",
    )
    client_id = forms.CharField(max_length=255, label="Client id")
    auth_login_url = forms.URLField(
        max_length=500, assume_scheme="https", label="Authentication request URL"
    )
    auth_token_url = forms.URLField(max_length=500, assume_scheme="https", label="Access token URL")
    key_set_url = forms.URLField(max_length=500, assume_scheme="https", label="Public keyset URL")
    deployment_ids = forms.CharField(
        label="Deployment ids", help_text="One a line, or separated by commas."
    )
    program = forms.ModelChoiceField(queryset=Program.objects.none())
    add_members = forms.BooleanField(
        required=False,
        label="Add members",
        help_text=(
            "A person launched as Learner or Instructor who is not yet in the program becomes "
            "a learner or faculty member of it. Off: only existing members are let in."
        ),
    )

    def __init__(self, *args: Any, institutions: QuerySet[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["program"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Program.objects.filter(institution__in=institutions).order_by("name")

    def clean_deployment_ids(self) -> list[str]:
        ids = deployment_ids_from(self.cleaned_data["deployment_ids"])
        if not ids:
            raise forms.ValidationError("Give at least one deployment id")
        return ids
