"""The reminder worker's one pass: expire, claim, remind (run by `trellis remind`).

Policy, for an open request with an assessor: a reminder 3 days before the due date, one
on the due date, then one every 7 days while overdue, at most four in all. A request 30
days overdue expires.

Several workers may run at once, or one may run twice. A worker claims one *assessor* at
a time: under a lock on the assessor's row (SQLite: the IMMEDIATE transaction), it takes
every request of theirs that is due a reminder, and none while another worker holds a
claim on any of them, so an assessor gets one e-mail per pass however many workers run.
The e-mail is sent after the claim commits; only once the mail server has accepted it do
the requests count it (the sent count moves past the slots already due, so slots missed
while no worker ran are not sent late one by one). A refused or unreachable mail server
releases the claim and the next pass tries again: a reminder may, rarely, go twice (a
worker dying between sending and counting), never not at all.

One e-mail goes to each assessor per pass, listing every request of theirs that is due a
reminder, each with its link.

A coordinator may also *chase* a program's overdue requests now (`requests_chase`): each
assessor with overdue requests there gets one e-mail listing them, except requests already
reminded in the last CHASE_GAP, so pressing it twice (or the worker running just before)
sends nothing twice. It claims as the worker does, and counts as a reminder.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from trellis.assessments.models import ReminderPass, Request, RequestStatus
from trellis.audit.services import audit_record
from trellis.lib.urls import absolute_url
from trellis.people.models import Program, User

# Days relative to the due date on which each reminder falls due (negative: before it).
REMINDER_OFFSETS = (-3, 0, 7, 14)
EXPIRE_AFTER_DAYS = 30
CLAIM_FOR = dt.timedelta(minutes=5)
CHASE_GAP = dt.timedelta(days=1)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChaseResult:
    emails: int
    chased: int  # requests listed in those e-mails
    recent: int  # overdue requests left alone: reminded within CHASE_GAP
    failed: int = 0


@dataclass(frozen=True)
class PassResult:
    emails: int
    reminded: int
    expired: int
    failed: int = 0  # assessors whose digest the mail server did not take


def slots_due(*, due_date: dt.date, today: dt.date) -> int:
    """How many reminder slots have fallen due by `today`."""
    return sum(1 for offset in REMINDER_OFFSETS if today >= due_date + dt.timedelta(days=offset))


def _due_filter(today: dt.date) -> Q:
    """Open requests whose next reminder slot has fallen due."""
    q = Q()
    for sent, offset in enumerate(REMINDER_OFFSETS):
        q |= Q(reminders_sent=sent, due_date__lte=today - dt.timedelta(days=offset))
    return q


def _unclaimed(now: dt.datetime) -> Q:
    return Q(reminder_claimed_until__isnull=True) | Q(reminder_claimed_until__lt=now)


def requests_expire(*, today: dt.date) -> int:
    """Mark open requests 30 days overdue as expired; each change is audited."""
    cutoff = today - dt.timedelta(days=EXPIRE_AFTER_DAYS)
    expired = 0
    for request in Request.objects.filter(
        status=RequestStatus.OPEN, due_date__lte=cutoff
    ).select_related("program__institution", "form", "subject", "assessor"):
        with transaction.atomic():
            if Request.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
                status=RequestStatus.EXPIRED
            ):
                audit_record(
                    actor=None,
                    action="request.expire",
                    target=request,
                    before={"status": RequestStatus.OPEN},
                    after={"status": RequestStatus.EXPIRED},
                    program=request.program,
                )
                expired += 1
    return expired


def _claim_for_assessor(assessor_id: int, now: dt.datetime) -> list[Request]:
    """Every open request of one assessor due a reminder, claimed until `now + CLAIM_FOR`;
    nothing when another worker holds a live claim on any of that assessor's requests."""
    today = timezone.localdate(now)
    until = now + CLAIM_FOR
    mine = Request.objects.filter(assessor_id=assessor_id, status=RequestStatus.OPEN)
    with transaction.atomic():
        # Workers claiming for the same assessor queue here (PostgreSQL; SQLite's IMMEDIATE
        # transactions already queue every writer).
        list(User.objects.select_for_update().filter(pk=assessor_id).values_list("pk"))
        if mine.filter(reminder_claimed_until__gte=now).exists():
            return []
        pks = list(mine.filter(_due_filter(today)).values_list("pk", flat=True))
        Request.objects.filter(pk__in=pks).update(reminder_claimed_until=until)
    return list(
        Request.objects.filter(pk__in=pks, reminder_claimed_until=until)
        .select_related("assessor", "subject", "form")
        .order_by("due_date", "pk")
    )


def request_link(request: Request) -> str:
    """The answer link; absolute when settings.SITE_URL (e.g. https://trellis.example.edu)
    is set, which a deployment that sends e-mail should do."""
    return absolute_url(reverse("assessments:answer", args=[request.token]))


def digest_text(*, assessor: User, requests: list[Request], today: dt.date) -> tuple[str, str]:
    """The subject line and body of one assessor's reminder."""
    count = len(requests)
    subject = f"Trellis: {count} assessment{'s' if count != 1 else ''} to complete"
    lines = [f"Dear {assessor.display_name},", "", "These assessments are waiting for you:", ""]
    for r in requests:
        days = (r.due_date - today).days
        when = (
            f"overdue by {-days} day{'s' if days != -1 else ''}"
            if days < 0
            else ("due today" if days == 0 else f"due {r.due_date:%d %b %Y}")
        )
        lines.append(f"- {r.form.title}: {r.subject.display_name} ({when})")
        lines.append(f"  {request_link(r)}")
    lines += ["", "Each link opens the form; it takes a minute or two.", "", "Trellis"]
    return subject, "\n".join(lines)


