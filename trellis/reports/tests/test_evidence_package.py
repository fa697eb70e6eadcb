"""The accreditation evidence package (issue 14): for each competency item where it is
taught, how it is assessed, what learners reached and the decisions that rest on it, with
the APE tables; as a page, a workbook, a PDF and `trellis reports evidence`."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from trellis.assessments.models import Assessment, Request, RequestOrigin, RequestStatus
from trellis.committees.services import committee_level_record, entrustment_record
from trellis.committees.tests.factories import L, decide_all_and_sign, make_committee
from trellis.curriculum.models import AssessmentMethod
from trellis.curriculum.services import mapping_set_cell
from trellis.curriculum.tests.factories import make_activity
from trellis.frameworks.models import Item
from trellis.records.tests.factories import Record, make_record, rate, version_of
from trellis.reports.accreditation import evidence_package
from trellis.reports.accreditation_files import evidence_html, evidence_workbook
from trellis.scheduling.services import assignment_create
from trellis.scheduling.tests.factories import make_schedule
from trellis.testing import People

TODAY = dt.date.today()
PAGE = reverse("reports:evidence", args=["im-residency"])


@pytest.fixture
def rec(people: People) -> Record:
    return build(people)


def build(people: People) -> Record:
    """A record with a signed-off cycle (PC1 decided for both learners) and PC1 taught on
    one activity and assessed on another."""
    rec = make_record(people)  # PC1: 3 ratings of Lena's and 2 of Luis's within 200 days
    c = make_committee(people)
    committee_level_record(
        review=c.review, item=c.pc1, level=L("2.5"), acting_user=people.committee
    )
    committee_level_record(review=c.review2, item=c.pc1, level=L("3"), acting_user=people.committee)
    entrustment_record(review=c.review, item=c.epa1, level=L("3"), acting_user=people.committee)
    decide_all_and_sign(c)
    ward = make_activity(people.program, "WARD")
    mapping_set_cell(activity=ward, item=rec.pc1, emphases="IR", acting_user=None)
    clinic = make_activity(people.program, "CLINIC")
    mapping_set_cell(
        activity=clinic,
        item=rec.pc1,
        emphases="A",
        assessment_method=AssessmentMethod.DIRECT_OBSERVATION,
        acting_user=None,
    )
    return rec


def test_each_item_says_where_it_is_taught_assessed_reached_and_decided(rec: Record) -> None:
    people = rec.people
    pkg = evidence_package(program=people.program, start=TODAY - dt.timedelta(days=364), end=TODAY)
    pc1 = next(r for r in pkg.rows if r.item.pk == rec.pc1.pk)
    assert pc1.taught == "Activity CLINIC (A); Activity WARD (IR)"
    assert pc1.methods == "Direct observation"
    # Submitted, not anonymous: the draft and the teaching evaluation do not count.
    assert pc1.observations == 5 and pc1.raters == 1
    assert pc1.assessed_by == "End-of-rotation milestone evaluation (5)"
    assert pc1.roles == [("faculty", 4), ("nurse", 1)]
    assert pc1.reached_text == "Year 1: median 2.5 (n=1); Year 2: median 3 (n=1)"
    assert pc1.decided == "Advance: 2" and pc1.decisions == 2
    assert pkg.cycle is not None and pkg.cycle.name == "2026 Spring"
    # An EPA's reached levels are the committee's entrustment decisions.
    epa1 = next(r for r in pkg.rows if r.item.pk == rec.epa1.pk)
    assert epa1.reached_text == "Year 1: median 3 (n=1)" and epa1.decided == "Advance: 1"
    # The developmental framework never appears; every row links to its item.
    assert {r.item.framework.slug for r in pkg.rows} == {"im-milestones-2", "aamc-core-epas"}
    assert pc1.link == reverse(
        "framework-item", kwargs={"slug": "im-milestones-2", "identifier": rec.pc1.identifier}
    )


def test_the_period_decides_which_observations_count(rec: Record) -> None:
    people = rec.people
    recent = evidence_package(
        program=people.program, start=TODAY - dt.timedelta(days=100), end=TODAY
    )
    assert next(r for r in recent.rows if r.item.pk == rec.pc1.pk).observations == 2
    assert rec.pc2.pk in {r.item.pk for r in recent.unassessed}


def test_rotation_evaluations_show_a_mean_only_from_three_responses(rec: Record) -> None:
    people = rec.people
    sched = make_schedule(people)
    clinic = assignment_create(
        program=people.program,
        year=sched.year,
        learner=people.learner2,
        rotation=sched.card,
        site=sched.uh,
        start_date=sched.first.start_date,
        end_date=sched.first.end_date,
        supervisors=[people.faculty],
        acting_user=people.coordinator,
    )
    version = version_of("rotation-evaluation")
    adm3 = Item.objects.get(framework__slug="clinician-educator-milestones", code="ADM3")
    for assignment, levels in ((sched.first, ["3", "4", "5"]), (clinic, ["1", "2"])):
        for level in levels:
            a = rate(
                rec,
                subject=assignment.learner,
                day=TODAY - dt.timedelta(days=5),
                levels={adm3: L(level)},
                version=version,
                role="learner",
            )
            Assessment.objects.filter(pk=a.pk).update(assignment=assignment)
    pkg = evidence_package(program=people.program, start=TODAY - dt.timedelta(days=30), end=TODAY)
    by_name = {r.rotation: (r.responses, r.mean) for r in pkg.rotations}
    assert by_name == {"General Medicine Wards": (3, L("4.0")), "Cardiology": (2, None)}
    # No program-wide mean: with it, Cardiology's two answers would follow by subtraction.
    text = html.unescape(evidence_html(pkg))
    assert "mean rating" in text.lower() and "fewer than 3 responses" in text


def test_completion_of_requests_is_in_the_package(rec: Record) -> None:
    people = rec.people
    Request.objects.create(
        program=people.program,
        form=rec.version.form,
        subject=people.learner2,
        assessor=people.faculty,
        origin=RequestOrigin.COORDINATOR,
        due_date=TODAY - dt.timedelta(days=20),
        status=RequestStatus.COMPLETED,
    )
    pkg = evidence_package(program=people.program, start=TODAY - dt.timedelta(days=30), end=TODAY)
    assert (pkg.completion.program.completed, pkg.completion.program.overdue) == (1, 1)


@override_settings(SITE_URL="https://trellis.example.edu")
def test_the_workbook_and_the_pdf_carry_the_rows_and_link_back(rec: Record) -> None:
    people = rec.people
    pkg = evidence_package(program=people.program, start=TODAY - dt.timedelta(days=364), end=TODAY)
    wb = load_workbook(io.BytesIO(evidence_workbook(pkg)))
    assert wb.sheetnames == ["Items", "Completion", "Evaluations", "Curriculum gaps", "About"]
    items = list(wb["Items"].iter_rows(min_row=2, values_only=True))
    pc1 = next(r for r in items if r[1] == "PC1")
    assert pc1[7] == 5 and pc1[10] == "Year 1: median 2.5 (n=1); Year 2: median 3 (n=1)"
    link = f"https://trellis.example.edu/frameworks/im-milestones-2/items/{rec.pc1.identifier}/"
    assert pc1[-1] == link
    cell = next(c for c in wb["Items"]["N"] if c.value == link)
    assert cell.hyperlink is not None and cell.hyperlink.target == link
    gaps = list(wb["Curriculum gaps"].iter_rows(min_row=2, values_only=True))
    assert ("Not mapped at all" in {g[1] for g in gaps}) and "PC1" not in {
        g[2] for g in gaps if g[1] == "Not mapped at all"
    }
    page = html.unescape(evidence_html(pkg))
    assert f'<a href="{link}">PC1</a>' in page and "Advance: 2" in page
    from trellis.reports.accreditation_files import evidence_pdf

    assert evidence_pdf(pkg).startswith(b"%PDF")


def test_the_page_and_its_downloads_are_for_those_who_see_the_program(
    client: Client, rec: Record
) -> None:
    people = rec.people
    for who in ("director", "coordinator", "committee"):
        client.force_login(getattr(people, who))
        response = client.get(PAGE)
        assert response.status_code == 200, who
        text = html.unescape(response.content.decode())
        assert "PC1" in text and "Advance: 2" in text
        links = set(re.findall(r'href="(/[^"#]*)"', text))
        for link in links - {reverse("logout")}:
            assert client.get(link).status_code == 200, (who, link)
    for who in ("faculty", "learner"):
        client.force_login(getattr(people, who))
        assert client.get(PAGE).status_code == 403, who
        assert client.get(PAGE.replace("evidence/", "evidence/package.xlsx")).status_code == 403
    client.force_login(people.outsider)
    assert client.get(PAGE).status_code == 404
    client.logout()
    assert client.get(PAGE).status_code == 302
    client.force_login(people.director)
    assert client.post(PAGE).status_code == 405


def test_a_bad_period_is_refused_with_what_was_typed(client: Client, rec: Record) -> None:
    client.force_login(rec.people.director)
    response = client.get(PAGE, {"start": "2026-05-01", "end": "2026-01-01"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "The end comes before the start" in text and 'value="2026-05-01"' in text
    xlsx = reverse("reports:evidence-xlsx", args=["im-residency"])
    assert client.get(xlsx, {"start": "1200-01-01"}).status_code == 400


def test_the_command_writes_the_package(rec: Record, tmp_path: Path) -> None:
    xlsx, pdf = tmp_path / "e.xlsx", tmp_path / "e.pdf"
    for out in (xlsx, pdf):
        call_command(
            "reports", "evidence", "--program", "im-residency", "-o", str(out),
            stdout=io.StringIO(),
        )  # fmt: skip
    assert "PC1" in [r[1] for r in load_workbook(xlsx)["Items"].iter_rows(values_only=True)]
    assert pdf.read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="before --start"):
        call_command(
            "reports", "evidence", "--program", "im-residency", "-o", str(xlsx),
            "--start", "2026-05-01", "--end", "2026-01-01",
        )  # fmt: skip
    with pytest.raises(CommandError, match=".xlsx or .pdf"):
        call_command("reports", "evidence", "--program", "im-residency", "-o", "e.csv")
