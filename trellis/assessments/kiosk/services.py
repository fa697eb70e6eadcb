"""The patient kiosk: a shared tablet in a clinic that takes patients' feedback about one
learner (or one of a short list, for a clinic session), one patient after another.

A coordinator or director starts it from the program's rater-links page. Its address holds
a secret of 32 random bytes of which only the SHA-256 digest is stored (as a rater link's);
it works until it expires (a few hours) or is ended, and whatever is wrong with it looks
the same from outside as a bad rater link. Each answer goes through the rater links' own
`no_account_submit` (an anonymous patient: no assessor, no name) with the kiosk and the
page's fresh key as its external id, so a double tap records one answer, counted once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from trellis.assessments.capture.services import CommentInput, RatingInput
from trellis.assessments.links.services import (
    LINK_BYTES,
    LinkRefused,
    digest_of,
    no_account_submit,
)
from trellis.assessments.models import (
    Assessment,
    AssessmentSource,
    AssessorRole,
    Form,
    FormKind,
    KioskSession,
)
from trellis.audit.services import audit_record
from trellis.lib.urls import absolute_url
from trellis.people.models import Program, User
from trellis.people.selectors import learners_of

KIOSK_HOURS_DEFAULT = 8
KIOSK_HOURS_MAX = 12
KIOSK_LEARNERS_MAX = 8  # a clinic session's short list, read by a patient on a tablet


def kiosk_url(token: str) -> str:
    return absolute_url(reverse("kiosk", args=[token]))


def kiosk_forms(*, program: Program) -> QuerySet[Form]:
    """Forms a kiosk may carry: multisource forms (the program's or built in) that a
    patient fills."""
    forms = Form.objects.filter(archived=False, kind=FormKind.MULTISOURCE)
    forms = forms.filter(Q(program=program) | Q(program=None)).order_by("program_id", "title")
    return forms.filter(pk__in=[f.pk for f in forms if AssessorRole.PATIENT in f.assessor_roles])


def kiosk_state(kiosk: KioskSession, *, now: dt.datetime | None = None) -> str:
    """open, ended or expired."""
    if kiosk.ended_at is not None:
        return "ended"
    if kiosk.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


@dataclass(frozen=True)
class StartedKiosk:
    kiosk: KioskSession
    token: str  # shown once; not stored

    @property
    def url(self) -> str:
        return kiosk_url(self.token)


def _check(*, program: Program, form: Form, learners: Sequence[User], hours: int) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not kiosk_forms(program=program).filter(pk=form.pk).exists():
        problems["form"] = "A kiosk carries a multisource form that patients fill."
    current = set(
        learners_of(program=program, on=timezone.localdate()).values_list("person_id", flat=True)
    )
    if not learners:
        problems["learners"] = "Choose the learner the patients give feedback about."
    elif len(learners) > KIOSK_LEARNERS_MAX:
        problems["learners"] = f"Choose at most {KIOSK_LEARNERS_MAX} learners for one kiosk."
    elif any(p.pk not in current for p in learners):
        problems["learners"] = f"Choose learners of {program.name} now."
    if not 1 <= hours <= KIOSK_HOURS_MAX:
        problems["hours"] = f"A kiosk runs 1 to {KIOSK_HOURS_MAX} hours."
    return problems


@transaction.atomic
def kiosk_start(
    *,
    program: Program,
    form: Form,
    learners: Sequence[User],
    acting_user: User,
    label: str = "",
    hours: int = KIOSK_HOURS_DEFAULT,
    client_key: str = "",
) -> StartedKiosk:
    """Start a kiosk. Raises LinkRefused (problems by field), writing nothing, when a rule
    is broken; KioskRepeated (with the kiosk) when this page's submission started one."""
    if client_key:
        earlier = KioskSession.objects.filter(created_by=acting_user, client_key=client_key)
        if earlier.exists():
            raise KioskRepeated(earlier.get())
    problems = _check(program=program, form=form, learners=learners, hours=hours)
    if problems:
        raise LinkRefused(problems)
    token = secrets.token_urlsafe(LINK_BYTES)
    kiosk = KioskSession.objects.create(
        program=program,
        form=form,
        label=label.strip()[:200],
        digest=digest_of(token),
        expires_at=timezone.now() + dt.timedelta(hours=hours),
        created_by=acting_user,
        client_key=client_key[:64],
    )
    kiosk.learners.set(learners)
    audit_record(
        actor=acting_user,
        action="kiosk.start",
        target=kiosk,
        after={
            "form": form.pk,
            "learners": sorted(p.pk for p in learners),
            "label": kiosk.label,
            "expires_at": kiosk.expires_at.isoformat(),
        },
        program=program,
    )
    return StartedKiosk(kiosk=kiosk, token=token)


@transaction.atomic
def kiosk_end(*, kiosk: KioskSession, acting_user: User) -> None:
    if kiosk_state(kiosk) != "open":
        return
    kiosk.ended_at = timezone.now()
    kiosk.ended_by = acting_user
    kiosk.save(update_fields=["ended_at", "ended_by"])
    audit_record(
        actor=acting_user,
        action="kiosk.end",
        target=kiosk,
        after={"ended_at": kiosk.ended_at.isoformat(), "submissions": kiosk.submissions},
        program=kiosk.program,
    )


def kiosks_open(*, program: Program) -> int:
    """How many of the program's kiosks work now."""
    return KioskSession.objects.filter(
        program=program, ended_at=None, expires_at__gt=timezone.now()
    ).count()


def kiosk_find(token: str) -> KioskSession | None:
    """The kiosk with this secret, whatever its state (None when there is none)."""
    if not token or len(token) > 100:
        return None
    return (
        KioskSession.objects.select_related("program", "form")
        .filter(digest=digest_of(token))
        .first()
    )


def kiosk_learners(kiosk: KioskSession) -> list[User]:
    """The kiosk's learners who are still learners of its program today."""
    current = learners_of(program=kiosk.program, on=timezone.localdate()).values("person_id")
    return list(kiosk.learners.filter(pk__in=current).order_by("last_name", "first_name", "pk"))


class KioskRepeated(Exception):
    """The same submission started a kiosk already (its address is not kept)."""

    def __init__(self, kiosk: KioskSession) -> None:
        super().__init__(f"kiosk {kiosk.pk} was already started")
        self.kiosk = kiosk


class KioskClosed(Exception):
    """The kiosk no longer works (ended or expired)."""


@transaction.atomic
def kiosk_submit(
    *,
    kiosk: KioskSession,
    subject: User,
    observed_on: dt.date,
    ratings: Sequence[RatingInput],
    comments: Sequence[CommentInput],
    answer_key: str,
    concerns: Sequence[str] = (),
) -> Assessment:
    """Record one patient's answer about `subject` (one of the kiosk's learners) and count
    it. The same `answer_key` again (a double tap, a retry) returns the same assessment and
    counts nothing; a kiosk that has closed raises KioskClosed."""
    locked = KioskSession.objects.select_for_update().get(pk=kiosk.pk)
    if kiosk_state(locked) != "open":
        raise KioskClosed()
    if subject not in kiosk_learners(locked):
        raise KioskClosed()
    assert answer_key, "the page sends a fresh key with each form"
    result = no_account_submit(
        program=locked.program,
        form=locked.form,
        subject=subject,
        rater_role=AssessorRole.PATIENT,
        anonymous=True,
        rater_name="",
        observed_on=observed_on,
        ratings=ratings,
        comments=comments,
        answer_key=answer_key,
        concerns=concerns,
        source=AssessmentSource.KIOSK,
        external_id=f"kiosk:{locked.pk}:{answer_key[:64]}",
    )
    if result.created:
        KioskSession.objects.filter(pk=locked.pk).update(submissions=F("submissions") + 1)
    return result.assessment
