"""Which Trellis account a single sign-on opens, whichever protocol proved who the person
is (OpenID Connect or SAML 2.0): one rule for both.

- The e-mail the provider vouches for picks the account, case-insensitively; an address
  the provider marks unverified is not believed.
- An unknown address is refused, or with SSO_CREATE_USER gets an account with no
  membership (so it sees nothing until someone adds it to a program).
- A switched-off account is refused.

Each refusal is left on the request for the protocol's view to explain (views.refused).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest

from trellis.people.models import User
from trellis.people.services import person_create

log = logging.getLogger("trellis.sso")

UNKNOWN = "unknown"
INACTIVE = "inactive"
NO_EMAIL = "no_email"
INVALID = "invalid"
UNREACHABLE = "unreachable"
PROVIDER_ERROR = "provider"
EXPIRED = "expired"
_REFUSAL = "trellis_sso_refusal"


@dataclass(frozen=True)
class Refusal:
    reason: str
    email: str = ""


def refuse(request: HttpRequest, reason: str, email: str = "") -> None:
    log.warning("single sign-on refused (%s) %s", reason, email)
    setattr(request, _REFUSAL, Refusal(reason=reason, email=email))


def refusal_of(request: HttpRequest) -> Refusal | None:
    refusal = getattr(request, _REFUSAL, None)
    return refusal if isinstance(refusal, Refusal) else None


def sso_account(
    *,
    request: HttpRequest,
    email: str,
    verified: bool = True,
    first_name: str = "",
    last_name: str = "",
    source: str,
) -> User | None:
    """The account for the address a provider vouched for, or None with the refusal left
    on the request. `source` ("oidc", "saml") is recorded on an account made here."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        refuse(request, NO_EMAIL)
        return None
    if not verified:
        refuse(request, NO_EMAIL, email)
        return None
    user = User.objects.filter(email__iexact=email).first()
    if user is None and settings.SSO_CREATE_USER:
        user = person_create(
            email=email,
            first_name=first_name[:150],
            last_name=last_name[:150],
            acting_user=None,
            source=source,
        )
        log.info("single sign-on created an account for %s", email)
    if user is None:
        refuse(request, UNKNOWN, email)
        return None
    if not user.is_active:
        refuse(request, INACTIVE, email)
        return None
    log.info("single sign-on (%s): %s signed in", source, user.email)
    return user
