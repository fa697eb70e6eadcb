"""Schedule import: all or nothing, every problem by row and column, re-imports add nothing."""

from __future__ import annotations

import datetime as dt

from trellis.audit.models import AuditEvent
from trellis.people.models import Role
from trellis.scheduling.importer import schedule_export_csv, schedule_import
from trellis.scheduling.models import Assignment, Rotation
from trellis.scheduling.tests.factories import Sched
from trellis.testing import add_member, make_user, xlsx_bytes

FACULTY = "faculty@riverside.test"
COORDINATOR = "coordinator@riverside.test"
HEADER = "learner_email,rotation,site,start_date,end_date,supervisors\n"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode()


def block(sched: Sched, n: int) -> str:
    """Block n (1-based) as 'start,end'."""
    b = sched.blocks[n - 1]
    return f"{b.start_date},{b.end_date}"


def run(sched: Sched, data: bytes, filename: str = "schedule.csv", **kw: object):  # type: ignore[no-untyped-def]
    return schedule_import(
        program=sched.people.program,
        year=sched.year,
        filename=filename,
        data=data,
        acting_user=sched.people.coordinator,
        **kw,  # type: ignore[arg-type]
    )


def free_block(sched: Sched) -> int:
    """A block (1-based) that the fixture's assignment does not use."""
    now = sched.block_now()
    return 1 if sched.blocks[0] != now else 2


def test_it_imports_a_good_file_with_supervisors(sched: Sched) -> None:
    n = free_block(sched)
    data = csv_bytes(
        f"learner@riverside.test,CARD,UH,{block(sched, n)},{FACULTY};director@riverside.test",
        f"learner2@riverside.test,General Medicine Wards,University Hospital,{block(sched, n)},",
    )
    before = Assignment.objects.count()
    result = run(sched, data)
    assert result.ok, result.problems
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert Assignment.objects.count() == before + 2
    card = Assignment.objects.get(rotation=sched.card)
    assert {s.email for s in card.supervisors.all()} == {
        "faculty@riverside.test",
        "director@riverside.test",
    }
    assert AuditEvent.objects.filter(action="assignment.create").count() == before + 2


def test_reimporting_the_same_file_adds_nothing(sched: Sched) -> None:
    n = free_block(sched)
    data = csv_bytes(f"learner@riverside.test,CARD,UH,{block(sched, n)},faculty@riverside.test")
    assert run(sched, data).created == 1
    again = run(sched, data)
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Assignment.objects.filter(rotation=sched.card).count() == 1


def test_a_row_differing_only_in_supervisors_updates_them(sched: Sched) -> None:
    n = free_block(sched)
    run(
        sched, csv_bytes(f"learner@riverside.test,CARD,UH,{block(sched, n)},faculty@riverside.test")
    )
    result = run(
        sched,
        csv_bytes(f"learner@riverside.test,CARD,UH,{block(sched, n)},committee@riverside.test"),
    )
    assert (result.created, result.updated) == (0, 1)
    card = Assignment.objects.get(rotation=sched.card)
    assert [s.email for s in card.supervisors.all()] == ["committee@riverside.test"]


def test_export_imports_back_unchanged(sched: Sched) -> None:
    n = free_block(sched)
    run(
        sched,
        csv_bytes(
            f"learner2@riverside.test,ICU,VA,{block(sched, n)},{FACULTY};committee@riverside.test"
        ),
    )
    exported = schedule_export_csv(year=sched.year)
    assert exported.splitlines()[0] == HEADER.strip()
    assert len(exported.splitlines()) == 3
    result = run(sched, exported.encode())
    assert result.ok
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)


def assert_refused(
    sched: Sched, data: bytes, *expected: tuple[int | None, str, str], filename: str = "s.csv"
) -> None:
    """Nothing written but the refusal's own audit row (which the program's home lists),
    and each expected (row, column, words) among the problems."""
    count, events = Assignment.objects.count(), AuditEvent.objects.count()
    result = run(sched, data, filename=filename)
    assert not result.ok
    assert Assignment.objects.count() == count
    assert AuditEvent.objects.count() == events + 1
    refusal = AuditEvent.objects.latest("pk")
    assert refusal.action == "import.refused"
    assert refusal.after == {
        "what": "schedule", "file": filename, "problems": len(result.problems), "written": 0
    }  # fmt: skip
    for row, column, words in expected:
        assert any(
            p.row == row and p.column == column and words in p.message for p in result.problems
        ), (row, column, words, result.problems)


