"""Rater links: a coordinator (or a learner, for their own multisource feedback) asks a
nurse, a patient, a peer or an outside preceptor for one form about one learner.

The link's secret is 32 random bytes (`secrets.token_urlsafe`); only its SHA-256 digest
is stored, so a copy of the database holds no working link. A link works once, until it
expires or is revoked; everything else about it (unknown, used, expired, revoked) looks
the same from outside: "this link is not valid". The answer goes through
`assessment_submit` like every other assessment (its checks, its audit row), with the
link as the assessment's external id, so a retried submission lands on the same one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trellis.assessments.capture.selectors import current_version
from trellis.assessments.capture.services import (
    AssessmentRefused,
    CommentInput,
    RatingInput,
    SubmitResult,
    assessment_submit,
)
from trellis.assessments.models import (
    Assessment,
    AssessmentSource,
    AssessorRole,
    Form,
    LinkMiss,
    RaterLink,
)
from trellis.audit.services import audit_record, snapshot
from trellis.lib.urls import absolute_url
from trellis.people.models import Program, User
from trellis.people.selectors import learners_of

LINK_BYTES = 32  # 256 bits: not guessable, however many tries
LINK_DAYS_DEFAULT = 14
LINK_DAYS_MAX = 60
# The roles that may be asked through a link: people who have no account in Trellis.
LINK_ROLES = (
    AssessorRole.NURSE,
    AssessorRole.PATIENT,
    AssessorRole.PEER,
    AssessorRole.STAFF,
    AssessorRole.FACULTY,  # an outside preceptor
    AssessorRole.RESIDENT,
)
# Misses (unknown or spent links) from one client address before it is refused a while.
MISS_LIMIT = 20
MISS_WINDOW = dt.timedelta(minutes=10)
LINK_FIELDS = ["form", "subject", "rater_role", "rater_email", "anonymous", "expires_at"]


class LinkRefused(ValueError):
    """The link may not be made; `problems` maps each field to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    """The absolute address of a link (settings.SITE_URL in front of the path)."""
    return absolute_url(reverse("rater-link", args=[token]))


def link_forms(*, program: Program) -> list[Form]:
    """Forms a link may carry: the program's and the built-in ones that people without an
    account fill (a multisource form, or any form naming one of LINK_ROLES)."""
    from django.db.models import Q

    forms = Form.objects.filter(archived=False).filter(Q(program=program) | Q(program=None))
    return [f for f in forms.order_by("title") if set(f.assessor_roles or []) & set(LINK_ROLES)]


@dataclass(frozen=True)
class MadeLink:
    link: RaterLink
    token: str  # shown once; not stored

    @property
    def url(self) -> str:
        return link_url(self.token)


def _check(
    *,
    program: Program,
    form: Form,
    subject: User,
    rater_role: str,
    rater_email: str,
    anonymous: bool,
    days: int,
    acting_user: User,
    may_ask_for_others: bool,
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if form not in link_forms(program=program):
        problems["form"] = "This form is not one people without an account can fill."
    elif rater_role not in (form.assessor_roles or []):
        problems["rater_role"] = f"{form.title} is not filled by a {rater_role or 'rater'}."
    if not learners_of(program=program, on=timezone.localdate()).filter(person=subject).exists():
        problems["subject"] = f"{subject.display_name} is not a learner of {program.name} now."
    elif not may_ask_for_others and subject.pk != acting_user.pk:
        problems["subject"] = "You may ask for feedback about yourself only."
    if anonymous and rater_role != AssessorRole.PATIENT:
        problems["anonymous"] = "Only patient feedback is anonymous; other raters give a name."
    if anonymous and rater_email:
        problems["rater_email"] = "An anonymous link is printed or shown, not e-mailed."
    if not 1 <= days <= LINK_DAYS_MAX:
        problems["days"] = f"A link lasts 1 to {LINK_DAYS_MAX} days."
    return problems


@transaction.atomic
def rater_link_create(
    *,
    program: Program,
    form: Form,
    subject: User,
    rater_role: str,
    acting_user: User,
    may_ask_for_others: bool,
    rater_email: str = "",
    rater_name: str = "",
    anonymous: bool = False,
    days: int = LINK_DAYS_DEFAULT,
    client_key: str = "",
) -> MadeLink:
    """Make a link (and e-mail it when an address is given, after commit). Raises
    LinkRefused, writing nothing, when a rule is broken, and LinkRepeated when this
    page's submission already made one (its secret is not kept, so it cannot be shown
    again)."""
    rater_email = rater_email.strip().lower()
    if client_key:
        earlier = RaterLink.objects.filter(created_by=acting_user, client_key=client_key).first()
        if earlier is not None:
            raise LinkRepeated(earlier)
    problems = _check(
        program=program,
        form=form,
        subject=subject,
        rater_role=rater_role,
        rater_email=rater_email,
        anonymous=anonymous,
        days=days,
        acting_user=acting_user,
        may_ask_for_others=may_ask_for_others,
    )
    if problems:
        raise LinkRefused(problems)
    token = secrets.token_urlsafe(LINK_BYTES)
    link = RaterLink.objects.create(
        program=program,
        form=form,
        subject=subject,
        rater_role=rater_role,
        rater_email=rater_email,
        rater_name=rater_name.strip()[:200],
        anonymous=anonymous,
        digest=digest_of(token),
        expires_at=timezone.now() + dt.timedelta(days=days),
        created_by=acting_user,
        client_key=client_key[:64],
    )
    audit_record(
        actor=acting_user,
        action="rater_link.create",
        target=link,
        after=snapshot(link, LINK_FIELDS),
        program=program,
    )
    made = MadeLink(link=link, token=token)
    if rater_email:
        subject_line, body = _invitation(made)
        transaction.on_commit(
            lambda: send_mail(subject_line, body, settings.DEFAULT_FROM_EMAIL, [rater_email]),
            robust=True,
        )
    return made


def _invitation(made: MadeLink) -> tuple[str, str]:
    link = made.link
    who = link.subject.display_name
    lines = [
        f"Dear {link.rater_name or 'colleague'},",
        "",
        f"{who} of {link.program.name} would value your feedback ({link.form.title}).",
        "It takes a few minutes and needs no account. The link works once and until "
        f"{timezone.localtime(link.expires_at):%d %B %Y}:",
        "",
        f"  {made.url}",
        "",
        "Thank you,",
        f"{link.program.name}",
    ]
    return f"Feedback for {who}", "\n".join(lines)


@transaction.atomic
def rater_link_revoke(*, link: RaterLink, acting_user: User) -> None:
    if link.revoked_at is not None or link.used_at is not None:
        return
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    audit_record(
        actor=acting_user,
        action="rater_link.revoke",
        target=link,
        after={"revoked_at": link.revoked_at.isoformat()},
        program=link.program,
    )


def link_state(link: RaterLink, *, now: dt.datetime | None = None) -> str:
    """open, used, revoked or expired."""
    now = now or timezone.now()
    if link.used_at is not None:
        return "used"
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= now:
        return "expired"
    return "open"


def client_refused(*, ip: str | None) -> bool:
    """Whether this address has missed MISS_LIMIT times in MISS_WINDOW."""
    since = timezone.now() - MISS_WINDOW
    return LinkMiss.objects.filter(ip=ip, at__gte=since).count() >= MISS_LIMIT


def miss_record(*, ip: str | None) -> None:
    LinkMiss.objects.create(ip=ip)
    LinkMiss.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).delete()


