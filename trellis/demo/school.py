"""The demo medical school, end to end, like the residency: its educational program
objectives (linked to the AAMC's PCRS), a four-year curriculum map, this year's clerkship
placements with their preceptors, workplace assessments on the AAMC Core EPAs (Chen
scale) and end-of-clerkship evaluations on the objectives, NBME exam scores, and the
student progress committee (last half signed off, this half open).

Everything goes through the apps' services, like the rest of the demo. It draws on its
own random stream, so the residency's data stay the same with or without it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import NormalDist
from typing import TYPE_CHECKING

from django.utils import timezone

from trellis.assessments.capture.services import CommentInput, RatingInput
from trellis.assessments.exams.services import exam_scores_import
from trellis.assessments.instruments.builtin import forms_install_builtin
from trellis.assessments.models import AssessorRole, Exam, FormVersion
from trellis.committees.models import ReviewCycle
from trellis.curriculum.models import Mapping
from trellis.demo.assessment_bank import (
    SITUATIONS,
    STRENGTHS,
    WENT_WELL,
)
from trellis.demo.assessment_writer import AssessmentWriter
from trellis.demo.assessments import builtin_version
from trellis.demo.committees import CommitteeStaff, generate_review_cycle
from trellis.demo.curriculum import DemoCurriculum, generate_curriculum
from trellis.demo.observations import YEAR_DAYS, bank_comments, clip
from trellis.demo.schedule import DemoSchedule, academic_year_start, generate_schedule
from trellis.frameworks.models import Framework, Item, ItemKind
from trellis.frameworks.pcrs import PCRS_SLUG
from trellis.frameworks.services import framework_adopt, framework_import
from trellis.people.models import Program, Role, User
from trellis.scheduling.models import Assignment
from trellis.scheduling.selectors import rotation_expected_items

if TYPE_CHECKING:
    from trellis.demo.generator import Demo

OBJECTIVES_SLUG = "riverside-md-objectives"
CORE_EPAS = "aamc-core-epas"
CBSE = "NBME Comprehensive Basic Science Examination"
HALF = Decimal("0.5")

DOMAINS = (
    ("PC", "Patient Care"),
    ("MK", "Medical Knowledge"),
    ("PBLI", "Practice-Based Learning and Improvement"),
    ("ICS", "Interpersonal and Communication Skills"),
    ("PROF", "Professionalism"),
    ("SBP", "Systems-Based Practice"),
    ("IPC", "Interprofessional Collaboration"),
    ("PPD", "Personal and Professional Development"),
)
# code, name, statement, the PCRS competencies it answers
OBJECTIVES = (
    (
        "PC1",
        "History and examination",
        "Gathers a focused, accurate history and examination.",
        "1.2",
    ),
    (
        "PC2",
        "Clinical reasoning",
        "Builds and ranks a differential and chooses tests.",
        "1.5;1.4;2.1",
    ),
    ("PC3", "Management", "Proposes and carries out a plan of care, with orders.", "1.6;1.3"),
    ("PC4", "Procedures", "Performs the basic procedures of a new intern safely.", "1.1"),
    ("PC5", "Prevention and counseling", "Screens, counsels and educates patients.", "1.9;1.7"),
    ("MK1", "Foundational science", "Explains disease through the biomedical sciences.", "2.2"),
    ("MK2", "Clinical science", "Applies clinical science to diagnosis and treatment.", "2.3"),
    (
        "MK3",
        "Population and behavioral science",
        "Uses epidemiology and the social sciences.",
        "2.4;2.5",
    ),
    ("PBLI1", "Evidence-based practice", "Finds, appraises and applies evidence.", "3.6;3.7"),
    (
        "PBLI2",
        "Self-directed learning",
        "Knows own gaps, sets goals and uses feedback.",
        "3.1;3.2;3.5",
    ),
    (
        "ICS1",
        "Communicating with patients",
        "Communicates with patients and families with compassion.",
        "4.1;4.6",
    ),
    (
        "ICS2",
        "Presenting and documenting",
        "Presents and documents clearly for the team.",
        "4.2;4.5",
    ),
    ("PROF1", "Ethics", "Reasons through ethical problems and acts with integrity.", "5.1;5.6"),
    (
        "PROF2",
        "Accountability",
        "Is reliable and respects patients' privacy and choices.",
        "5.2;5.3;5.4",
    ),
    ("SBP1", "Safety and quality", "Speaks up about safety and joins improvement work.", "6.4;6.5"),
    ("SBP2", "Systems and value", "Coordinates care with cost and value in mind.", "6.2;6.3"),
    (
        "IPC1",
        "Interprofessional teamwork",
        "Works with every profession on the team.",
        "7.1;7.3;7.4",
    ),
    (
        "PPD1",
        "Well-being and help-seeking",
        "Copes with stress, uncertainty and own limits.",
        "8.1;8.2;8.8",
    ),
)


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def school_objectives(*, program: Program, acting_user: User | None) -> Framework:
    """The school's educational program objectives, imported through the frameworks' CSV
    path (each related to the PCRS competencies it answers) and adopted by the school with
    Level 4 as the graduation target; reused when already there."""
    framework = Framework.objects.filter(slug=OBJECTIVES_SLUG).first()
    if framework is None:
        lines = [
            "kind,code,name,statement,parent,related,version,scale,publisher,language",
            f"framework,{OBJECTIVES_SLUG},Riverside MD Educational Program Objectives,"
            + _csv_cell(
                "What every Riverside graduate can do on the first day of residency, "
                "rated on a five-level scale with Level 4 the graduation target."
            )
            + ",,,2024,milestone,Riverside,en",
        ]
        for code, name in DOMAINS:
            lines.append(f"competency,{code},{_csv_cell(name)},{_csv_cell(name)},,,,,,")
        for code, name, statement, pcrs in OBJECTIVES:
            parent = next(d for d, _ in DOMAINS if code.startswith(d))
            related = ";".join(f"{PCRS_SLUG}:{c}" for c in pcrs.split(";"))
            lines.append(
                f"subcompetency,{code},{_csv_cell(name)},{_csv_cell(statement)},"
                f"{parent},{related},,,,"
            )
        framework = framework_import(
            content="\n".join(lines).encode(),
            filename=f"{OBJECTIVES_SLUG}.csv",
            institution=program.institution,
            acting_user=acting_user,
            format="csv",
            slug=OBJECTIVES_SLUG,
        )
    framework_adopt(program=program, framework=framework, acting_user=acting_user)
    return framework


@dataclass
class DemoSchool:
    program: Program
    objectives: Framework
    curriculum: DemoCurriculum
    schedule: DemoSchedule
    observations: int = 0
    evaluations: int = 0
    exams: list[Exam] = field(default_factory=list)
    cycle: ReviewCycle | None = None


def _version(slug: str) -> FormVersion:
    version = builtin_version(slug)
    assert version is not None, slug
    return version


@dataclass(frozen=True)
class Placement:
    """A clerkship a student did: this year's assignment, or (for a fourth-year student)
    last year's, when they were in their third year (no assignment row)."""

    learner: User
    year: int
    assignment: Assignment
    start: dt.date
    end: dt.date
    current: bool


