"""`trellis schedule ...`: import prints what it did or every problem (exit non-zero)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trellis.scheduling.models import AcademicYear, Assignment, Rotation, Site
from trellis.scheduling.tests.factories import Sched
from trellis.testing import People


def schedule(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("schedule", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_then_export_round_trips(sched: Sched, tmp_path: Path) -> None:
    b = sched.blocks[0] if sched.blocks[0] != sched.block_now() else sched.blocks[1]
    source = tmp_path / "in.csv"
    source.write_text(
        "learner_email,rotation,site,start_date,end_date,supervisors\n"
        f"learner2@riverside.test,CARD,VA,{b.start_date},{b.end_date},faculty@riverside.test\n"
    )
    out, _ = schedule("import", str(source), "--program", "im-residency", "--year", sched.year.name)
    assert "1 new, 0 updated, 0 unchanged" in out
    assert "warning: learner2@riverside.test has" in out
    exported = tmp_path / "out.csv"
    out, _ = schedule("export", "--program", "im-residency", "-o", str(exported))
    assert "Wrote 2 assignment(s)" in out
    out, _ = schedule("import", str(exported), "--program", "im-residency")
    assert "0 new, 0 updated, 2 unchanged" in out
    assert Assignment.objects.count() == 2


def test_import_with_problems_prints_each_and_fails(sched: Sched, tmp_path: Path) -> None:
    b = sched.blocks[0] if sched.blocks[0] != sched.block_now() else sched.blocks[1]
    source = tmp_path / "bad.csv"
    source.write_text(
        "learner_email,rotation,site,start_date,end_date\n"
        f"learner2@riverside.test,CARD,VA,{b.start_date},{b.end_date}\n"
        f"ghost@riverside.test,CARD,VA,{b.start_date},{b.end_date}\n"
        f"learner2@riverside.test,NOPE,VA,{b.start_date},{b.end_date}\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("schedule", "import", str(source), "--program", "im-residency", stderr=err)
    assert "row 3, learner_email: no person with e-mail 'ghost@riverside.test'" in err.getvalue()
    assert "row 4, rotation: no rotation 'NOPE'" in err.getvalue()
    assert Assignment.objects.count() == 1


def test_unknown_program_year_or_file_fail_clearly(sched: Sched, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No program"):
        schedule("export", "--program", "nope", "-o", "-")
    with pytest.raises(CommandError, match="No academic year named"):
        schedule("export", "--program", "im-residency", "--year", "1900", "-o", "-")
    with pytest.raises(CommandError, match="No such file"):
        schedule("import", str(tmp_path / "missing.csv"), "--program", "im-residency")


def test_set_up_commands(people: People) -> None:
    out, _ = schedule(
        "year-create",
        "--program",
        "im-residency",
        "--name",
        "2031-2032",
        "--start",
        "2031-07-01",
        "--end",
        "2032-06-30",
        "--blocks",
    )
    assert "13 blocks" in out
    assert AcademicYear.objects.get(name="2031-2032").blocks.count() == 13
    schedule(
        "site-create", "--program", "im-residency", "--code", "UH", "--name", "University Hospital"
    )
    assert Site.objects.filter(code="UH", institution=people.institution).exists()
    schedule(
        "rotation-create",
        "--program",
        "im-residency",
        "--code",
        "CARD",
        "--title",
        "Cardiology",
        "--capacity",
        "2",
    )
    assert Rotation.objects.get(activity__code="CARD").capacity == 2
    with pytest.raises(CommandError, match="already has a site"):
        schedule("site-create", "--program", "im-residency", "--code", "UH", "--name", "Again")
    with pytest.raises(CommandError, match="not a date"):
        schedule(
            "year-create",
            "--program",
            "im-residency",
            "--name",
            "x",
            "--start",
            "July",
            "--end",
            "2032-06-30",
        )
