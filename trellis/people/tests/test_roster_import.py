"""Roster import (CSV and xlsx) through the page, the service and `trellis people import`:
all-or-nothing, every problem by row, a second import of the same file changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.people.importer import roster_import
from trellis.people.models import Membership, Role, User
from trellis.testing import People, xlsx_bytes

GOOD = (
    "email,first_name,last_name,role,training_year,start_date\n"
    "nadia.roy@riverside.test,Nadia,Roy,learner,1,2026-07-01\n"
    "Omar.Haddad@Riverside.test,Omar,Haddad,Program director,,2026-07-01\n"
    "faculty@riverside.test,,,committee,,2026-07-01\n"
    "learner@riverside.test,Lena,Park,learner,2,2020-07-01\n"
    "learner2@riverside.test,Luis,Alvarez,learner,2,2020-07-01\n"
)


def run(people: People, data: bytes, filename: str = "roster.csv", **kw: bool):  # type: ignore[no-untyped-def]
    return roster_import(
        program=people.program, filename=filename, data=data, acting_user=people.coordinator, **kw
    )


def test_a_good_file_adds_and_changes_then_a_second_import_changes_nothing(
    people: People,
) -> None:
    result = run(people, GOOD.encode())
    assert result.ok, result.problems
    # two new people, faculty made committee; Lena moves from year 1 to 2; Luis unchanged
    assert (result.added, result.changed, result.unchanged) == (3, 1, 1)
    assert result.summary() == "3 added, 1 changed, 1 unchanged"
    nadia = Membership.objects.get(person__email="nadia.roy@riverside.test")
    assert (nadia.role, nadia.training_year, nadia.start_date) == (
        "learner",
        1,
        dt.date(2026, 7, 1),
    )
    assert Membership.objects.filter(
        person__email="omar.haddad@riverside.test", role=Role.DIRECTOR
    ).exists()
    assert Membership.objects.get(person=people.learner, program=people.program).training_year == 2
    assert User.objects.get(pk=people.faculty.pk).first_name == "Farah"
    assert AuditEvent.objects.filter(action="membership.add", actor=people.coordinator).count() == 3
    assert AuditEvent.objects.filter(action="membership.training_year").count() == 1

    rows, events = Membership.objects.count(), AuditEvent.objects.count()
    again = run(people, GOOD.encode())
    assert again.summary() == "0 added, 0 changed, 5 unchanged"
    # Only the import's own record (the program's home reads it) is new
    assert (Membership.objects.count(), AuditEvent.objects.count()) == (rows, events + 1)
    assert AuditEvent.objects.latest("pk").action == "import.done"


def test_an_excel_file_with_real_date_and_number_cells_imports(people: People) -> None:
    data = xlsx_bytes(
        [
            ["Email", "First_Name", "Last_Name", "Role", "Training_Year", "Start_Date"],
            ["nadia.roy@riverside.test", "Nadia", "Roy", "learner", 3, dt.datetime(2026, 7, 1)],
            [None, None, None, None, None, None],
            ["new.faculty@riverside.test", "Nia", "Okoro", "Faculty", None, dt.date(2026, 7, 1)],
        ]
    )
    result = run(people, data, filename="roster.xlsx")
    assert result.ok, result.problems
    assert result.summary() == "2 added, 0 changed, 0 unchanged"
    assert Membership.objects.get(person__email="nadia.roy@riverside.test").training_year == 3
    assert run(people, data, filename="roster.xlsx").summary() == "0 added, 0 changed, 2 unchanged"


BAD = (
    "email,first_name,last_name,role,training_year,start_date\n"
    "nadia.roy@riverside.test,Nadia,Roy,learner,1,2026-07-01\n"
    "not-an-email,A,B,learner,1,2026-07-01\n"
    "c@riverside.test,C,D,learner,7,2026-07-01\n"
    "e@riverside.test,E,F,surgeon,,2026-13-01\n"
    "g@riverside.test,,,faculty,,2026-07-01\n"
    "nadia.roy@riverside.test,Nadia,Roy,learner,1,2026-07-01\n"
    "h@riverside.test,H,I,faculty,2,2026-07-01\n"
)


def test_a_bad_file_lists_every_problem_by_row_and_writes_nothing(people: People) -> None:
    users, rows, events = (
        User.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )
    result = run(people, BAD.encode())
    assert not result.ok
    found = {(p.row, p.column) for p in result.problems}
    assert found == {
        (3, "email"),
        (4, "training_year"),
        (5, "role"),
        (5, "start_date"),
        (6, "first_name"),
        (7, "email"),
        (8, "training_year"),
    }
    assert (
        "nadia.roy@riverside.test is learner on row 2 too" in [str(p) for p in result.problems][5]
    )
    assert (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == (
        users,
        rows,
        events + 1,  # the refusal, listed on the program's home
    )


def test_header_and_shape_problems(people: People) -> None:
    missing = run(people, b"email,name,role\nx@y.test,X,learner\n")
    assert {(p.row, p.column) for p in missing.problems} == {(1, "start_date"), (1, "name")}
    assert "empty" in str(run(people, b"").problems[0])
    assert "no people" in str(run(people, b"email,role,start_date\n").problems[0])
    assert "not a readable Excel" in str(
        run(people, b"PK\x03\x04 no", filename="r.xlsx").problems[0]
    )


def test_a_file_past_the_row_limit_is_refused(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("trellis.people.importer.MAX_ROWS", 2)
    data = GOOD.encode()
    result = run(people, data)
    assert "longer than 2 rows" in str(result.problems[0])
    assert not User.objects.filter(email="nadia.roy@riverside.test").exists()


def test_dry_run_counts_and_writes_nothing(people: People) -> None:
    result = run(people, GOOD.encode(), dry_run=True)
    assert result.summary() == "Would be: 3 added, 1 changed, 1 unchanged"
    assert not User.objects.filter(email="nadia.roy@riverside.test").exists()


def test_the_page_imports_and_refuses_with_400(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    page = reverse("people:import", args=["im-residency"])
    bad = client.post(page, {"file": SimpleUploadedFile("r.csv", BAD.encode())})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "7 problems in the file: nothing was imported" in body
    assert "row 4" in body and "must be between 1 and 3" in body
    assert not User.objects.filter(email="nadia.roy@riverside.test").exists()
    # A coordinator makes no program director, by file no more than by form.
    refused = client.post(page, {"file": SimpleUploadedFile("r.csv", GOOD.encode())})
    assert refused.status_code == 400
    assert "you may not make anyone program director" in refused.content.decode()
    assert not User.objects.filter(email="nadia.roy@riverside.test").exists()
    client.force_login(people.director)
    good = client.post(page, {"file": SimpleUploadedFile("r.csv", GOOD.encode())})
    assert good.status_code == 200
    assert "3 added, 1 changed, 1 unchanged" in good.content.decode()
    again = client.post(page, {"file": SimpleUploadedFile("r.csv", GOOD.encode())})
    assert "0 added, 0 changed, 5 unchanged" in again.content.decode()


def test_the_command_imports_and_refuses(people: People, tmp_path: Path) -> None:
    source = tmp_path / "roster.csv"
    source.write_text(GOOD)
    out = io.StringIO()
    call_command("people", "import", str(source), "--program", "im-residency", stdout=out)
    assert "im-residency: 3 added, 1 changed, 1 unchanged" in out.getvalue()
    out = io.StringIO()
    call_command("people", "import", str(source), "--program", "im-residency", stdout=out)
    assert "0 added, 0 changed, 5 unchanged" in out.getvalue()

    source.write_text(BAD)
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("people", "import", str(source), "--program", "im-residency", stderr=err)
    assert "row 3, email: 'not-an-email' is not an e-mail address" in err.getvalue()
    with pytest.raises(CommandError, match="No program"):
        call_command("people", "import", str(source), "--program", "nope")


def test_invite_mails_only_the_people_the_file_creates(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = run(people, GOOD.encode(), invite=True)
    assert result.ok
    assert sorted(m.to[0] for m in mail.outbox) == [
        "nadia.roy@riverside.test",
        "omar.haddad@riverside.test",
    ]
    assert all("/accounts/reset/" in m.body for m in mail.outbox)
