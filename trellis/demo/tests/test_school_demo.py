"""The demo medical school runs end to end like the residency: program objectives linked
to the PCRS, a four-year map, clerkship placements with preceptors, Core EPA observations
and end-of-clerkship evaluations, exam scores, a student progress committee with its
decisions; its Curriculum Inventory validates with the PCRS links, and the accreditation
evidence package has real content."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from lxml import etree

from trellis.assessments.evidence import learner_evidence
from trellis.assessments.models import Assessment, AssessmentStatus, Exam, ExamScore
from trellis.committees.models import CycleStatus, Decision, ReviewCycle
from trellis.curriculum.ci_export import CI, ci_validate, curriculum_inventory_xml, uri_for
from trellis.curriculum.ci_verification import verification_tables, verification_workbook
from trellis.curriculum.models import Activity, ActivityKind
from trellis.demo.generator import Demo, DemoSize, generate_demo
from trellis.demo.school import OBJECTIVES, OBJECTIVES_SLUG
from trellis.frameworks.models import Framework, ItemKind
from trellis.frameworks.pcrs import PCRS_URI_BASE
from trellis.reports.accreditation import evidence_package
from trellis.scheduling.models import Assignment

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
SIZE = DemoSize(
    learners_per_year=2, years=3, faculty=8, committee=3, educators=3, students_per_year=3
)
NS = {"ci": CI, "cf": "http://ns.medbiq.org/competencyframework/v1/"}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Demo]:
    """One demo for these tests, which only read it (building one takes seconds), rolled
    back when they are done."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield generate_demo(size=SIZE, today=TODAY, password=None)
        transaction.set_rollback(True)


def test_the_school_has_a_curriculum_placements_assessments_exams_and_a_committee(
    demo: Demo,
) -> None:
    school = demo.programs.medical_school
    assert demo.school is not None
    activities = Activity.objects.filter(program=school)
    assert activities.filter(kind=ActivityKind.COURSE, training_year__in=(1, 2)).count() >= 5
    assert activities.filter(kind=ActivityKind.SESSION).count() >= 8
    clerkships = activities.filter(kind=ActivityKind.CLINICAL_EXPERIENCE, training_year=3)
    assert clerkships.count() == 7

    # Third- and fourth-year students are placed with preceptors of the school.
    placed = Assignment.objects.filter(rotation__program=school)
    students = {p.pk for y in (3, 4) for p in demo.people.students[y]}
    assert {a.learner_id for a in placed} == students
    preceptors = {u.pk for a in placed for u in a.supervisors.all()}
    assert preceptors and preceptors <= {u.pk for u in demo.people.school_faculty}

    # Core EPA observations on the Chen scale and end-of-clerkship evaluations on the
    # school's objectives, all submitted, by the students' preceptors.
    submitted = Assessment.objects.filter(program=school, status=AssessmentStatus.SUBMITTED)
    epa = submitted.filter(form_version__form__slug="epa-observation-chen")
    assert epa.count() == demo.school.observations > 50
    assert not epa.exclude(ratings__item__framework__slug="aamc-core-epas").exists()
    evaluations = submitted.filter(form_version__form__slug="end-of-rotation")
    assert evaluations.count() == demo.school.evaluations > 5
    assert not evaluations.exclude(ratings__item__framework__slug=OBJECTIVES_SLUG).exists()
    assert set(submitted.values_list("subject_id", flat=True)) == students

    # Exam scores, linked to the objectives' Medical Knowledge items.
    exams = Exam.objects.filter(program=school)
    assert exams.filter(name__contains="Comprehensive Basic Science").exists()
    assert ExamScore.objects.filter(exam__program=school).count() >= 2 * SIZE.students_per_year
    mk = set(exams.first().items.values_list("code", flat=True))  # type: ignore[union-attr]
    assert mk == {"MK1", "MK2", "MK3"}

    # The student progress committee: last half signed off with a decision for every
    # student, this half open with pre-reviewers from the school's committee.
    cycles = ReviewCycle.objects.filter(program=school)
    signed = cycles.get(status=CycleStatus.SIGNED_OFF)
    everyone = {p.pk for cohort in demo.people.students.values() for p in cohort}
    assert set(
        Decision.objects.filter(review__cycle=signed).values_list("review__learner_id", flat=True)
    ) == {r.learner_id for r in signed.reviews.all()}
    open_cycle = cycles.get(status=CycleStatus.OPEN)
    assert {r.learner_id for r in open_cycle.reviews.all()} == everyone
    assert not open_cycle.reviews.filter(pre_reviewer__isnull=True).exists()

    # The student log-in's record shows their EPA evidence.
    student = demo.people.logins["student"]
    evidence = learner_evidence(
        program=school, learner=student, start=dt.date(2026, 7, 1), end=TODAY
    )
    epas = Framework.objects.get(slug="aamc-core-epas").items.filter(kind=ItemKind.EPA)
    assert sum(e.count for i in epas if (e := evidence.for_item(i.pk))) > 5