def test_a_double_booking_refuses_the_whole_file(sched: Sched) -> None:
    now = sched.block_now()
    other = free_block(sched)
    data = csv_bytes(
        f"learner2@riverside.test,WARDS,UH,{block(sched, other)},",  # fine on its own
        f"learner@riverside.test,ICU,UH,{now.start_date + dt.timedelta(days=3)},{now.end_date},",
        f"learner2@riverside.test,ICU,VA,{block(sched, other)},",
    )
    assert_refused(
        sched,
        data,
        (3, "start_date", "learner@riverside.test is already on General Medicine Wards"),
        (4, "start_date", "double-booked: overlaps row 2"),
    )


def test_an_unknown_person_or_a_non_learner_is_refused(sched: Sched) -> None:
    n = free_block(sched)
    assert_refused(
        sched,
        csv_bytes(
            f"nobody@riverside.test,WARDS,UH,{block(sched, n)},",
            f"faculty@riverside.test,WARDS,UH,{block(sched, n)},",
            f"outsider@hillcrest.test,WARDS,UH,{block(sched, n)},",
        ),
        (2, "learner_email", "no person with e-mail 'nobody@riverside.test'"),
        (3, "learner_email", "is not a learner of Internal Medicine Residency"),
        (4, "learner_email", "is not a learner"),
    )


def test_a_learner_who_left_before_the_dates_is_refused(sched: Sched) -> None:
    gone = make_user("gone@riverside.test", "Gil", "Gone")
    m = add_member(
        gone, sched.people.program, Role.LEARNER, training_year=3, start=dt.date(2019, 7, 1)
    )
    m.end_date = sched.year.start_date - dt.timedelta(days=1)
    m.save()
    assert_refused(
        sched,
        csv_bytes(f"gone@riverside.test,WARDS,UH,{block(sched, 1)},"),
        (2, "learner_email", "is not a learner"),
    )


def test_an_unknown_rotation_or_site_is_refused(sched: Sched) -> None:
    n = free_block(sched)
    assert_refused(
        sched,
        csv_bytes(
            f"learner2@riverside.test,SURG,UH,{block(sched, n)},",
            f"learner2@riverside.test,WARDS,Mars Base,{block(sched, n + 1)},",
        ),
        (2, "rotation", "no rotation 'SURG'"),
        (3, "site", "no site 'Mars Base'"),
    )


def test_end_before_start_and_bad_dates_are_refused(sched: Sched) -> None:
    b = sched.blocks[free_block(sched) - 1]
    assert_refused(
        sched,
        csv_bytes(
            f"learner2@riverside.test,WARDS,UH,{b.end_date},{b.start_date},",
            "learner2@riverside.test,WARDS,UH,01/07/2026,,",
        ),
        (2, "end_date", "before it starts"),
        (3, "start_date", "'01/07/2026' is not a date"),
        (3, "end_date", "a date is required"),
    )


def test_dates_outside_the_academic_year_are_refused(sched: Sched) -> None:
    before = sched.year.start_date - dt.timedelta(days=10)
    after = sched.year.end_date + dt.timedelta(days=3)
    assert_refused(
        sched,
        csv_bytes(
            f"learner2@riverside.test,WARDS,UH,{before},{before + dt.timedelta(days=15)},",
            f"learner2@riverside.test,ICU,UH,{sched.year.end_date - dt.timedelta(days=5)},{after},",
        ),
        (2, "start_date", f"outside the academic year {sched.year.name}"),
        (3, "end_date", "outside the academic year"),
    )


def test_a_rotation_over_capacity_on_any_day_is_refused(sched: Sched) -> None:
    b = sched.blocks[free_block(sched) - 1]
    overlap_start = b.end_date - dt.timedelta(days=2)
    overlap_end = overlap_start + dt.timedelta(days=5)
    assert_refused(
        sched,
        csv_bytes(
            f"learner2@riverside.test,CARD,UH,{b.start_date},{b.end_date},",
            # Cardiology takes one learner; the learner overlaps by three days.
            f"learner@riverside.test,Cardiology,UH,{overlap_start},{overlap_end},",
        ),
        (2, "rotation", "Cardiology would have 2 learners on"),
        (3, "rotation", f"2 learners on {overlap_start}; its capacity is 1"),
    )


