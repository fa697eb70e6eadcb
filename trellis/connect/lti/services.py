"""The writes of LTI: registering a platform (with its key pair), and accepting a launch
that pylti1p3 has verified (the nonce used once, the person signed in by the single sign-on
rule, the membership the course role maps to)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from jwcrypto.jwk import JWK

from trellis.audit.services import audit_record, audited_update, snapshot
from trellis.connect.models import LtiCourse, LtiIdentity, LtiNonce, LtiPlatform
from trellis.connect.sso.accounts import sso_account
from trellis.people.models import Institution, Membership, Program, Role, User
from trellis.people.selectors import memberships_current
from trellis.people.services import membership_add

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
# Course roles that map to a program role. Administrator, ContentDeveloper, Mentor and
# institution roles map to none: an LMS never makes anyone a program manager here.
ROLE_MAP = {
    f"{LIS}Instructor": Role.FACULTY,
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant": (
        Role.FACULTY
    ),
    f"{LIS}Learner": Role.LEARNER,
    # LTI 1.3 still accepts the short names (deprecated).
    "Instructor": Role.FACULTY,
    "Learner": Role.LEARNER,
}
PLATFORM_FIELDS = [
    "name",
    "issuer",
    "client_id",
    "auth_login_url",
    "auth_token_url",
    "key_set_url",
    "deployment_ids",
    "program",
    "add_members",
    "key_id",
]


class RegistrationError(ValueError):
    """A registration that cannot be kept (said in words for the page and the command)."""


class Replayed(Exception):
    """An id_token whose nonce was used already."""


class TooLongLived(Exception):
    """An id_token that would outlive the memory of its nonce."""


# Each nonce is kept two days, and no id_token may live more than one: a token whose nonce
# is forgotten has expired, and pylti1p3 refuses it as such.
NONCE_KEPT = dt.timedelta(days=2)
TOKEN_LIFETIME_MAX = dt.timedelta(days=1)


def _key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return pem, secrets.token_hex(16)


def deployment_ids_from(text: str) -> list[str]:
    """Deployment ids typed one a line or separated by commas or spaces."""
    ids = [part for part in text.replace(",", " ").split() if part]
    return list(dict.fromkeys(ids))


@transaction.atomic
def platform_register(
    *,
    institution: Institution,
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: Iterable[str],
    program: Program,
    add_members: bool,
    acting_user: User | None,
) -> LtiPlatform:
    """Register an LMS: Trellis makes its own RSA key pair for it (the public half served
    at /lti/jwks/), and launches from it land in `program`."""
    urls = {
        "issuer": issuer,
        "authentication request URL": auth_login_url,
        "access token URL": auth_token_url,
        "public keyset URL": key_set_url,
    }
    for label, url in urls.items():
        try:
            URLValidator(schemes=["https", "http"])(url)
        except ValidationError as exc:
            raise RegistrationError(f"The {label} is not a web address: {url}") from exc
    if program.institution_id != institution.pk:
        raise RegistrationError("The program belongs to another institution")
    ids = [str(d).strip() for d in deployment_ids if str(d).strip()]
    if not ids:
        raise RegistrationError("Give at least one deployment id")
    if LtiPlatform.objects.filter(issuer=issuer, client_id=client_id).exists():
        raise RegistrationError(
            f"A platform with issuer {issuer} and client id {client_id} is registered already"
        )
    private_key, key_id = _key_pair()
    platform = LtiPlatform.objects.create(
        institution=institution,
        name=name,
        issuer=issuer,
        client_id=client_id,
        auth_login_url=auth_login_url,
        auth_token_url=auth_token_url,
        key_set_url=key_set_url,
        deployment_ids=ids,
        program=program,
        add_members=add_members,
        private_key=private_key,
        key_id=key_id,
    )
    audit_record(
        actor=acting_user,
        action="lti.platform.register",
        target=platform,
        after=snapshot(platform, PLATFORM_FIELDS),
        program=program,
        institution=institution,
    )
    return platform


def public_jwk(platform: LtiPlatform) -> dict[str, Any]:
    """The public half of Trellis's key for a platform, as a JWK."""
    key = JWK.from_pem(platform.private_key.encode())
    jwk: dict[str, Any] = json.loads(key.export_public())
    jwk.update({"kid": platform.key_id, "alg": "RS256", "use": "sig"})
    return jwk