class _Students:
    """Levels and words for the school's students, from their year, their own ability and
    the preceptor's leniency."""

    def __init__(self, demo: Demo, rng: random.Random) -> None:
        self.demo, self.rng = demo, rng
        self.year_of = {p.pk: y for y, c in demo.people.students.items() for p in c}
        self.ability = {pk: rng.gauss(0.0, 0.3) for pk in sorted(self.year_of)}
        student = demo.people.logins.get("student")
        third = [p.pk for p in demo.people.students.get(3, []) if p != student]
        if third:
            self.ability[third[-1]] = -0.8  # the one the committee should find
        self.leniency = demo.people.leniency

    def submitted(self, day: dt.date) -> dt.datetime:
        """The evening of the day, or a day or two later; never after now."""
        late = dt.timedelta(days=self.rng.choice((0, 0, 0, 1, 2)))
        at = timezone.make_aware(dt.datetime.combine(day + late, dt.time(18, 0)))
        return min(at, timezone.now())

    def into(self, day: dt.date) -> float:
        return (day - academic_year_start(day)).days / 365

    def entrustment(self, p: Placement, day: dt.date, assessor: User) -> Decimal:
        mean = 1.7 + 0.9 * (p.year - 3 + self.into(day)) + self.ability[p.learner.pk]
        mean += 0.6 * self.leniency.get(assessor.email, 0.0)
        return Decimal(round(clip(self.rng.gauss(mean, 0.55), 1, 5)))

    def objective_level(self, p: Placement, assessor: User) -> Decimal:
        # About 2.5 at the start of the clerkship year and 4, the graduation target, by
        # the end of the fourth.
        mean = 2.5 + 0.8 * (p.year - 3 + self.into(p.end)) + 0.9 * self.ability[p.learner.pk]
        mean += 0.4 * self.leniency.get(assessor.email, 0.0)
        return Decimal(round(clip(self.rng.gauss(mean, 0.35), 1, 5) * 2)) * HALF

    def comments(
        self, band: str, first: str, bank: dict[str, tuple[str, ...]]
    ) -> list[CommentInput]:
        return bank_comments(self.rng, band, first, bank, 0.25, chances=(0.85, 0.85))


