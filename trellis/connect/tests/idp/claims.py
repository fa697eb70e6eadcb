"""What the provider says about its users: e-mail (verified unless the user's last name is
"Unverified"), given and family name."""

from __future__ import annotations

from typing import Any


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    claims["email"] = user.email
    claims["email_verified"] = user.last_name != "Unverified"
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["name"] = f"{user.first_name} {user.last_name}".strip()
    return claims
