"""The reminder worker's one pass: expire, claim, remind (run by `trellis remind`).

Policy, for an open request with an assessor: a reminder 3 days before the due date, one
on the due date, then one every 7 days while overdue, at most four in all. A request 30
days overdue expires.

Several workers may run at once, or one may run twice. Each reminder *slot* (the first,
the second, ...) is sent at most once: a worker claims a row with a compare-and-set
UPDATE that matches only while the row is unclaimed (or its claim has lapsed) *and*
still has the number of reminders the worker saw, and the sent count moves past the slot
in the same transaction whose commit sends the e-mail. Slots missed while no worker ran
are not sent late one by one: the count jumps to the slots already due.

One e-mail goes to each assessor per pass, listing every request of theirs that is due a
reminder, each with its link.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from trellis.assessments.models import Request, RequestStatus
from trellis.audit.services import audit_record
from trellis.lib.urls import absolute_url
from trellis.people.models import User

# Days relative to the due date on which each reminder falls due (negative: before it).
REMINDER_OFFSETS = (-3, 0, 7, 14)
EXPIRE_AFTER_DAYS = 30
CLAIM_FOR = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class PassResult:
    emails: int
    reminded: int
    expired: int


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


def _claim(candidates: list[tuple[int, int]], now: dt.datetime) -> list[int]:
    claimed = []
    for pk, sent in candidates:
        won = (
            Request.objects.filter(pk=pk, reminders_sent=sent, status=RequestStatus.OPEN)
            .filter(_unclaimed(now))
            .update(reminder_claimed_until=now + CLAIM_FOR)
        )
        if won:
            claimed.append(pk)
    return claimed


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


def _send_later(address: str, subject: str, body: str) -> None:
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]),
        robust=True,
    )


def _remind(assessor: User, requests: list[Request], now: dt.datetime, today: dt.date) -> None:
    with transaction.atomic():
        for r in requests:
            r.reminders_sent = slots_due(due_date=r.due_date, today=today)
            r.last_reminded_at = now
            r.reminder_claimed_until = None
        Request.objects.bulk_update(
            requests, ["reminders_sent", "last_reminded_at", "reminder_claimed_until"]
        )
        subject, body = digest_text(assessor=assessor, requests=requests, today=today)
        _send_later(assessor.email, subject, body)


def reminders_pass(*, now: dt.datetime | None = None, batch: int = 500) -> PassResult:
    """One pass of the worker: expire, then claim up to `batch` due rows and remind."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    expired = requests_expire(today=today)
    candidates = list(
        Request.objects.filter(status=RequestStatus.OPEN, assessor__isnull=False)
        .filter(_due_filter(today))
        .filter(_unclaimed(now))
        .order_by("assessor_id", "due_date", "pk")
        .values_list("pk", "reminders_sent")[:batch]
    )
    claimed = _claim(candidates, now)
    by_assessor: dict[int, list[Request]] = defaultdict(list)
    for r in (
        Request.objects.filter(pk__in=claimed)
        .select_related("assessor", "subject", "form")
        .order_by("due_date", "pk")
    ):
        assert r.assessor_id is not None
        by_assessor[r.assessor_id].append(r)
    for requests in by_assessor.values():
        assessor = requests[0].assessor
        assert assessor is not None
        _remind(assessor, requests, now, today)
    return PassResult(emails=len(by_assessor), reminded=len(claimed), expired=expired)