def _placements(demo: Demo, schedule: DemoSchedule) -> list[Placement]:
    """This year's placements up to today, and for each fourth-year student the third
    year of a current third-year student (by position), a year earlier."""
    today = demo.today
    rows = list(
        Assignment.objects.filter(pk__in=[a.pk for a in schedule.assignments])
        .select_related("rotation__activity", "site", "learner")
        .prefetch_related("supervisors")
        .order_by("learner__email", "start_date")
    )
    year_of = {p.pk: y for y, c in demo.people.students.items() for p in c}
    out = [
        Placement(a.learner, year_of[a.learner_id], a, a.start_date, a.end_date, True)
        for a in rows
        if a.start_date <= today and a.learner_id in year_of
    ]
    thirds = demo.people.students.get(3, [])
    for i, fourth in enumerate(demo.people.students.get(4, [])):
        if not thirds:
            break
        model = thirds[i % len(thirds)]
        back = dt.timedelta(days=YEAR_DAYS)
        out += [
            Placement(fourth, 3, a, a.start_date - back, a.end_date - back, False)
            for a in rows
            if a.learner_id == model.pk
        ]
    return out


def _epas(assignment: Assignment, epas: dict[int, Item]) -> list[Item]:
    ids = (
        Mapping.objects.filter(activity_id=assignment.rotation.activity_id, item_id__in=epas)
        .values_list("item_id", flat=True)
        .distinct()
    )
    return sorted((epas[i] for i in ids), key=lambda i: i.position) or list(epas.values())[:3]


def _observe(
    demo: Demo, students: _Students, placements: list[Placement], writer: AssessmentWriter
) -> tuple[int, int]:
    observation, end_of_clerkship = _version("epa-observation-chen"), _version("end-of-rotation")
    core = Framework.objects.get(slug=CORE_EPAS)
    epas = {i.pk: i for i in core.items.filter(kind=ItemKind.EPA)}
    rng, today = students.rng, demo.today
    observed = evaluated = 0
    for p in placements:
        supervisors = sorted(p.assignment.supervisors.all(), key=lambda u: u.email)
        if not supervisors:
            continue
        site = p.assignment.site
        assignment = p.assignment if p.current else None
        choices = _epas(p.assignment, epas)
        last = min(p.end, today)
        week = p.start
        while week <= last:
            for _ in range(rng.choice((0, 1, 1, 1, 2))):
                day = week + dt.timedelta(days=rng.randint(0, min(6, (last - week).days)))
                assessor = rng.choice(supervisors)
                item = rng.choice(choices)
                level = students.entrustment(p, day, assessor)
                band = "low" if level <= 1 else "high" if level >= 3 else "mid"
                writer.submit(
                    form_version=observation,
                    subject=p.learner,
                    assessor=assessor,
                    assessor_role=AssessorRole.FACULTY,
                    observed_on=day,
                    ratings=[RatingInput(item, level)],
                    comments=students.comments(band, "went-well", WENT_WELL),
                    submitted_at=students.submitted(day),
                    assignment=assignment,
                    site=site,
                    context=rng.choice(SITUATIONS) if rng.random() < 0.6 else "",
                )
                observed += 1
            week += dt.timedelta(days=7)
        if p.end > today:
            continue
        assessor = supervisors[0]
        items = [
            i
            for i in rotation_expected_items(rotation=p.assignment.rotation)
            if i.kind == ItemKind.SUBCOMPETENCY and i.framework.slug == OBJECTIVES_SLUG
        ]
        if not items:
            continue
        ratings = [RatingInput(i, students.objective_level(p, assessor)) for i in items[:6]]
        mean = sum(float(r.level or 0) for r in ratings) / len(ratings)
        band = "low" if mean < 2.5 else "high" if mean >= 3.5 else "mid"
        writer.submit(
            form_version=end_of_clerkship,
            subject=p.learner,
            assessor=assessor,
            assessor_role=AssessorRole.FACULTY,
            observed_on=p.end,
            ratings=ratings,
            comments=students.comments(band, "strengths", STRENGTHS),
            submitted_at=students.submitted(p.end),
            assignment=assignment,
            site=site,
        )
        evaluated += 1
    return observed, evaluated