def tool_jwks() -> dict[str, list[dict[str, Any]]]:
    """Every registration's public key: one key set URL serves them all, so the URL can be
    given to the LMS before it hands out the client id the registration needs."""
    return {"keys": [public_jwk(platform) for platform in LtiPlatform.objects.order_by("pk")]}


def course_role(roles: Iterable[str]) -> Role | None:
    """The program role a launch's roles claim maps to: faculty before learner; None for
    roles that map to none (administrators, content developers, mentors, guests)."""
    mapped = {ROLE_MAP[r] for r in roles if r in ROLE_MAP}
    if Role.FACULTY in mapped:
        return Role.FACULTY
    return Role.LEARNER if Role.LEARNER in mapped else None


@dataclass(frozen=True)
class Launch:
    person: User
    role: Role | None
    program: Program  # the course's, else the registration's
    membership_added: Membership | None


def _membership_for(
    *, platform: LtiPlatform, program: Program, person: User, role: Role | None
) -> Membership | None:
    if role is None or not platform.add_members:
        return None
    held = memberships_current(person=person).filter(program=program, role=role)
    if held.exists():
        return None
    membership = membership_add(
        person=person,
        program=program,
        role=role,
        start_date=timezone.localdate(),
        acting_user=None,
    )
    audit_record(
        actor=None,
        action="lti.membership.add",
        target=membership,
        after={"platform": platform.pk, "role": role.value},
        program=program,
    )
    return membership


def _remember(*, platform: LtiPlatform, person: User, claims: dict[str, Any]) -> LtiCourse | None:
    """Who the platform's user id is, and the course with its grade service: what reading
    an assignment's scores later needs (grades.py). The course, where the launch names one."""
    sub = str(claims.get("sub") or "")
    if sub:
        LtiIdentity.objects.update_or_create(
            platform=platform, sub=sub[:255], defaults={"person": person}
        )
    context = claims.get(CLAIM + "context")
    if not isinstance(context, dict) or not context.get("id"):
        return None
    service = claims.get(AGS_CLAIM)
    service = service if isinstance(service, dict) else {}
    scopes = service.get("scope")
    course, _ = LtiCourse.objects.update_or_create(
        platform=platform,
        context_id=str(context["id"])[:255],
        defaults={
            "title": str(context.get("title") or "")[:255],
            "lineitems_url": str(service.get("lineitems") or "")[:500],
            "scopes": [str(x) for x in scopes] if isinstance(scopes, list) else [],
        },
    )
    return course


@transaction.atomic
def course_program_set(*, course: LtiCourse, program: Program | None, acting_user: User) -> None:
    """Send a course's launches to another program of the institution (None: back to the
    registration's)."""
    if program is not None and program.institution_id != course.platform.institution_id:
        raise RegistrationError("The program belongs to another institution")
    audited_update(
        course,
        changes={"program": program},
        fields=["program"],
        actor=acting_user,
        action="lti.course.program",
        institution=course.platform.institution,
    )


def launch_accept(
    *, platform: LtiPlatform, claims: dict[str, Any], request: HttpRequest
) -> Launch | None:
    """A verified launch (signature, issuer, audience, deployment checked by pylti1p3):
    its nonce is kept so it works once; the person is the account the single sign-on rule
    picks by e-mail (None with the refusal left on the request); their course role may add
    a membership, as the registration allows. Raises Replayed for a nonce used already,
    TooLongLived for a token that would outlive its nonce's memory."""
    now = timezone.now()
    expires = claims.get("exp")
    if not isinstance(expires, int) or expires > (now + TOKEN_LIFETIME_MAX).timestamp():
        raise TooLongLived(str(expires))
    with transaction.atomic():
        LtiNonce.objects.filter(used_at__lt=now - NONCE_KEPT).delete()
        try:
            with transaction.atomic():
                LtiNonce.objects.create(platform=platform, nonce=str(claims.get("nonce")))
        except IntegrityError as exc:
            raise Replayed(str(claims.get("nonce"))) from exc
        person = sso_account(
            request=request,
            email=str(claims.get("email") or ""),
            verified=True,
            first_name=str(claims.get("given_name") or ""),
            last_name=str(claims.get("family_name") or ""),
            source="lti",
        )
        if person is None:
            return None
        course = _remember(platform=platform, person=person, claims=claims)
        program = course.landing_program if course else platform.program
        roles = claims.get(CLAIM + "roles") or []
        role = course_role(roles if isinstance(roles, list) else [])
        added = _membership_for(platform=platform, program=program, person=person, role=role)
    return Launch(person=person, role=role, program=program, membership_added=added)
