"""Forms of the People pages. They check the shape of what is typed; the rules (who may
hold what, training years, duplicates) are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from trellis.people.access import ProgramAccess
from trellis.people.services import PROGRAM_ROLES


def _role_choices(access: ProgramAccess) -> list[tuple[str, str]]:
    return [(r.value, r.label) for r in PROGRAM_ROLES if access.can_grant(r)]


class _DateInput(forms.DateInput):
    input_type = "date"


class MemberAddForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    first_name = forms.CharField(
        label="First name", max_length=150, required=False, help_text="Needed for someone new."
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, required=False, help_text="Needed for someone new."
    )
    role = forms.ChoiceField(label="Role")
    training_year = forms.IntegerField(
        label="Training year",
        required=False,
        min_value=1,
        help_text="Learners only (PGY or study year).",
    )
    start_date = forms.DateField(label="Start date", widget=_DateInput())
    invite = forms.BooleanField(
        label="E-mail them a link to set a password", required=False, initial=True
    )

    def __init__(self, *args: Any, access: ProgramAccess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = _role_choices(access)
        self.fields["start_date"].initial = timezone.localdate()
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class MembershipChangeForm(forms.Form):
    role = forms.ChoiceField(label="Role")
    training_year = forms.IntegerField(
        label="Training year", required=False, min_value=1, help_text="Learners only."
    )
    on = forms.DateField(
        label="From",
        widget=_DateInput(),
        help_text="A new role starts on this day; the old one ends the day before.",
    )

    def __init__(self, *args: Any, access: ProgramAccess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = _role_choices(access)
        self.fields["on"].initial = timezone.localdate()


class MembershipEndForm(forms.Form):
    end_date = forms.DateField(
        label="Last day", widget=_DateInput(), help_text="The last day the membership is in force."
    )


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label="Roster file (.csv or .xlsx)",
        help_text="Columns: email, first_name, last_name, role, training_year, start_date "
        "(and acgme_id for a residency or fellowship).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    dry_run = forms.BooleanField(required=False, label="Only check the file; write nothing")
    invite = forms.BooleanField(
        required=False, label="E-mail each new person a link to set a password"
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB")
        return upload


class PromotionForm(forms.Form):
    last_day = forms.DateField(
        label="Last day of the academic year",
        widget=_DateInput(),
        help_text="Graduates' memberships end on this day; everyone else moves up a year.",
    )
