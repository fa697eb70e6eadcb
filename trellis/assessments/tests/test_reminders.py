"""The reminder worker: 3 days before, on the due date, weekly overdue, at most four; one
digest per assessor; never two e-mails for one slot, however often or in parallel it runs;
expiry 30 days overdue."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from trellis.assessments.models import Request, RequestOrigin, RequestStatus
from trellis.assessments.requests.reminders import _claim_for_assessor, reminders_pass
from trellis.assessments.tests.program_setup import Setup, make_setup
from trellis.audit.models import AuditEvent
from trellis.testing import People

DUE = dt.date(2026, 3, 20)


@pytest.fixture
def s(people: People) -> Setup:
    return make_setup(people)


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[[dt.date], int]:
    """One worker pass at noon on a day, its on-commit e-mails sent; the e-mails it sent."""

    def do(day: dt.date, **kwargs: Any) -> int:
        before = len(mail.outbox)
        now = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        with django_capture_on_commit_callbacks(execute=True):
            reminders_pass(now=now, **kwargs)
        return len(mail.outbox) - before

    return do


def ask(s: Setup, *, due: dt.date = DUE, assessor: Any = None, subject: Any = None) -> Request:
    return Request.objects.create(
        program=s.people.program,
        form=s.eor,
        subject=subject or s.people.learner,
        assessor=assessor or s.people.faculty,
        origin=RequestOrigin.COORDINATOR,
        due_date=due,
    )


def days(n: int) -> dt.date:
    return DUE + dt.timedelta(days=n)


def test_it_reminds_before_on_and_weekly_after_the_due_date_four_times_at_most(
    s: Setup, run: Callable[..., int]
) -> None:
    req = ask(s)
    sent = {n: run(days(n)) for n in range(-6, 29)}
    assert [n for n, count in sent.items() if count] == [-3, 0, 7, 14]
    req.refresh_from_db()
    assert req.reminders_sent == 4 and req.last_reminded_at is not None


def test_two_runs_send_one_email_per_slot(s: Setup, run: Callable[..., int]) -> None:
    ask(s)
    assert run(days(-3)) == 1
    assert run(days(-3)) == 0
    assert run(days(-2)) == 0
    assert run(days(0)) == 1
    assert run(days(0)) == 0


def test_missed_slots_are_not_sent_one_by_one(s: Setup, run: Callable[..., int]) -> None:
    req = ask(s)
    assert run(days(8)) == 1  # three slots had passed: one e-mail
    req.refresh_from_db()
    assert req.reminders_sent == 3
    assert run(days(9)) == 0
    assert run(days(14)) == 1


def test_a_row_claimed_by_another_worker_is_left_to_it(s: Setup, run: Callable[..., int]) -> None:
    req = ask(s)
    noon = timezone.make_aware(dt.datetime.combine(days(0), dt.time(12)))
    Request.objects.filter(pk=req.pk).update(reminder_claimed_until=noon + dt.timedelta(minutes=3))
    assert run(days(0)) == 0
    req.refresh_from_db()
    assert req.reminders_sent == 0
    # a claim that lapsed (its worker died) is taken over
    Request.objects.filter(pk=req.pk).update(reminder_claimed_until=noon - dt.timedelta(minutes=1))
    assert run(days(0)) == 1


def test_each_assessor_gets_one_digest_with_every_link(s: Setup, run: Callable[..., int]) -> None:
    first = ask(s)
    second = ask(s, subject=s.people.learner2, due=days(2))
    other = ask(s, assessor=s.people.committee)
    assert run(days(0)) == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    faculty_mail = by_to[s.people.faculty.email]
    assert "2 assessments" in faculty_mail.subject
    assert f"/assess/r/{first.token}/" in faculty_mail.body
    assert f"/assess/r/{second.token}/" in faculty_mail.body
    assert "Lena Park" in faculty_mail.body and "Luis Alvarez" in faculty_mail.body
    assert f"/assess/r/{other.token}/" in by_to[s.people.committee.email].body


def test_the_batch_limits_one_pass(s: Setup, run: Callable[..., int]) -> None:
    ask(s)
    ask(s, assessor=s.people.committee)
    assert run(days(0), batch=1) == 1
    assert run(days(0), batch=1) == 1
    assert run(days(0), batch=1) == 0


def test_it_skips_closed_and_unaddressed_requests(s: Setup, run: Callable[..., int]) -> None:
    done = ask(s)
    Request.objects.filter(pk=done.pk).update(status=RequestStatus.COMPLETED)
    open_link = ask(s)
    Request.objects.filter(pk=open_link.pk).update(assessor=None)
    assert run(days(0)) == 0


def test_it_expires_requests_thirty_days_overdue(s: Setup, run: Callable[..., int]) -> None:
    req = ask(s)
    run(days(29))
    req.refresh_from_db()
    assert req.status == RequestStatus.OPEN
    run(days(30))
    req.refresh_from_db()
    assert req.status == RequestStatus.EXPIRED
    assert AuditEvent.objects.filter(action="request.expire", target_id=str(req.pk)).count() == 1
    assert run(days(37)) == 0


def test_the_command_runs_one_pass(s: Setup, django_capture_on_commit_callbacks: Any) -> None:
    ask(s, due=timezone.localdate())
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind", "--once", stdout=out)
    assert "1 e-mail(s) for 1 request(s)" in out.getvalue()
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind", "--once", stdout=StringIO())
    assert len(mail.outbox) == 1


def test_a_worker_claims_nothing_that_is_no_longer_due(s: Setup) -> None:
    """Worker A saw the request due its first reminder; worker B sent it since. A's claim,
    made under the assessor's lock, reads the row afresh and takes nothing."""
    req = ask(s)
    now = timezone.make_aware(dt.datetime.combine(days(-3), dt.time(12)))
    Request.objects.filter(pk=req.pk).update(reminders_sent=1)
    assert _claim_for_assessor(s.people.faculty.pk, now) == []


