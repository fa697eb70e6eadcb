from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from trellis.committees.acgme import DEFAULT_COLUMNS, acgme_csv
from trellis.committees.models import CommitteeLevel, ReviewCycle
from trellis.committees.rules import CommitteeError
from trellis.committees.services import committee_level_record
from trellis.committees.tests.factories import Committee, L, decide_all_and_sign, make_committee
from trellis.people.accreditation import accreditation_ids_record
from trellis.people.models import Membership
from trellis.testing import People


def identify(people: People) -> None:
    """The ADS program number and both residents' ACGME IDs, which the upload needs."""
    lena, luis = (
        Membership.objects.get(person=p, program=people.program)
        for p in (people.learner, people.learner2)
    )
    accreditation_ids_record(
        program=people.program,
        ads_number="1409921001",
        acgme={lena.pk: "2611223", luis.pk: "2611224"},
        acting_user=people.coordinator,
    )


def crafted(people: People, *, identified: bool = True) -> Committee:
    if identified:
        identify(people)
    c = make_committee(people)
    committee_level_record(
        review=c.review, item=c.pc1, level=L("2.5"), acting_user=people.committee
    )
    committee_level_record(
        review=c.review,
        item=c.pc2,
        level=None,
        not_yet_assessable=True,
        acting_user=people.committee,
    )
    committee_level_record(review=c.review2, item=c.pc1, level=L("3"), acting_user=people.committee)
    # A developmental item's level, written around the service: it must not be exported.
    CommitteeLevel.objects.create(
        review=c.review, item=c.cem_item, level=L("2"), recorded_by=people.committee
    )
    decide_all_and_sign(c)
    return c


def test_it_writes_one_row_per_learner_and_subcompetency(people: People) -> None:
    c = crafted(people)
    rows = list(csv.reader(io.StringIO(acgme_csv(cycle=c.cycle))))
    assert rows[0] == DEFAULT_COLUMNS
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [
        (r["last_name"], r["milestone_code"], r["level"], r["not_yet_assessable"]) for r in body
    ] == [
        ("Alvarez", "PC1", "3.0", "N"),
        ("Park", "PC1", "2.5", "N"),
        ("Park", "PC2", "", "Y"),
    ]
    park = body[1]
    assert park["program_id"] == "1409921001" and park["resident_id"] == "2611223"
    assert park["pgy"] == "1"
    assert park["email"] == "learner@riverside.test" and park["review_period"] == "2026 Spring"
    assert c.cem_item.code not in {r["milestone_code"] for r in body} or all(
        r["framework"] != c.cem_item.framework.title for r in body
    )


def test_it_is_refused_naming_what_ads_needs_and_who_lacks_an_id(people: People) -> None:
    c = crafted(people, identified=False)
    with pytest.raises(CommitteeError) as refused:
        acgme_csv(cycle=c.cycle)
    assert str(refused.value) == (
        "The ACGME upload needs the program's ADS program number and an ACGME ID for "
        "Luis Alvarez, Lena Park"
    )
    identify(people)
    Membership.objects.filter(person=people.learner2).update(acgme_id="")
    cycle = ReviewCycle.objects.get(pk=c.cycle.pk)
    with pytest.raises(CommitteeError, match="^The ACGME upload needs an ACGME ID for Luis"):
        acgme_csv(cycle=cycle)
    identify(people)
    assert len(acgme_csv(cycle=cycle).splitlines()) == 4


def test_a_learner_with_no_level_to_export_needs_no_id(people: People) -> None:
    identify(people)
    Membership.objects.filter(person=people.learner2).update(acgme_id="")
    c = make_committee(people)
    committee_level_record(review=c.review, item=c.pc1, level=L("3"), acting_user=people.committee)
    decide_all_and_sign(c)
    rows = list(csv.reader(io.StringIO(acgme_csv(cycle=c.cycle))))
    assert [row[rows[0].index("last_name")] for row in rows[1:]] == ["Park"]


def test_the_cli_says_what_ads_needs(people: People, tmp_path: Path) -> None:
    crafted(people, identified=False)
    with pytest.raises(CommandError, match="ADS program number"):
        call_command("committee", "export", "--program", "im-residency", "--format", "acgme-csv")


def test_it_exports_only_a_signed_off_cycle(people: People) -> None:
    c = make_committee(people)
    with pytest.raises(CommitteeError, match="not signed off"):
        acgme_csv(cycle=c.cycle)


@override_settings(TRELLIS_ACGME_CSV_COLUMNS=["email", "milestone_code", "level"])
def test_it_takes_the_columns_from_settings(people: People) -> None:
    c = crafted(people)
    rows = list(csv.reader(io.StringIO(acgme_csv(cycle=c.cycle))))
    assert rows[0] == ["email", "milestone_code", "level"]
    assert rows[1] == ["learner2@riverside.test", "PC1", "3.0"]


def test_the_cli_writes_the_latest_signed_off_cycle(people: People, tmp_path: Path) -> None:
    crafted(people)
    out = tmp_path / "milestones.csv"
    call_command(
        "committee", "export", "--program", "im-residency", "--format", "acgme-csv", "-o", str(out)
    )
    text = out.read_text()
    assert text.splitlines()[0].startswith("program_id,")
    assert len(text.splitlines()) == 4


def test_the_cli_says_when_there_is_nothing_to_export(people: People, tmp_path: Path) -> None:
    make_committee(people)
    with pytest.raises(CommandError, match="no signed-off"):
        call_command(
            "committee",
            "export",
            "--program",
            "im-residency",
            "--format",
            "acgme-csv",
            "-o",
            str(tmp_path / "x.csv"),
        )
    with pytest.raises(CommandError, match="No program"):
        call_command("committee", "export", "--program", "nope", "--format", "acgme-csv")


def test_it_neutralises_a_learner_name_that_is_a_formula(people: People) -> None:
    # Issue 16: a learner named as a formula was written verbatim and ran in Excel.
    people.learner.first_name = "=cmd|' /C calc'!A0"
    people.learner.save()
    c = crafted(people)
    rows = list(csv.reader(io.StringIO(acgme_csv(cycle=c.cycle))))
    firsts = {row[rows[0].index("first_name")] for row in rows[1:]}
    assert "'=cmd|' /C calc'!A0" in firsts
    assert not any(cell.startswith("=") for row in rows for cell in row)
