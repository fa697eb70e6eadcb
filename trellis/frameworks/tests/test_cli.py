from __future__ import annotations

import argparse
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trellis.frameworks.management.commands.frameworks import Command
from trellis.frameworks.models import Adoption, Crosswalk, Framework
from trellis.frameworks.services import framework_adopt
from trellis.frameworks.tests.web_factories import make_framework, make_next_version
from trellis.people.models import Institution
from trellis.testing import People

CSV = (
    "kind,code,name,statement,parent,level_1,level_2\n"
    "framework,cli-test,CLI Test,,,,\n"
    "domain,D,Domain one,,,,\n"
    "subcompetency,D1,First,The first one,D,Starts,Grows\n"
    "subcompetency,D2,Second,,D,,\n"
)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("frameworks", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "cli-test.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_it_imports_a_file_and_says_what_it_made(csv_file: Path) -> None:
    Institution.objects.create(slug="riverside", name="Riverside")

    out, _err = run("import", str(csv_file), "--institution", "riverside")

    assert out == "Imported cli-test: 3 items, 3 associations, 2 level descriptors\n"
    framework = Framework.objects.get(slug="cli-test")
    assert framework.institution is not None and framework.institution.slug == "riverside"


@pytest.mark.django_db
def test_it_prints_every_problem_of_a_refused_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("kind,name,parent\nframework,Bad,\ndomain,,\nitem,Orphan,NOPE\n")
    err = StringIO()

    with pytest.raises(CommandError, match="bad.csv refused: 2 problems, nothing imported"):
        call_command("frameworks", "import", str(path), stdout=StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 3, field 'name': required",
        "line 4, field 'parent': no item with code 'NOPE'",
    ]
    assert not Framework.objects.filter(title="Bad").exists()


@pytest.mark.django_db
def test_it_refuses_an_unknown_institution(csv_file: Path) -> None:
    with pytest.raises(CommandError, match="no institution 'nowhere'"):
        run("import", str(csv_file), "--institution", "nowhere")


@pytest.mark.django_db
def test_it_lists_frameworks_one_per_line(csv_file: Path) -> None:
    run("import", str(csv_file))

    out, _err = run("list")

    assert "cli-test\tCLI Test" in out.splitlines()


@pytest.mark.django_db
def test_it_shows_the_tree(csv_file: Path) -> None:
    run("import", str(csv_file))

    out, _err = run("show", "cli-test")

    assert out.splitlines() == [
        "CLI Test (cli-test)",
        "  D Domain one [Domain]",
        "    D1 First [Subcompetency]",
        "    D2 Second [Subcompetency]",
    ]


@pytest.mark.django_db
def test_it_exports_to_a_file_and_to_stdout(csv_file: Path, tmp_path: Path) -> None:
    run("import", str(csv_file))
    target = tmp_path / "out.json"

    run("export", "cli-test", "-o", str(target))
    out, _err = run("export", "cli-test", "--format", "case", "-o", "-")

    assert json.loads(target.read_text())["CFDocument"]["title"] == "CLI Test"
    assert out == target.read_text(encoding="utf-8")
    csv_out, _err = run("export", "cli-test", "--format", "csv")
    assert csv_out.splitlines()[2].startswith("domain,D,Domain one,")


@pytest.mark.django_db
def test_it_refuses_an_unknown_framework() -> None:
    with pytest.raises(CommandError, match="no framework 'nope'"):
        run("show", "nope")
    with pytest.raises(CommandError, match="--format"):
        run("export", "nope-either", "-o", "out.txt")


def test_it_explains_itself_with_help() -> None:
    parser = Command().create_parser("trellis", "frameworks")
    text = parser.format_help()
    for action in ("list", "import", "export", "show"):
        assert action in text
    [subparsers] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    import_help = subparsers.choices["import"].format_help()
    assert "--institution SLUG" in import_help and "--format {csv,case,medbiq}" in import_help


@pytest.mark.django_db
def test_it_proposes_reviews_and_applies_a_crosswalk(people: People) -> None:
    v1 = make_framework()
    v2 = make_next_version(institution=people.institution)
    framework_adopt(program=people.program, framework=v1.framework, acting_user=None)
    out, _ = run(
        "crosswalk", "propose", v1.framework.slug, v2.framework.slug, "--institution", "riverside"
    )
    crosswalk = Crosswalk.objects.get()
    assert out.splitlines()[0] == f"Crosswalk {crosswalk.pk}: {crosswalk}"
    assert "Renamed           PROF1                   -> PROF3" in out
    assert "Retired           EPA1                    -> -" in out
    with pytest.raises(CommandError, match="Review the crosswalk"):
        run("crosswalk", "apply", str(crosswalk.pk), "--program", people.program.slug)
    run("crosswalk", "reviewed", str(crosswalk.pk))
    out, _ = run("crosswalk", "apply", str(crosswalk.pk), "--program", people.program.slug)
    assert out.strip() == f"{people.program.name} now uses {v2.framework}"
    assert Adoption.objects.current().get(program=people.program).framework == v2.framework
    with pytest.raises(CommandError, match="no crosswalk 999"):
        run("crosswalk", "show", "999")
