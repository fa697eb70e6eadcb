"""Case and procedure logs: quick entry without duplicates, verification, progress, the
catalogue, and every page for every kind of caller."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trellis.assessments.logs.selectors import learner_progress, program_log_overview
from trellis.assessments.logs.services import (
    LogRefused,
    log_entry_create,
    log_entry_return,
    log_entry_verify,
    log_type_delete,
)
from trellis.assessments.models import LogEntry, LogKind, LogRole, LogType
from trellis.assessments.tests.program_setup import Setup, make_setup
from trellis.audit.models import AuditEvent
from trellis.testing import People

SLUG = "im-residency"


def u(name: str, *args: object) -> str:
    return reverse(f"assessments-program:{name}", args=[SLUG, *args])


@pytest.fixture
def s(people: People) -> Setup:
    return make_setup(people)


def log(s: Setup, *, key: str = "", supervisor: Any = "faculty", **kw: Any) -> LogEntry:
    entry, _ = log_entry_create(
        program=s.people.program,
        learner=kw.get("learner", s.people.learner),
        log_type=kw.get("log_type", s.para),
        performed_on=kw.get("on", timezone.localdate()),
        role=LogRole.PERFORMED,
        supervisor=getattr(s.people, supervisor) if supervisor else None,
        acting_user=s.people.learner,
        client_key=key,
    )
    return entry


# --- services ---------------------------------------------------------------------------


def test_a_retry_with_the_same_client_key_makes_no_duplicate(s: Setup) -> None:
    first = log(s, key="k-1")
    again = log(s, key="k-1")
    assert first.pk == again.pk and LogEntry.objects.count() == 1
    assert first.site == s.sched.uh  # taken from the rotation on the day


def test_the_supervisor_must_be_one_of_the_learners_supervisors(s: Setup) -> None:
    with pytest.raises(LogRefused, match="not one of your supervisors"):
        log(s, supervisor="committee")
    with pytest.raises(LogRefused, match="future"):
        log(s, on=timezone.localdate() + dt.timedelta(days=1))
    assert not LogEntry.objects.exists()


def test_a_date_before_1990_is_refused(s: Setup) -> None:
    with pytest.raises(LogRefused, match="before 1990-01-01"):
        log(s, on=dt.date(1, 1, 1), supervisor=None)
    assert not LogEntry.objects.exists()


def test_a_supervisor_verifies_or_returns_with_a_note(s: Setup) -> None:
    entry = log(s)
    log_entry_verify(entry=entry, acting_user=s.people.faculty)
    assert entry.verified_by == s.people.faculty and entry.verified_at is not None
    with pytest.raises(LogRefused, match="already verified"):
        log_entry_verify(entry=entry, acting_user=s.people.faculty)
    other = log(s)
    with pytest.raises(LogRefused, match="not waiting for you"):
        log_entry_verify(entry=other, acting_user=s.people.committee)
    with pytest.raises(LogRefused, match="Say what"):
        log_entry_return(entry=other, note=" ", acting_user=s.people.faculty)
    log_entry_return(entry=other, note="This was a thoracentesis", acting_user=s.people.faculty)
    other.refresh_from_db()
    assert other.supervisor is None and other.verified_at is None
    assert "Returned by Farah Mendes: This was a thoracentesis" in other.notes
    assert AuditEvent.objects.filter(action="log_entry.return").count() == 1


def test_progress_counts_verified_entries_against_each_minimum(s: Setup) -> None:
    for _ in range(3):
        log_entry_verify(entry=log(s), acting_user=s.people.faculty)
    log(s, log_type=s.cvc)
    progress = {
        p.log_type.code: p
        for p in learner_progress(program=s.people.program, learner=s.people.learner)
    }
    assert (progress["PARA"].verified, progress["PARA"].minimum, progress["PARA"].met) == (
        3,
        3,
        True,
    )
    assert (progress["CVC"].verified, progress["CVC"].pending, progress["CVC"].met) == (0, 1, False)


def test_the_program_overview_runs_in_three_queries(
    s: Setup, django_assert_num_queries: Any
) -> None:
    log_entry_verify(entry=log(s), acting_user=s.people.faculty)
    with django_assert_num_queries(3):
        overview = program_log_overview(program=s.people.program)
        rows = {r.learner.email: r for r in overview.rows}
    assert rows[s.people.learner.email].cells[1].verified == 1  # kind, name order: CVC, PARA
    assert rows[s.people.learner2.email].met == 0


def test_a_log_type_with_entries_cannot_be_removed(s: Setup) -> None:
    log(s)
    with pytest.raises(LogRefused, match="has entries"):
        log_type_delete(log_type=s.para, acting_user=s.people.coordinator)
    log_type_delete(log_type=s.cvc, acting_user=s.people.coordinator)
    assert not LogType.objects.filter(code="CVC").exists()


# --- pages ------------------------------------------------------------------------------


def test_every_page_refuses_the_anonymous_the_unentitled_and_outsiders(
    client: Client, s: Setup
) -> None:
    entry = log(s)
    pages = [
        (u("logs"), "get", "committee", "faculty"),
        (u("log-types"), "get", "coordinator", "committee"),
        (u("log-type-edit", s.para.pk), "get", "coordinator", "faculty"),
        (u("log-type-delete", s.cvc.pk), "post", "coordinator", "learner"),
        (u("my-logs"), "get", "learner", "faculty"),
        (u("log-entry-delete", entry.pk), "post", "learner", "faculty"),
        (u("log-verify"), "get", "faculty", "learner"),
        (u("log-entry-verify", entry.pk), "post", "faculty", "learner"),
        (u("learner-logs", s.people.learner.pk), "get", "faculty", "learner2"),
    ]
    for url, method, allowed, denied in pages:
        call = getattr(client, method)
        client.logout()
        response = call(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        client.force_login(getattr(s.people, denied))
        assert call(url).status_code == 403, (url, denied)
        client.force_login(s.people.outsider)
        assert call(url).status_code == 404, url
        client.force_login(getattr(s.people, allowed))
        wrong = client.put if method == "get" else client.get
        assert wrong(url).status_code == 405, url
        if method == "get":
            assert call(url).status_code == 200, url


def test_a_learner_logs_an_entry_and_a_resubmission_makes_no_duplicate(
    client: Client, s: Setup
) -> None:
    client.force_login(s.people.learner)
    page = client.get(u("my-logs")).content.decode()
    assert "Farah Mendes" in page and 'name="client_key"' in page
    data = {
        "log_type": s.para.pk,
        "performed_on": timezone.localdate().isoformat(),
        "role": LogRole.PERFORMED,
        "supervisor": s.people.faculty.pk,
        "notes": "Ultrasound guided",
        "client_key": "abc123",
    }
    assert client.post(u("my-logs"), data).status_code == 302
    assert client.post(u("my-logs"), data).status_code == 302
    assert LogEntry.objects.filter(learner=s.people.learner).count() == 1
    page = client.get(u("my-logs")).content.decode()
    assert "Already logged" in page and "0 of 3 verified" in page


def test_a_learner_cannot_name_someone_else_as_supervisor(client: Client, s: Setup) -> None:
    client.force_login(s.people.learner)
    response = client.post(
        u("my-logs"),
        {
            "log_type": s.para.pk,
            "performed_on": timezone.localdate().isoformat(),
            "role": LogRole.PERFORMED,
            "supervisor": s.people.committee.pk,
        },
    )
    assert response.status_code == 200 and not LogEntry.objects.exists()


def test_the_supervisor_verifies_from_the_queue(client: Client, s: Setup) -> None:
    entry = log(s)
    client.force_login(s.people.faculty)
    assert "Lena Park: Paracentesis" in client.get(u("log-verify")).content.decode()
    client.post(u("log-entry-verify", entry.pk), {"action": "verify"})
    entry.refresh_from_db()
    assert entry.verified_by == s.people.faculty
    assert "Nothing is waiting" in client.get(u("log-verify")).content.decode()
    # someone else's entry is not found
    client.force_login(s.people.committee)
    assert client.post(u("log-entry-verify", entry.pk), {"action": "verify"}).status_code == 404


def test_the_supervisor_returns_an_entry_with_a_note(client: Client, s: Setup) -> None:
    entry = log(s)
    client.force_login(s.people.faculty)
    client.post(u("log-entry-verify", entry.pk), {"action": "return", "note": "Wrong date"})
    entry.refresh_from_db()
    assert entry.supervisor is None and "Wrong date" in entry.notes


def test_a_learner_removes_an_unverified_entry_only(client: Client, s: Setup) -> None:
    pending, done = log(s), log(s)
    log_entry_verify(entry=done, acting_user=s.people.faculty)
    client.force_login(s.people.learner)
    client.post(u("log-entry-delete", pending.pk))
    client.post(u("log-entry-delete", done.pk))
    assert list(LogEntry.objects.all()) == [done]
    client.force_login(s.people.learner2)
    assert client.post(u("log-entry-delete", done.pk)).status_code == 404


def test_a_coordinator_keeps_the_catalogue(client: Client, s: Setup) -> None:
    client.force_login(s.people.coordinator)
    response = client.post(
        u("log-types"),
        {"code": "lp", "name": "Lumbar puncture", "kind": LogKind.PROCEDURE, "minimum": 3},
    )
    assert response.status_code == 302
    lp = LogType.objects.get(program=s.people.program, code="LP")
    dup = client.post(
        u("log-types"), {"code": "LP", "name": "Again", "kind": LogKind.PROCEDURE, "minimum": 1}
    )
    assert "already in the catalogue" in dup.content.decode()
    client.post(
        u("log-type-edit", lp.pk),
        {"code": "LP", "name": "Lumbar puncture", "kind": LogKind.PROCEDURE, "minimum": 5},
    )
    lp.refresh_from_db()
    assert lp.minimum == 5
    client.post(u("log-type-delete", lp.pk))
    assert not LogType.objects.filter(pk=lp.pk).exists()


def test_the_overview_shows_every_learner_in_bounded_queries(
    client: Client, s: Setup, django_assert_max_num_queries: Any
) -> None:
    log_entry_verify(entry=log(s), acting_user=s.people.faculty)
    client.force_login(s.people.director)
    with django_assert_max_num_queries(10):
        body = client.get(u("logs")).content.decode()
    assert "Lena Park" in body and "Luis Alvarez" in body and "PARA" in body


def test_staff_and_the_supervisor_see_a_learners_progress(client: Client, s: Setup) -> None:
    log(s)
    for who in ("coordinator", "committee", "faculty", "learner"):
        client.force_login(getattr(s.people, who))
        body = client.get(u("learner-logs", s.people.learner.pk)).content.decode()
        assert "0 of 3 verified" in body, who
    client.force_login(s.people.coordinator)
    assert client.get(u("learner-logs", s.people.faculty.pk)).status_code == 404
