"""The API token page (/account/tokens/): a signed-in person lists, creates and revokes
their own tokens. A new token's plaintext is rendered once in the POST's response and is
never stored, so the page is never cached."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from trellis.api.access import get_api_token_for
from trellis.api.forms import ApiTokenCreateForm
from trellis.api.selectors import api_tokens_of
from trellis.api.services import api_token_create, api_token_revoke
from trellis.people.access import viewer


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    form = ApiTokenCreateForm(request.POST or None)
    created = plaintext = None
    if request.method == "POST" and form.is_valid():
        created, plaintext = api_token_create(
            user=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        form = ApiTokenCreateForm()
    context = {
        "tokens": api_tokens_of(user=user),
        "form": form,
        "created": created,
        "plaintext": plaintext,
    }
    return render(request, "api/tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    user = viewer(request)
    token = get_api_token_for(user, prefix)
    api_token_revoke(token=token, acting_user=user)
    messages.success(request, f"Token “{token.name}” ({token.prefix}…) revoked.")
    return redirect("api-tokens")