def test_capacity_counts_what_is_already_stored(sched: Sched) -> None:
    n = free_block(sched)
    assert run(sched, csv_bytes(f"learner2@riverside.test,CARD,UH,{block(sched, n)},")).ok
    assert_refused(
        sched,
        csv_bytes(f"learner@riverside.test,CARD,UH,{block(sched, n)},"),
        (2, "rotation", "its capacity is 1"),
    )


def test_a_supervisor_who_is_not_faculty_is_refused(sched: Sched) -> None:
    n = free_block(sched)
    assert_refused(
        sched,
        csv_bytes(f"learner2@riverside.test,WARDS,UH,{block(sched, n)},{COORDINATOR};ghost@x.test"),
        (2, "supervisors", "coordinator@riverside.test is not faculty"),
        (2, "supervisors", "no person with e-mail 'ghost@x.test'"),
    )


def test_header_problems_are_reported_on_row_1(sched: Sched) -> None:
    assert_refused(
        sched,
        csv_bytes("learner@riverside.test,WARDS", header="learner_email,rotaton\n"),
        (1, "rotaton", "unknown column 'rotaton'"),
        (1, "site", "missing column 'site'"),
        (1, "start_date", "missing column"),
    )


def test_unreadable_and_empty_files_are_refused(sched: Sched) -> None:
    assert_refused(sched, b"\xff\xfe\x00bad", (None, "", "not UTF-8"))
    assert_refused(sched, b"", (None, "", "empty"))
    assert_refused(sched, HEADER.encode(), (None, "", "no assignments"))
    assert_refused(
        sched, b"PK\x03\x04 not really", (None, "", "not a readable Excel"), filename="s.xlsx"
    )


def test_a_clinical_experience_not_yet_scheduled_becomes_a_rotation(sched: Sched) -> None:
    from trellis.curriculum.models import Activity, ActivityKind

    Activity.objects.create(
        program=sched.people.program,
        kind=ActivityKind.CLINICAL_EXPERIENCE,
        code="NEPH",
        title="Nephrology",
    )
    n = free_block(sched)
    result = run(sched, csv_bytes(f"learner2@riverside.test,NEPH,UH,{block(sched, n)},"))
    assert result.ok, result.problems
    assert Rotation.objects.filter(activity__code="NEPH").exists()


def test_dry_run_checks_and_writes_nothing(sched: Sched) -> None:
    n = free_block(sched)
    count = Assignment.objects.count()
    result = run(
        sched, csv_bytes(f"learner2@riverside.test,WARDS,UH,{block(sched, n)},"), dry_run=True
    )
    assert result.ok and result.created == 1
    assert Assignment.objects.count() == count


def test_it_imports_excel_with_real_date_cells(sched: Sched) -> None:
    b = sched.blocks[free_block(sched) - 1]
    data = xlsx_bytes(
        [
            ["learner_email", "rotation", "site", "start_date", "end_date", "supervisors"],
            [
                "learner2@riverside.test",
                "ICU",
                "VA",
                b.start_date,
                dt.datetime.combine(b.end_date, dt.time()),
                None,
            ],
            [None, None, None, None, None, None],
        ]
    )
    result = run(sched, data, filename="schedule.xlsx")
    assert result.ok, result.problems
    assert result.created == 1


def test_excel_errors_are_listed_by_row_and_nothing_is_written(sched: Sched) -> None:
    b = sched.blocks[free_block(sched) - 1]
    data = xlsx_bytes(
        [
            ["learner_email", "rotation", "site", "start_date", "end_date"],
            ["learner2@riverside.test", "ICU", "VA", b.start_date, b.end_date],
            ["learner2@riverside.test", "ICU", "VA", b.end_date, b.start_date],
            ["nobody@x.test", "ICU", "VA", b.start_date, b.end_date],
        ]
    )
    assert_refused(
        sched,
        data,
        (3, "end_date", "before it starts"),
        (4, "learner_email", "no person"),
        filename="schedule.xlsx",
    )


def test_unassigned_weeks_are_a_warning_after_import(sched: Sched) -> None:
    result = run(
        sched, csv_bytes(f"learner2@riverside.test,WARDS,UH,{block(sched, free_block(sched))},")
    )
    assert result.ok
    gaps = {g.learner.email: g for g in result.warnings}
    assert gaps["learner2@riverside.test"].weeks >= 45
