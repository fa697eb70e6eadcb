"""The assessment importer: a mapping turns someone else's export into assessments, all of
it or none of it, through the same service as the web form."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from trellis.assessments.importer import (
    MappingError,
    assessments_import,
    mapping_load,
    mapping_parse,
    read_records,
    record_hash,
)
from trellis.assessments.models import Assessment, AssessmentSource, AssessorRole
from trellis.audit.models import AuditEvent
from trellis.frameworks.models import Adoption, Framework, Item
from trellis.lib.importing import UnreadableFile
from trellis.people.models import Membership, Role, User
from trellis.testing import People

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[3]
CBD_MAPPING = REPO / "examples" / "mappings" / "cbd-dashboard.toml"

CSV_MAPPING = {
    "form": "epa-observation-o-score",
    "id": {"field": "id"},
    "subject": {"field": "learner", "match": "email", "name_field": "learner_name"},
    "assessor": {
        "name_field": "observer",
        "role_field": "observer_role",
        "roles": {"Faculty": "faculty", "Resident": "resident", "Nurse": "nurse", "Other": "staff"},
    },
    "date": {"field": "date", "format": "%d/%m/%Y"},
    "item": {"field": "epa", "framework": "{program}-epas", "kind": "epa"},
    "rating": {"field": "score", "scale": "o-score", "values": {"N/A": "not-observed"}},
    "comments": [
        {"field": "strengths", "prompt": "went-well"},
        {"field": "next", "prompt": "next-time"},
    ],
    "context": {"fields": ["setting"]},
    "skip": [
        {"field": "status", "equals": "expired", "reason": "expired request"},
        {"field": "score", "empty": True, "reason": "no rating"},
    ],
}
HEADER = (
    "id,learner,learner_name,date,epa,score,observer,observer_role,strengths,next,setting,status"
)


def csv_file(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode()


def run(people: People, data: bytes, *, dry_run: bool = False, **changes: object):  # type: ignore[no-untyped-def]
    mapping = mapping_parse({**CSV_MAPPING, **changes})
    return assessments_import(
        program=people.program,
        mapping=mapping,
        filename="export.csv",
        data=data,
        acting_user=people.coordinator,
        dry_run=dry_run,
    )


GOOD = (
    "a1,learner@riverside.test,Lena Park,03/02/2025,1.2,4,Dr Ames,Faculty,Calm lead,Call early,ED,",
    "a2,learner2@riverside.test,Luis Alvarez,04/02/2025,3.13,N/A,Nurse Bo,Nurse,,Close loops,ICU,",
    "a3,new.person@elsewhere.test,Noor Haddad,05/02/2025,1.2,5,Dr Ames,Faculty,Superb,,ED,",
    "a4,learner@riverside.test,Lena Park,06/02/2025,1.2,,Dr Ames,Faculty,,,ED,",
    "a5,learner@riverside.test,Lena Park,07/02/2025,2.1,3,Dr Ames,Faculty,,,ED,expired",
)


def test_it_imports_the_valid_records_and_counts_the_skipped_by_reason(people: People) -> None:
    result = run(people, csv_file(*GOOD))

    assert result.ok, result.problems
    assert result.summary() == "3 assessments imported"
    assert result.skipped == {"no rating": 1, "expired request": 1}
    imported = Assessment.objects.filter(program=people.program, source=AssessmentSource.IMPORT)
    assert imported.count() == 3
    first = imported.get(external_id="a1")
    assert first.assessor is None
    assert first.assessor_name == "Dr Ames"
    assert first.assessor_role == AssessorRole.FACULTY
    assert first.context == "ED"
    assert str(first.observed_on) == "2025-02-03"
    assert {c.prompt_key: c.text for c in first.comments.all()} == {
        "went-well": "Calm lead",
        "next-time": "Call early",
    }
    rating = imported.get(external_id="a2").ratings.get()
    assert rating.not_observed and rating.level is None


def test_it_creates_unknown_codes_as_items_to_be_named_in_a_program_framework(
    people: People,
) -> None:
    result = run(people, csv_file(*GOOD))

    framework = Framework.objects.get(slug="im-residency-epas")
    assert framework.institution == people.institution
    assert Adoption.objects.filter(program=people.program, framework=framework).exists()
    items = Item.objects.filter(framework=framework).order_by("position")
    assert [(i.code, i.name, i.kind, i.needs_naming) for i in items] == [
        ("1.2", "EPA 1.2 (to be named)", "epa", True),
        ("3.13", "EPA 3.13 (to be named)", "epa", True),
    ]
    assert "  3.13" in result.lines()
    assert AuditEvent.objects.filter(action="item.create").count() == 2


def test_it_creates_an_unknown_subject_as_a_learner_without_a_password(people: People) -> None:
    result = run(people, csv_file(*GOOD))

    person = User.objects.get(email="new.person@elsewhere.test")
    assert (person.first_name, person.last_name) == ("Noor", "Haddad")
    assert not person.has_usable_password()
    membership = Membership.objects.get(person=person)
    assert (membership.program, membership.role) == (people.program, Role.LEARNER)
    assert str(membership.start_date) == "2025-02-05"
    assert result.new_subjects == [person]
    assert any("new.person@elsewhere.test" in line for line in result.lines())


def test_it_imports_nothing_the_second_time(people: People) -> None:
    run(people, csv_file(*GOOD))

    again = run(people, csv_file(*GOOD))

    assert again.summary() == "0 assessments imported"
    assert again.skipped["already imported"] == 3
    assert Assessment.objects.count() == 3


def test_it_refuses_the_whole_file_listing_every_problem_by_row(people: People) -> None:
    data = csv_file(
        GOOD[0],
        "b2,learner@riverside.test,Lena Park,2025-02-31,1.2,4,Dr Ames,Faculty,,,ED,",
        "b3,learner@riverside.test,Lena Park,03/02/2025,1.2,7,Dr Ames,Faculty,,,ED,",
        "b4,learner@riverside.test,Lena Park,03/02/2025,1.2,4,Dr Ames,Janitor,,,ED,",
        "b5,,Lena Park,03/02/2025,,4,Dr Ames,Faculty,,,ED,",
        GOOD[2],
    )

    result = run(people, data)

    assert not result.ok
    assert [str(p) for p in result.problems] == [
        "row 3, date: '2025-02-31' is not a date in the form %d/%m/%Y",
        "row 4, score: 7 is not a level of O-SCORE (1, 2, 3, 4, 5)",
        "row 5, observer_role: unknown assessor role 'Janitor' "
        "('Faculty', 'Resident', 'Nurse', 'Other')",
        "row 6, learner: no subject",
        "row 6, epa: no item code",
    ]
    assert Assessment.objects.count() == 0
    assert not User.objects.filter(email="new.person@elsewhere.test").exists()
    assert not Framework.objects.filter(slug="im-residency-epas").exists()


def test_a_refusal_by_the_service_rolls_back_what_was_already_written(people: People) -> None:
    # Only the service knows the observation is in the future; by then rows were written.
    data = csv_file(
        GOOD[0], "c2,learner@riverside.test,Lena Park,01/01/2999,1.2,4,Dr A,Faculty,,,,"
    )

    result = run(people, data)

    assert [str(p) for p in result.problems] == [
        "row 3, date: The observation cannot be in the future."
    ]
    assert result.imported == 0
    assert Assessment.objects.count() == 0
    assert not Item.objects.filter(needs_naming=True).exists()


def test_a_dry_run_checks_everything_and_writes_nothing(people: People) -> None:
    result = run(people, csv_file(*GOOD), dry_run=True)

    assert result.summary() == "3 assessments would be imported"
    assert Assessment.objects.count() == 0
    assert not User.objects.filter(email="new.person@elsewhere.test").exists()


def test_it_skips_a_record_repeated_in_the_file_and_refuses_a_reused_id(people: People) -> None:
    repeated = run(people, csv_file(GOOD[0], GOOD[0]))
    assert repeated.skipped == {"identical to an earlier record in this file": 1}
    assert repeated.imported == 1

    reused = run(people, csv_file(GOOD[1], GOOD[1].replace("3.13", "2.1")))
    assert [str(p) for p in reused.problems] == ["row 3, id: id 'a2' is also on row 2"]


def test_it_refuses_a_framework_that_is_not_the_programs_own(people: People) -> None:
    data = csv_file(GOOD[0])

    result = run(people, data, item={"field": "epa", "framework": "aamc-core-epas"})

    assert [str(p) for p in result.problems] == [
        "row 2, epa: no item '1.2' in aamc-core-epas, which is not the program's own"
    ]
    assert Assessment.objects.count() == 0


def test_without_an_id_field_a_record_is_known_by_a_stable_hash() -> None:
    record = {"a": 1, "b": True, "c": None}
    assert record_hash(record) == record_hash({"c": "", "b": "true", "a": "1"})
    assert record_hash(record, ("a",)) != record_hash(record)
    assert record_hash(record).startswith("sha256:")


def test_a_wrong_mapping_is_refused_listing_every_mistake() -> None:
    with pytest.raises(MappingError) as caught:
        mapping_load(
            filename="m.toml",
            content=b'form = ""\nfrobnicate = 1\n[subject]\nmatch = "phone"\n'
            b'[assessor.roles]\nDoc = "surgeon"\n[rating.values]\n"x" = "high"\n',
        )
    assert caught.value.problems == [
        "unknown key 'frobnicate'",
        "form (the slug of the form the assessments are recorded on) is required",
        "subject.field (the field naming the person assessed) is required",
        "subject.match must be one of email, username",
        "assessor role 'surgeon' (for 'Doc') is not one of faculty, learner, nurse, patient, "
        "peer, resident, self, staff",
        "rating.values: 'x' must map to a number or 'not-observed'",
    ]


def test_the_command_prints_the_count_and_refuses_a_bad_file(
    people: People, tmp_path: Path
) -> None:
    good = tmp_path / "export.json"
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(CSV_MAPPING))
    good.write_bytes(csv_file(*GOOD))
    csv_path = good.with_suffix(".csv")
    good.rename(csv_path)
    out = StringIO()

    call_command(
        "assessments", "import", str(csv_path), "--program", "im-residency",
        "--mapping", str(mapping), stdout=out,
    )  # fmt: skip

    text = out.getvalue()
    assert "im-residency: 3 assessments imported" in text
    assert "  1 no rating" in text and "  1 expired request" in text

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file(GOOD[0].replace("a1,", "z1,").replace("03/02/2025", "yesterday")))
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "assessments", "import", str(bad), "--program", "im-residency",
            "--mapping", str(mapping), stderr=err,
        )  # fmt: skip
    assert "row 2, date: 'yesterday' is not a date" in err.getvalue()


# The real export: 2,161 records from an emergency-medicine CBME dashboard.


def _cbd(real_data: Path) -> Path:
    path = real_data / "cbme" / "cbd-dashboard" / "em-epa-assessments-subset.json"
    if not path.is_file():
        pytest.skip(f"{path} is missing from the shared real data")
    return path


def _import(path: Path, program: str = "im-residency") -> str:
    out = StringIO()
    call_command(
        "assessments", "import", str(path), "--program", program, "--mapping", str(CBD_MAPPING),
        stdout=out,
    )  # fmt: skip
    return out.getvalue()


def test_it_imports_the_cbd_dashboard_export(people: People, real_data: Path) -> None:
    path = _cbd(real_data)
    records = json.loads(path.read_text())
    fields = mapping_load(filename=CBD_MAPPING.name, content=CBD_MAPPING.read_bytes()).hash_fields
    expired = sum(1 for r in records if r["isExpired"])
    kept = [r for r in records if not r["isExpired"] and r["rating"] != ""]
    distinct = {record_hash(r, fields) for r in kept}

    text = _import(path)

    assert f"im-residency: {len(distinct)} assessments imported" in text
    assert Assessment.objects.filter(source=AssessmentSource.IMPORT).count() == len(distinct)
    assert f"  {expired} expired request (never completed)" in text
    assert f"  {len(kept) - len(distinct)} identical to an earlier record in this file" in text
    assert f"{len(records) - len(distinct)} records skipped:" in text
    epas = Item.objects.filter(framework__slug="im-residency-epas")
    assert epas.count() == len({r["epa"] for r in kept})
    assert all(i.needs_naming for i in epas)
    assert "learner account(s) created without a password" in text
    # The observers keep their names and roles; none of them has an account.
    assessment = Assessment.objects.filter(assessor_role=AssessorRole.RESIDENT).first()
    assert assessment is not None and assessment.assessor_name.startswith("observer-")
    assert Assessment.objects.filter(assessor__isnull=False).count() == 0

    assert "im-residency: 0 assessments imported" in _import(path)
    assert Assessment.objects.count() == len(distinct)


def test_a_corrupted_cbd_export_is_refused_whole(
    people: People, real_data: Path, tmp_path: Path
) -> None:
    records = json.loads(_cbd(real_data).read_text())
    broken = next(i for i, r in enumerate(records) if i > 1000 and not r["isExpired"])
    records[broken]["observation_date"] = "2019-13-45"
    corrupted = tmp_path / "corrupted.json"
    corrupted.write_text(json.dumps(records))
    err = StringIO()

    with pytest.raises(CommandError, match="Nothing imported: 1 problem"):
        call_command(
            "assessments", "import", str(corrupted), "--program", "im-residency",
            "--mapping", str(CBD_MAPPING), stderr=err,
        )  # fmt: skip

    assert err.getvalue().strip() == (
        f"record {broken + 1}, observation_date: '2019-13-45' is not a date in the form %Y-%m-%d"
    )
    assert Assessment.objects.count() == 0
    assert not User.objects.filter(email__endswith="@imported.invalid").exists()


def test_a_mapping_or_records_nested_too_deep_are_refused() -> None:
    with pytest.raises(MappingError, match="deeper than 64"):
        mapping_load(filename="m.json", content=b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(MappingError, match="deeper than 64"):
        mapping_load(filename="m.toml", content=b"a = " + b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(UnreadableFile, match="deeper than 64"):
        read_records(filename="r.json", data=b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(UnreadableFile, match="NUL"):
        read_records(filename="r.json", data=b'[{"a": "\\u0000"}]')


def test_a_record_dated_outside_the_plausible_range_is_refused(people: People) -> None:
    # The learner's heat map walked ~8,100 quarters back to year 1 (issue 16).
    data = csv_file("c1,learner@riverside.test,Lena Park,01/01/0001,1.2,4,Dr Ames,Faculty,,,ED,")

    result = run(people, data)

    assert [str(p) for p in result.problems] == [
        "row 2, date: The observation date 0001-01-01 is before 1990-01-01."
    ]
    assert Assessment.objects.count() == 0