def _remind(
    assessor: User, requests: list[Request], now: dt.datetime, connection: Any = None
) -> bool:
    """Send the assessor's digest; count it on the requests only once it has gone. A mail
    server that refuses or cannot be reached releases the claim (False)."""
    today = timezone.localdate(now)
    subject, body = digest_text(assessor=assessor, requests=requests, today=today)
    pks = [r.pk for r in requests]
    try:
        send_mail(
            subject, body, settings.DEFAULT_FROM_EMAIL, [assessor.email], connection=connection
        )
    except (smtplib.SMTPException, OSError):
        logger.exception("Reminder to assessor %s not sent; retried next pass", assessor.pk)
        Request.objects.filter(pk__in=pks).update(reminder_claimed_until=None)
        return False
    with transaction.atomic():
        for r in requests:
            r.reminders_sent = slots_due(due_date=r.due_date, today=today)
            r.last_reminded_at = now
            r.reminder_claimed_until = None
        Request.objects.bulk_update(
            requests, ["reminders_sent", "last_reminded_at", "reminder_claimed_until"]
        )
    return True


def _remind_each(
    assessor_ids: Iterable[int],
    claim: Callable[[int], list[Request]],
    now: dt.datetime,
    connection: Any,
) -> tuple[int, int, int]:
    """Claim and remind each assessor in turn: (e-mails sent, requests in them, e-mails
    the mail server did not take)."""
    emails = reminded = failed = 0
    for assessor_id in assessor_ids:
        requests = claim(assessor_id)
        if not requests:
            continue
        assessor = requests[0].assessor
        assert assessor is not None
        if _remind(assessor, requests, now, connection):
            emails += 1
            reminded += len(requests)
        else:
            failed += 1
    return emails, reminded, failed


def reminders_pass(
    *, now: dt.datetime | None = None, batch: int = 500, connection: Any = None
) -> PassResult:
    """One pass of the worker: expire, then remind the assessors of up to `batch` due
    requests, one digest each (through `connection`, default the configured mail)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    expired = requests_expire(today=today)
    due = (
        Request.objects.filter(status=RequestStatus.OPEN, assessor__isnull=False)
        .filter(_due_filter(today))
        .filter(_unclaimed(now))
        .order_by("assessor_id", "due_date", "pk")
        .values_list("assessor_id", flat=True)[:batch]
    )
    emails, reminded, failed = _remind_each(
        dict.fromkeys(due),  # each assessor once, in order
        lambda assessor_id: _claim_for_assessor(assessor_id, now),
        now,
        connection,
    )
    result = PassResult(emails=emails, reminded=reminded, expired=expired, failed=failed)
    ReminderPass.objects.update_or_create(pk=1, defaults={"finished_at": now, **vars(result)})
    return result


def _overdue_in(program: Program, today: dt.date) -> QuerySet[Request]:
    return Request.objects.filter(
        program=program, status=RequestStatus.OPEN, assessor__isnull=False, due_date__lt=today
    )


def _not_chased(now: dt.datetime) -> Q:
    """Not reminded within CHASE_GAP of `now`."""
    return Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=now - CHASE_GAP)


def requests_chaseable(*, program: Program, now: dt.datetime) -> QuerySet[Request]:
    """The overdue requests of `program` that a chase now would e-mail about."""
    return _overdue_in(program, timezone.localdate(now)).filter(_not_chased(now))


def _claim_overdue(assessor_id: int, program: Program, now: dt.datetime) -> list[Request]:
    """The assessor's overdue requests in `program` not reminded within CHASE_GAP, claimed
    as `_claim_for_assessor` claims; nothing while another claim on them is live."""
    today = timezone.localdate(now)
    until = now + CLAIM_FOR
    mine = _overdue_in(program, today).filter(assessor_id=assessor_id)
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk=assessor_id).values_list("pk"))
        if mine.filter(reminder_claimed_until__gte=now).exists():
            return []
        pks = list(mine.filter(_not_chased(now)).values_list("pk", flat=True))
        Request.objects.filter(pk__in=pks).update(reminder_claimed_until=until)
    return list(
        Request.objects.filter(pk__in=pks, reminder_claimed_until=until)
        .select_related("assessor", "subject", "form")
        .order_by("due_date", "pk")
    )


def requests_chase(
    *,
    program: Program,
    acting_user: User | None,
    now: dt.datetime | None = None,
    connection: Any = None,
) -> ChaseResult:
    """E-mail every assessor with overdue requests in `program` now (one digest each),
    leaving out requests reminded within CHASE_GAP. Audited as one event on the program."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = _overdue_in(program, today)
    assessors = dict.fromkeys(overdue.order_by("assessor_id").values_list("assessor_id", flat=True))
    recent = overdue.filter(last_reminded_at__gte=now - CHASE_GAP).count()
    emails, chased, failed = _remind_each(
        assessors, lambda assessor_id: _claim_overdue(assessor_id, program, now), now, connection
    )
    result = ChaseResult(emails=emails, chased=chased, recent=recent, failed=failed)
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action="requests.chase",
            target=program,
            after=vars(result),
            program=program,
        )
    return result