def test_the_school_curriculum_inventory_validates_with_its_pcrs_links(
    demo: Demo, real_data: Path
) -> None:
    school = demo.programs.medical_school
    xml = curriculum_inventory_xml(program=school, report_date=TODAY)
    assert ci_validate(xml, real_data / "medbiq") == []
    doc = etree.fromstring(xml)
    assert len(doc.xpath("//ci:Events/ci:Event", namespaces=NS)) >= 20
    assert doc.xpath("//ci:Event/ci:AssessmentMethod", namespaces=NS)
    assert len(doc.xpath("//ci:Sequence/ci:SequenceBlock", namespaces=NS)) >= 15
    related = {
        (
            r.findtext("cf:Reference1/cf:Entry", namespaces=NS),
            r.findtext("cf:Reference2/cf:Entry", namespaces=NS),
        )
        for r in doc.xpath("//cf:Relation", namespaces=NS)
        if r.findtext("cf:Relationship", namespaces=NS).endswith("#related")
    }
    objectives = {
        i.code: uri_for(i.identifier, "item")
        for i in Framework.objects.get(slug=OBJECTIVES_SLUG).items.filter(
            kind=ItemKind.SUBCOMPETENCY
        )
    }
    # Every objective is linked to each PCRS competency it names, by the AAMC's identifier.
    for code, _, _, pcrs in OBJECTIVES:
        for number in pcrs.split(";"):
            domain, n = number.split(".")
            expected = f"{PCRS_URI_BASE}aamc-pcrs-comp-c{int(domain):02d}{int(n):02d}"
            assert (expected, objectives[code]) in related, (code, number)
    included = {e.text for e in doc.xpath("//cf:Includes/cf:Entry", namespaces=NS)}
    assert {first for first, _ in related} <= included


def test_the_verification_tables_show_which_expectations_name_a_pcrs_competency(
    demo: Demo,
) -> None:
    tables = verification_tables(program=demo.programs.medical_school)
    linked = {e.item.code for e in tables.expectations if e.pcrs}
    assert linked == {code for code, *_ in OBJECTIVES}
    # The Core EPAs are the AAMC's own: the school has not linked them, and the page says so.
    assert {e.item.framework.slug for e in tables.unlinked} == {"aamc-core-epas"}
    assert tables.events >= 20 and any(m.code == "IM003" for m in tables.methods)
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(verification_workbook(tables)))
    sheet = book["Expectations to PCRS"]
    rows = [tuple(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert ("PC1" in {r[1] for r in rows}) and any(r[3] == "aamc-pcrs-comp-c0102" for r in rows)


def test_the_evidence_package_of_the_school_has_real_content(demo: Demo) -> None:
    pkg = evidence_package(
        program=demo.programs.medical_school, start=dt.date(2025, 7, 1), end=TODAY, today=TODAY
    )
    taught = [r for r in pkg.rows if r.coverage and r.coverage.taught_in]
    assessed = [r for r in pkg.rows if r.observations]
    assert len(taught) >= 20 and len(assessed) >= 10
    assert pkg.cycle is not None and any(r.outcomes for r in pkg.rows)
    assert any(r.reached for r in assessed)


def test_each_door_of_the_school_opens_only_to_those_it_should(demo: Demo) -> None:
    from django.test import Client

    school = demo.programs.medical_school
    student = demo.people.logins["student"]
    classmate = next(p for p in demo.people.students[3] if p != student)
    cycle = ReviewCycle.objects.get(program=school, status=CycleStatus.OPEN)
    # The curriculum map and its verification tables are open to every member.
    map_pages = [
        f"/programs/{school.slug}/curriculum/",
        f"/programs/{school.slug}/curriculum/verification/",
    ]
    staff_pages = [
        f"/programs/{school.slug}/records/",
        f"/programs/{school.slug}/records/evidence/",
        f"/programs/{school.slug}/committee/{cycle.pk}/",
        f"/programs/{school.slug}/records/learners/{classmate.pk}/",
    ]
    own_record = f"/programs/{school.slug}/records/learners/{student.pk}/"

    def status(person: object, path: str) -> int:
        client = Client()
        client.force_login(person)  # type: ignore[arg-type]
        return client.get(path).status_code

    dean = demo.people.logins["dean"]
    for path in [*map_pages, *staff_pages, own_record]:
        assert status(dean, path) == 200, path
    # The residency's director and resident are outsiders to the school: 404 everywhere.
    for outsider in (demo.people.logins["director"], demo.people.logins["resident"]):
        for path in [*map_pages, *staff_pages, own_record]:
            assert status(outsider, path) == 404, (outsider.email, path)
    # A student reads their own record and nobody else's, and none of the staff pages.
    for path in [*map_pages, own_record]:
        assert status(student, path) == 200, path
    # (a member is refused, 403; only outsiders are told nothing is there, 404).
    for path in staff_pages:
        assert status(student, path) == 403, path
