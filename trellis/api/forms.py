from __future__ import annotations

from django import forms


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        strip=True,
        help_text="What the token is for, so you can recognise it later, e.g. “nightly export”.",
    )
