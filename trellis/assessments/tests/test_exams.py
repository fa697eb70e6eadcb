"""Exam scores: the all-or-nothing CSV import, its errors by row, re-imports, the link to
Medical Knowledge items, the command and the upload page."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from trellis.assessments.exams import ExamImportResult, exam_scores_import
from trellis.assessments.models import Exam, ExamScore
from trellis.frameworks.models import Framework
from trellis.frameworks.services import framework_adopt
from trellis.testing import People

GOOD = (
    "learner_email,exam,date,score,percentile,max_score\n"
    "learner@riverside.test,ITE 2026,2026-10-14,512,64,800\n"
    "LEARNER2@riverside.test,ITE 2026,2026-10-14,498.5,,800\n"
)


def imp(people: People, text: str, *, dry_run: bool = False) -> ExamImportResult:
    return exam_scores_import(
        program=people.program,
        data=text.encode(),
        acting_user=people.coordinator,
        dry_run=dry_run,
    )


def test_it_imports_scores_and_links_the_exam_to_medical_knowledge(people: People) -> None:
    milestones = Framework.objects.get(slug="im-milestones-2")
    framework_adopt(program=people.program, framework=milestones, acting_user=None)
    result = imp(people, GOOD)
    assert result.ok and result.created == 2 and result.exams_created == 1
    exam = Exam.objects.get(program=people.program, name="ITE 2026")
    assert exam.max_score == Decimal("800")
    assert sorted(i.code for i in exam.items.all()) == ["MK1", "MK2", "MK3"]
    score = ExamScore.objects.get(exam=exam, learner=people.learner)
    assert (score.score, score.percentile) == (Decimal("512"), 64)


def test_the_same_file_twice_imports_nothing_new(people: People) -> None:
    imp(people, GOOD)
    again = imp(people, GOOD)
    assert again.ok and again.created == 0 and again.unchanged == 2
    assert ExamScore.objects.count() == 2


def test_a_different_score_for_an_imported_one_is_refused(people: People) -> None:
    imp(people, GOOD)
    result = imp(people, GOOD.replace(",512,", ",600,"))
    assert not result.ok
    (problem,) = result.problems
    assert problem.row == 2 and "already has 512" in problem.message
    assert ExamScore.objects.get(learner=people.learner).score == Decimal("512")


def test_a_bad_file_is_refused_whole_with_every_problem_by_row(people: People) -> None:
    bad = (
        "learner_email,exam,date,score,percentile\n"
        "learner@riverside.test,ITE 2026,2026-10-14,512,64\n"
        "nobody@riverside.test,ITE 2026,2026-10-14,500,\n"
        "learner2@riverside.test,ITE 2026,14/10/2026,500,\n"
        "learner2@riverside.test,ITE 2026,2026-10-14,lots,\n"
        "learner2@riverside.test,ITE 2026,2026-10-14,400,101\n"
        "learner@riverside.test,ite 2026,2026-10-14,512,64\n"
        "outsider@hillcrest.test,ITE 2026,2026-10-14,500,\n"
    )
    result = imp(people, bad)
    found = {(p.row, p.column) for p in result.problems}
    assert found == {
        (3, "learner_email"),
        (4, "date"),
        (5, "score"),
        (6, "percentile"),
        (7, ""),
        (8, "learner_email"),
    }
    assert "duplicate of row 2" in next(p.message for p in result.problems if p.row == 7)
    assert not Exam.objects.exists() and not ExamScore.objects.exists()


def test_a_file_without_the_columns_is_refused(people: People) -> None:
    result = imp(people, "email,score\nlearner@riverside.test,1\n")
    assert [str(p) for p in result.problems] == [
        "row 1: missing column(s): learner_email, exam, date"
    ]


def test_a_score_above_the_maximum_is_refused(people: People) -> None:
    result = imp(
        people,
        "learner_email,exam,date,score,max_score\nlearner@riverside.test,Quiz,2026-01-05,11,10\n",
    )
    assert [p.column for p in result.problems] == ["score"]


def test_numbers_and_dates_outside_the_columns_range_are_refused(people: People) -> None:
    # 1E+999999999 was stored as Infinity on SQLite and broke the exams page (issue 16).
    head = "learner_email,exam,date,score,max_score\n"
    result = imp(
        people,
        head
        + "learner@riverside.test,A,2026-01-05,1,1E+999999999\n"
        + "learner@riverside.test,B,2026-01-05,NaN,\n"
        + "learner@riverside.test,C,2026-01-05,1.005,\n"
        + "learner@riverside.test,D,0001-01-01,1,\n"
        + "learner@riverside.test,E,9999-01-01,1,\n",
    )
    assert {(p.row, p.column) for p in result.problems} == {
        (2, "max_score"),
        (3, "score"),
        (4, "score"),
        (5, "date"),
        (6, "date"),
    }
    assert "before 1990-01-01" in str(result.problems[3])
    assert not Exam.objects.exists()


def test_a_nul_or_an_overlong_field_is_refused_not_a_server_error(people: People) -> None:
    nul = imp(people, GOOD.replace("ITE 2026", "ITE\x002026", 1))
    assert [str(p) for p in nul.problems] == [
        "The file is not plain text: it holds a NUL character (character 78); save it as CSV UTF-8"
    ]
    long = imp(people, GOOD.replace("ITE 2026", "x" * 140_000, 1))
    assert [str(p) for p in long.problems] == [
        "The file is not importable: a cell longer than 32767 characters"
    ]


def test_a_dry_run_writes_nothing(people: People) -> None:
    result = imp(people, GOOD, dry_run=True)
    assert result.ok and result.created == 2
    assert not ExamScore.objects.exists()


def test_the_command_imports_and_refuses(people: People, tmp_path: Path) -> None:
    good = tmp_path / "scores.csv"
    good.write_text(GOOD)
    out = StringIO()
    call_command("exams", "import", str(good), "--program", "im-residency", stdout=out)
    assert "imported 2 score(s); 0 unchanged; 1 new exam(s)" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD.replace("2026-10-14,512", "2026-13-14,512"))
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("exams", "import", str(bad), "--program", "im-residency", stderr=err)
    assert "row 2, date" in err.getvalue()


def u(name: str) -> str:
    return reverse(f"assessments-program:{name}", args=["im-residency"])


def test_the_pages_refuse_the_anonymous_the_unentitled_and_outsiders(
    client: Client, people: People
) -> None:
    for url, method in ((u("exams"), "get"), (u("exam-import"), "get")):
        call = getattr(client, method)
        client.logout()
        assert call(url).status_code == 302
        client.force_login(people.faculty)
        assert call(url).status_code == 403
        client.force_login(people.outsider)
        assert call(url).status_code == 404
        client.force_login(people.coordinator)
        assert call(url).status_code == 200
        assert client.put(url).status_code == 405


def test_a_coordinator_uploads_scores_and_sees_problems_by_row(
    client: Client, people: People
) -> None:
    client.force_login(people.coordinator)
    bad = SimpleUploadedFile("s.csv", GOOD.replace("512", "five hundred").encode(), "text/csv")
    body = client.post(u("exam-import"), {"file": bad}).content.decode()
    assert "1 problem in the file: nothing was imported" in body and "row 2" in body
    good = SimpleUploadedFile("s.csv", GOOD.encode(), "text/csv")
    body = client.post(u("exam-import"), {"file": good}).content.decode()
    assert "2 new scores in 1 new exam" in body
    assert "ITE 2026" in client.get(u("exams")).content.decode()