def link_find(token: str) -> RaterLink | None:
    """The link with this secret, whatever its state (None when there is none)."""
    if not token or len(token) > 100:
        return None
    return (
        RaterLink.objects.select_related("program", "form", "subject")
        .filter(digest=digest_of(token))
        .first()
    )


def link_external_id(link: RaterLink) -> str:
    return f"rater-link:{link.pk}"


@transaction.atomic
def rater_link_submit(
    *,
    link: RaterLink,
    observed_on: dt.date,
    ratings: Sequence[RatingInput],
    comments: Sequence[CommentInput],
    rater_name: str = "",
    answer_key: str = "",
    concerns: Sequence[str] = (),
) -> Assessment:
    """Record the answer and spend the link. A retry of the submission that went through
    (the same `answer_key`, sent by the page) returns the same assessment; anything else
    on a spent, expired or revoked link raises LinkSpent."""
    locked = RaterLink.objects.select_for_update().get(pk=link.pk)
    answered = locked.assessment
    if answered is not None and answer_key and answered.client_key == answer_key:
        return answered
    if answered is not None or link_state(locked) != "open":
        raise LinkSpent()
    result = no_account_submit(
        program=locked.program,
        form=locked.form,
        subject=locked.subject,
        rater_role=locked.rater_role,
        anonymous=locked.anonymous,
        rater_name=rater_name.strip() or locked.rater_name,
        observed_on=observed_on,
        ratings=ratings,
        comments=comments,
        answer_key=answer_key,
        concerns=concerns,
        source=AssessmentSource.LINK,
        external_id=link_external_id(locked),
    )
    name = result.assessment.assessor_name
    locked.used_at = timezone.now()
    locked.assessment = result.assessment
    locked.rater_name = name
    locked.save(update_fields=["used_at", "assessment", "rater_name"])
    return result.assessment


def no_account_submit(
    *,
    program: Program,
    form: Form,
    subject: User,
    rater_role: str,
    anonymous: bool,
    rater_name: str,
    observed_on: dt.date,
    ratings: Sequence[RatingInput],
    comments: Sequence[CommentInput],
    answer_key: str,
    concerns: Sequence[str],
    source: str,
    external_id: str,
) -> SubmitResult:
    """An answer from someone without an account (a rater link, the patient kiosk), through
    `assessment_submit`. The rule of anonymity lives here: an anonymous answer (a
    patient's) has no assessor and no name, so its subject reads "a patient" and nothing
    more; a named rater must give a name. `external_id` makes a retry land on the same
    assessment (`SubmitResult.created` False)."""
    name = "" if anonymous else rater_name.strip()[:200]
    if not anonymous and not name:
        raise AssessmentRefused({"rater_name": "Give your name, so the learner knows who wrote."})
    return assessment_submit(
        program=program,
        form_version=current_version(form),
        subject=subject,
        assessor=None,
        assessor_role=rater_role,
        assessor_name=name,
        observed_on=observed_on,
        ratings=ratings,
        comments=comments,
        acting_user=None,
        client_key=answer_key[:64],
        concerns=concerns,
        source=source,
        external_id=external_id,
    )


class LinkSpent(Exception):
    """The link no longer works (used, expired or revoked)."""


class LinkRepeated(Exception):
    """The same submission made a link already."""

    def __init__(self, link: RaterLink) -> None:
        super().__init__(f"link {link.pk} was already made")
        self.link = link
