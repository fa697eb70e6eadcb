"""The account page where a person sets the PIN with which they confirm, on a learner's
phone, an observation they made there (`people.pin`)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from trellis.people.access import viewer
from trellis.people.pin import PinRefused, pin_is_set, pin_remove, pin_set


class PinForm(forms.Form):
    pin = forms.CharField(
        label="New PIN",
        min_length=4,
        max_length=8,
        help_text="4 to 8 digits, not 1234 or 1111.",
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
    )
    again = forms.CharField(
        label="The same PIN again",
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("pin") and data.get("again") and data["pin"] != data["again"]:
            self.add_error("again", "The two PINs differ.")
        return data


@login_required
@require_http_methods(["GET", "POST"])
def pin_page(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    form = PinForm((request.POST or None) if request.POST.get("action") != "remove" else None)
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            pin_remove(person=user, acting_user=user)
            return redirect("account-pin")
        if form.is_valid():
            try:
                pin_set(person=user, pin=form.cleaned_data["pin"], acting_user=user)
                return redirect(f"{request.path}?saved=1")
            except PinRefused as refused:
                form.add_error("pin", str(refused))
    return render(
        request,
        "people/pin.html",
        {"form": form, "has_pin": pin_is_set(person=user), "saved": "saved" in request.GET},
        status=400 if form.errors else 200,
    )
