from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from trellis.curriculum.tests.factories import CraftedMap
from trellis.testing import People


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("curriculum", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_gap_report(crafted: CraftedMap, people: People) -> None:
    out, _ = run("gaps", "--program", "im-residency", "--framework", crafted.framework.slug)
    assert "Taught but never assessed (3):" in out
    assert "Not mapped at all (1):\n  PROF1" in out


def test_it_reports_every_adopted_framework_by_default(crafted: CraftedMap, people: People):
    out, _ = run("gaps", "--program", "faculty-development")
    assert "Test educator-test" in out


def test_it_refuses_unknown_programs_and_frameworks(crafted: CraftedMap) -> None:
    with pytest.raises(CommandError, match="No program"):
        run("gaps", "--program", "nope")
    with pytest.raises(CommandError, match="has not adopted"):
        run("gaps", "--program", "im-residency", "--framework", "educator-test")


def test_it_exports_the_curriculum_inventory(
    crafted: CraftedMap, tmp_path: Path, real_data: Path
) -> None:
    target = tmp_path / "ci.xml"
    _, err = run(
        "export-ci",
        "--program",
        "im-residency",
        "-o",
        str(target),
        "--start",
        "2025-07-01",
        "--end",
        "2026-06-30",
        "--validate",
        str(real_data / "medbiq"),
    )
    assert "Wrote" in err
    xml = target.read_bytes()
    assert b"<ReportingStartDate>2025-07-01</ReportingStartDate>" in xml


def test_it_writes_to_stdout_and_explains_an_empty_map(people: People, crafted: CraftedMap):
    out, _ = run("export-ci", "--program", "im-residency", "-o", "-")
    assert out.startswith("<?xml")
    with pytest.raises(CommandError, match="no activities"):
        run("export-ci", "--program", "hc-surgery", "-o", "-")
    with pytest.raises(CommandError, match="Not a date"):
        run("export-ci", "--program", "im-residency", "-o", "-", "--start", "July")