def test_an_assessor_another_worker_is_reminding_gets_nothing_more_this_pass(
    s: Setup, run: Callable[..., int]
) -> None:
    """The finding: with four workers, one assessor got two e-mails in one pass, each
    worker having claimed different requests of theirs. A live claim on any of the
    assessor's requests now keeps every other worker away from that assessor."""
    first = ask(s)
    second = ask(s, subject=s.people.learner2)
    noon = timezone.make_aware(dt.datetime.combine(days(0), dt.time(12)))
    claimed = _claim_for_assessor(s.people.faculty.pk, noon)
    assert {r.pk for r in claimed} == {first.pk, second.pk}
    late = ask(s, subject=s.people.learner2, due=days(-1))  # due, unclaimed, same assessor
    assert run(days(0)) == 0
    assert _claim_for_assessor(s.people.faculty.pk, noon) == []
    late.refresh_from_db()
    assert late.reminders_sent == 0


def test_a_mail_server_that_cannot_be_reached_loses_no_reminder(
    s: Setup, run: Callable[..., int], settings: Any
) -> None:
    """The counter used to move before the e-mail went: an SMTP failure lost the slot.
    Against a real closed port nothing is counted, the claim is released, and the next
    pass with a working server sends it."""
    req = ask(s)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    noon = timezone.make_aware(dt.datetime.combine(days(0), dt.time(12)))
    result = reminders_pass(now=noon)
    assert (result.emails, result.reminded, result.failed) == (0, 0, 1)
    req.refresh_from_db()
    assert req.reminders_sent == 0 and req.reminder_claimed_until is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run(days(0)) == 1
    req.refresh_from_db()
    assert req.reminders_sent == 2


@pytest.mark.django_db(transaction=True)
def test_four_workers_at_once_send_each_assessor_one_email(people: People) -> None:
    """Four real workers, each on its own database connection, in one pass."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the in-memory SQLite test database is shared-cache, where "
            "concurrent writers fail with 'table is locked' instead of queueing (CI runs "
            "this on PostgreSQL)"
        )
    s = make_setup(people)
    for subject in (s.people.learner, s.people.learner2):
        for _ in range(5):
            ask(s, subject=subject)
    ask(s, assessor=s.people.committee)
    noon = timezone.make_aware(dt.datetime.combine(days(0), dt.time(12)))
    start = threading.Barrier(4)

    def worker() -> None:
        try:
            start.wait()
            reminders_pass(now=noon)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted([s.people.faculty.email, s.people.committee.email])
    assert set(Request.objects.values_list("reminders_sent", flat=True)) == {2}
