"""`trellis programs list`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from trellis.people.models import ProgramKind
from trellis.people.services import institution_create, program_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def programs() -> None:
    riverside = institution_create(slug="riverside", name="Riverside", acting_user=None)
    hillcrest = institution_create(slug="hillcrest", name="Hillcrest", acting_user=None)
    for inst, slug, name in [
        (riverside, "im-residency", "Internal Medicine Residency"),
        (riverside, "faculty-development", "Faculty Development"),
        (hillcrest, "hc-surgery", "Hillcrest General Surgery"),
    ]:
        program_create(
            institution=inst, slug=slug, name=name, kind=ProgramKind.RESIDENCY, acting_user=None
        )


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("programs", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_lists_one_program_a_line_slug_first(programs: None) -> None:
    out, _ = run("list")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [
        "faculty-development",
        "hc-surgery",
        "im-residency",
    ]
    assert lines[2].endswith("  Internal Medicine Residency")


def test_it_filters_by_institution(programs: None) -> None:
    out, _ = run("list", "--institution", "hillcrest")
    assert out.splitlines() == ["hc-surgery  Hillcrest General Surgery"]
    with pytest.raises(CommandError, match="No institution"):
        run("list", "--institution", "nowhere")


def test_it_says_so_when_there_are_none() -> None:
    out, err = run("list")
    assert out == ""
    assert "No programs" in err


def test_it_explains_itself() -> None:
    with pytest.raises(SystemExit):
        call_command("programs", "--help", stdout=StringIO())