def _exams(demo: Demo, students: _Students, placements: list[Placement]) -> list[Exam]:
    """The NBME Comprehensive Basic Science Examination each cohort sat in the spring of
    its second year, and the medicine subject exam at the end of each medicine clerkship."""
    program, rng = demo.programs.medical_school, students.rng
    rows = ["learner_email,exam,date,score,percentile,max_score"]
    this_year = academic_year_start(demo.today)
    peers = NormalDist(mu=64, sigma=8)
    for year in (3, 4):
        sat = dt.date(this_year.year - (year - 2), 3, 20)
        for person in demo.people.students.get(year, []):
            score = clip(rng.gauss(64 + 10 * students.ability[person.pk], 6), 30, 95)
            pct = round(clip(peers.cdf(score) * 100, 1, 99))
            rows.append(f"{person.email},{CBSE},{sat},{score:.0f},{pct},100")
    subject = NormalDist(mu=72, sigma=7)
    for p in placements:
        if p.assignment.rotation.activity.code != "IMCLK" or p.end > demo.today:
            continue
        score = clip(rng.gauss(72 + 9 * students.ability[p.learner.pk], 5), 40, 99)
        pct = round(clip(subject.cdf(score) * 100, 1, 99))
        rows.append(
            f"{p.learner.email},NBME Medicine Subject Examination,{p.end},{score:.0f},{pct},100"
        )
    result = exam_scores_import(
        program=program, data="\n".join(rows).encode(), acting_user=demo.people.school_coordinator
    )
    if not result.ok:
        raise ValueError(f"demo school exam scores refused: {result.problems[0]}")
    return list(Exam.objects.filter(program=program))


def generate_school(*, demo: Demo, rng: random.Random, with_assessments: bool = True) -> DemoSchool:
    program = demo.programs.medical_school
    people = demo.people
    objectives = school_objectives(program=program, acting_user=people.school_coordinator)
    curriculum = generate_curriculum(
        program=program,
        framework_slugs=[OBJECTIVES_SLUG, CORE_EPAS],
        rng=rng,
        acting_user=people.school_coordinator,
    )
    schedule = generate_schedule(
        program=program,
        year_start=academic_year_start(demo.today),
        rng=rng,
        learners={y: people.students[y] for y in (3, 4) if people.students.get(y)},
        faculty=people.school_faculty,
        featured_faculty=people.logins.get("faculty"),
        today=demo.today,
    )
    school = DemoSchool(program, objectives, curriculum, schedule)
    if not with_assessments:
        return school
    forms_install_builtin()
    students = _Students(demo, rng)
    placements = _placements(demo, schedule)
    writer = AssessmentWriter(bulk=False, program=program)
    school.observations, school.evaluations = _observe(demo, students, placements, writer)
    writer.flush()
    school.exams = _exams(demo, students, placements)
    panel = [
        m.person for m in program.memberships.filter(role=Role.COMMITTEE).select_related("person")
    ] or [people.school_director]
    school.cycle = generate_review_cycle(
        demo=demo,
        rng=rng,
        program=program,
        staff=CommitteeStaff(people.school_coordinator, people.school_director, panel),
    )
    return school
