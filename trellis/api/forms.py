from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

LIFETIMES = [(30, "30 days"), (90, "90 days"), (365, "1 year")]


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        strip=True,
        help_text="What the token is for, so you can recognise it later, e.g. “nightly export”.",
    )
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[],
        initial=90,
        help_text="A script that runs for longer needs a new token before then.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        longest = settings.API_TOKEN_MAX_DAYS
        field = self.fields["days"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(d, label) for d, label in LIFETIMES if d <= longest]
        field.initial = min(settings.API_TOKEN_DEFAULT_DAYS, longest)
