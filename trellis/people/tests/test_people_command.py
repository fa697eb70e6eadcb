"""`trellis people change | end | invite`: one membership from the command line, through
the services the People page uses (so audited the same way); a repeated end changes
nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from trellis.audit.models import AuditEvent
from trellis.people.models import Membership, Role
from trellis.testing import People

PROGRAM = ["--program", "im-residency"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("people", *args, *PROGRAM, stdout=out)
    return out.getvalue()


def learner_rows(people: People) -> list[Membership]:
    return list(
        Membership.objects.filter(person=people.learner, program=people.program).order_by("pk")
    )


def test_it_ends_a_membership_keeping_the_row_and_a_second_run_changes_nothing(
    people: People,
) -> None:
    out = run("end", "LEARNER@riverside.test", "--role", "learner", "--last-day", "2026-06-30")
    assert "learner@riverside.test: Learner ends 2026-06-30" in out
    (row,) = learner_rows(people)
    assert row.end_date == dt.date(2026, 6, 30)
    assert AuditEvent.objects.filter(action="membership.end").count() == 1
    again = run("end", "learner@riverside.test", "--role", "learner", "--last-day", "2026-07-31")
    assert "already ended on 2026-06-30; nothing changed" in again
    assert learner_rows(people)[0].end_date == dt.date(2026, 6, 30)
    assert AuditEvent.objects.filter(action="membership.end").count() == 1


def test_it_sets_a_training_year_and_changes_a_role(people: People) -> None:
    out = run("change", "learner@riverside.test", "--role", "learner", "--training-year", "2")
    assert "learner@riverside.test: Learner, year 2" in out
    assert learner_rows(people)[0].training_year == 2
    run("change", "learner@riverside.test", "--role", "learner", "--to-role", "faculty",
        "--on", "2027-07-01")  # fmt: skip
    old, new = learner_rows(people)
    assert old.role == Role.LEARNER and old.end_date == dt.date(2027, 6, 30)
    assert new.role == Role.FACULTY and new.start_date == dt.date(2027, 7, 1)


def test_it_invites_a_member_and_refuses_someone_who_is_not_one(
    people: People, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert "Sent learner@riverside.test" in run("invite", "learner@riverside.test")
    assert [m.to for m in mail.outbox] == [["learner@riverside.test"]]
    assert AuditEvent.objects.filter(action="person.invite").count() == 1
    with pytest.raises(CommandError, match="not a member of im-residency"):
        run("invite", "outsider@elsewhere.test")


def test_it_refuses_what_the_page_refuses(people: People) -> None:
    with pytest.raises(CommandError, match="holds no Faculty membership"):
        run("end", "learner@riverside.test", "--role", "faculty", "--last-day", "2026-06-30")
    with pytest.raises(CommandError, match="Unknown role"):
        run("end", "learner@riverside.test", "--role", "surgeon", "--last-day", "2026-06-30")
    with pytest.raises(CommandError, match="nothing changed"):
        run("end", "learner@riverside.test", "--role", "learner", "--last-day", "1999-01-01")
    with pytest.raises(CommandError, match="nothing changed"):
        run("change", "learner@riverside.test", "--role", "learner", "--training-year", "9")
    assert learner_rows(people)[0].end_date is None
    assert learner_rows(people)[0].training_year == 1
