"""Synthetic assessments for the demo residency: a year (by default) of what faculty saw.

For every rotation a resident did (this academic year's schedule, and for earlier months
the same blocks a year before, when the resident was a year junior) the supervising
faculty record EPA observations on the Ottawa scale, more often as the months go by (the
program is adopting the app). Levels follow the resident's training year and growth
within it, the resident's own ability (a couple are struggling), each rater's leniency
(`demo.people.leniency`) and some noise; now and then an item is "not observed". Comments
come from banks that match the level, with specific next steps and, depending on the
rater, vague ones too.

End-of-rotation requests come from the schedule (the requests service); most are
completed on the milestone form, some are overdue. Learners evaluate some of their
teachers. A few observations are left as drafts. A catalogue of procedures and cases with
minimums gets entries, most verified by the supervisor; and there is an in-training exam.

Everything goes through the services (`assessment_submit`, the request, log and exam
services), so the demo is audited like real data. For benchmarks there is one shortcut:
`bulk=True` writes the same assessment, rating, comment and audit rows with bulk inserts,
for the hundreds of thousands of ratings a national-size program has (see bench/).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import NormalDist
from typing import Any

from django.db import transaction
from django.utils import timezone

from trellis.assessments.exams import exam_scores_import
from trellis.assessments.forms_builtin import forms_install_builtin
from trellis.assessments.logs_services import log_entry_create, log_entry_verify, log_type_create
from trellis.assessments.models import (
    Assessment,
    AssessmentSource,
    AssessmentStatus,
    AssessorRole,
    Comment,
    Exam,
    Form,
    FormVersion,
    LogKind,
    LogRole,
    LogType,
    Rating,
    Request,
    RequestStatus,
)
from trellis.assessments.requests_services import requests_generate_from_schedule
from trellis.assessments.services import (
    ASSESSMENT_FIELDS,
    CommentInput,
    RatingInput,
    assessment_submit,
    edit_window,
)
from trellis.audit.models import AuditEvent
from trellis.audit.services import snapshot
from trellis.demo.assessment_bank import (
    DEFAULT_EPAS,
    EPA_FRAMEWORK_SLUG,
    EPA_ROWS,
    EPAS_BY_ROTATION,
    HARD_EPAS,
    NEXT_TIME,
    SITUATIONS,
    STRENGTHS,
    VAGUE_NEXT_TIME,
    VAGUE_WENT_WELL,
    WENT_WELL,
)
from trellis.demo.generator import Demo, academic_year_start
from trellis.frameworks.models import Framework, Item, ItemKind
from trellis.frameworks.services import framework_adopt, framework_import
from trellis.people.models import Program, User
from trellis.scheduling.models import Assignment, Rotation, Site
from trellis.scheduling.selectors import rotation_expected_items

OBSERVATION_FORM = "epa-observation-ottawa"
END_OF_ROTATION_FORM = "end-of-rotation"
TEACHING_FORM = "teaching-evaluation"
EXAM_NAME = "Internal Medicine In-Training Examination"
YEAR_DAYS = 364  # thirteen four-week blocks: a block a year earlier falls on the same weekday
TENTH = Decimal("0.1")

# (code, name, kind, minimum) and, per rotation, how many a resident does in a block.
LOG_TYPES = (
    ("CVC", "Central venous catheter", LogKind.PROCEDURE, 5),
    ("PARA", "Paracentesis", LogKind.PROCEDURE, 5),
    ("LP", "Lumbar puncture", LogKind.PROCEDURE, 3),
    ("THORA", "Thoracentesis", LogKind.PROCEDURE, 3),
    ("ABG", "Arterial blood gas", LogKind.PROCEDURE, 5),
    ("ARTHRO", "Arthrocentesis", LogKind.PROCEDURE, 3),
    ("CODE", "Cardiac arrest: code leader", LogKind.CASE, 5),
)
LOGS_PER_BLOCK: dict[str, dict[str, float]] = {
    "ICU": {"CVC": 1.6, "ABG": 2.0, "THORA": 0.5, "LP": 0.3, "CODE": 0.8},
    "WARDS": {"PARA": 1.1, "LP": 0.5, "THORA": 0.4, "ARTHRO": 0.3, "ABG": 0.5, "CODE": 0.3},
    "EM": {"LP": 0.6, "ARTHRO": 0.5, "ABG": 1.0, "CVC": 0.3, "CODE": 0.5},
    "NIGHT": {"PARA": 0.4, "ABG": 0.6, "CODE": 0.6},
    "CARD": {"ABG": 0.3, "CODE": 0.2},
    "GERI": {"ARTHRO": 0.2},
}
LOG_ROLES: dict[int, tuple[tuple[str, ...], tuple[float, ...]]] = {
    1: ((LogRole.OBSERVED, LogRole.ASSISTED, LogRole.PERFORMED), (0.1, 0.3, 0.6)),
    2: ((LogRole.ASSISTED, LogRole.PERFORMED, LogRole.INDEPENDENT), (0.1, 0.7, 0.2)),
    3: ((LogRole.PERFORMED, LogRole.INDEPENDENT, LogRole.TAUGHT), (0.2, 0.5, 0.3)),
}


@dataclass
class DemoAssessments:
    framework: Framework
    observations: int = 0
    end_of_rotation: int = 0
    teaching: int = 0
    drafts: int = 0
    ratings: int = 0
    requests_open: int = 0
    requests_overdue: int = 0
    log_types: list[LogType] = field(default_factory=list)
    log_entries: int = 0
    exam: Exam | None = None


@dataclass(frozen=True)
class _Period:
    """A rotation a learner did: this year's assignment (`ago` 0), or the same block `ago`
    years earlier, when the learner was that many years junior (no assignment row)."""

    learner: User
    training_year: int
    start: dt.date
    end: dt.date
    rotation: Rotation
    site: Site
    supervisors: tuple[User, ...]
    assignment: Assignment | None
    ago: int


@dataclass
class _Forms:
    observation: FormVersion
    end_of_rotation: FormVersion
    teaching: FormVersion | None


def _version(slug: str) -> FormVersion | None:
    form = Form.objects.filter(program__isnull=True, slug=slug).first()
    if form is None:
        return None
    return form.versions.select_related("form", "scale").order_by("-number").first()


def epa_framework(*, program: Program, acting_user: User | None) -> Framework:
    """The residency's EPAs (our own wording), imported through the frameworks' CSV path
    and adopted by the program; reused when already there."""
    framework = Framework.objects.filter(slug=EPA_FRAMEWORK_SLUG).first()
    if framework is None:
        header = "kind,code,name,statement,parent,related,version,scale,publisher,language"
        lines = [
            header,
            f"framework,{EPA_FRAMEWORK_SLUG},Internal Medicine EPAs,"
            '"The activities a Riverside internal medicine resident is trusted with by '
            'graduation, on the Ottawa co-activity scale.",,,2025,ottawa,Riverside,en',
        ]
        for code, name, statement, related in EPA_ROWS:
            related_items = ";".join(f"im-milestones-2:{c}" for c in related.split(";"))
            lines.append(f'epa,{code},"{name}","{statement}",,{related_items},,,,')
        framework = framework_import(
            content="\n".join(lines).encode(),
            filename="riverside-im-epas.csv",
            institution=program.institution,
            acting_user=acting_user,
            format="csv",
            slug=EPA_FRAMEWORK_SLUG,
        )
    framework_adopt(program=program, framework=framework, acting_user=acting_user)
    return framework


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _clip(value: float, low: float = 1.0, high: float = 5.0) -> float:
    return max(low, min(high, value))


class _Writer:
    """Submits through `assessment_submit`, or (bulk) collects the same rows to insert at
    the end. Consumes no randomness, so both ways give the same data."""

    def __init__(self, *, bulk: bool, program: Program) -> None:
        self.bulk = bulk
        self.program = program
        self.ratings = 0
        self.keys = 0
        self._rows: list[tuple[Assessment, list[RatingInput], list[CommentInput], User]] = []
        self._requests: list[int] = []

    def submit(
        self,
        *,
        form_version: FormVersion,
        subject: User,
        assessor: User,
        assessor_role: str,
        observed_on: dt.date,
        ratings: list[RatingInput],
        comments: list[CommentInput],
        submitted_at: dt.datetime | None,
        draft: bool = False,
        request: Request | None = None,
        assignment: Assignment | None = None,
        site: Site | None = None,
        context: str = "",
    ) -> None:
        self.keys += 1
        self.ratings += len(ratings)
        kwargs: dict[str, Any] = {
            "form_version": form_version,
            "subject": subject,
            "assessor": assessor,
            "assessor_role": assessor_role,
            "observed_on": observed_on,
            "ratings": ratings,
            "comments": comments,
            "client_key": f"demo-{self.keys}",
            "draft": draft,
            "submitted_at": None if draft else submitted_at,
            "request": request,
            "assignment": assignment,
            "site": site if site is not None else (assignment.site if assignment else None),
            "context": context,
        }
        if not self.bulk:
            assessment_submit(program=self.program, acting_user=assessor, **kwargs)
            return
        when = kwargs["submitted_at"]
        assessment = Assessment(
            program=self.program,
            form_version=form_version,
            subject=subject,
            assessor=assessor,
            assessor_role=assessor_role,
            observed_on=observed_on,
            context=context.strip(),
            status=AssessmentStatus.DRAFT if draft else AssessmentStatus.SUBMITTED,
            request=request,
            assignment=assignment,
            site=kwargs["site"],
            source=AssessmentSource.WEB,
            client_key=kwargs["client_key"],
            submitted_at=when,
            editable_until=when + edit_window() if when else None,
        )
        self._rows.append((assessment, ratings, comments, assessor))
        if request is not None and not draft:
            self._requests.append(request.pk)

    def flush(self, batch: int = 2000) -> None:
        """Bulk only: insert what was collected (a no-op for the service path)."""
        for start in range(0, len(self._rows), batch):
            self._insert(self._rows[start : start + batch])
        self._rows = []
        Request.objects.filter(pk__in=self._requests, status=RequestStatus.OPEN).update(
            status=RequestStatus.COMPLETED
        )
        self._requests = []

    def _insert(
        self, rows: Sequence[tuple[Assessment, list[RatingInput], list[CommentInput], User]]
    ) -> None:
        Assessment.objects.bulk_create([a for a, *_ in rows])
        Rating.objects.bulk_create(
            Rating(
                assessment=a,
                item=r.item,
                level=None if r.not_observed else r.level,
                not_observed=r.not_observed,
            )
            for a, ratings, _, _ in rows
            for r in ratings
        )
        Comment.objects.bulk_create(
            Comment(assessment=a, prompt_key=c.prompt_key, text=c.text.strip())
            for a, _, comments, _ in rows
            for c in comments
            if c.text.strip()
        )
        events = []
        for a, ratings, comments, actor in rows:
            after = snapshot(a, ASSESSMENT_FIELDS)
            after["ratings"] = {
                r.item.code or str(r.item.pk): "not observed" if r.not_observed else str(r.level)
                for r in sorted(ratings, key=lambda r: r.item.position)
            }
            after["comments"] = {c.prompt_key: c.text.strip() for c in comments if c.text.strip()}
            events.append(
                AuditEvent(
                    actor=actor,
                    action="assessment.draft" if a.status == "draft" else "assessment.submit",
                    target_type=a._meta.label_lower,
                    target_id=str(a.pk),
                    target_repr=str(a)[:255],
                    after=after,
                    program=self.program,
                    institution=self.program.institution,
                )
            )
        AuditEvent.objects.bulk_create(events)


class _Generator:
    def __init__(
        self, *, demo: Demo, rng: random.Random, months: int, rate: float, bulk: bool
    ) -> None:
        self.demo = demo
        self.rng = rng
        self.program = demo.programs.residency
        self.today = demo.today
        self.window_start = self.today - dt.timedelta(days=round(months * 30.44))
        self.rate = rate
        self.writer = _Writer(bulk=bulk, program=self.program)
        self.now = min(
            timezone.now(),
            timezone.make_aware(dt.datetime.combine(self.today, dt.time(18, 30))),
        )
        self.year_of = {p.pk: y for y, cohort in demo.people.residents.items() for p in cohort}
        residents = sorted(self.year_of, key=lambda pk: pk)
        self.ability = {pk: rng.gauss(0.0, 0.3) for pk in residents}
        for pk in rng.sample(residents, k=min(2, len(residents))):
            self.ability[pk] = -0.9  # the learners a committee should find
        self.leniency = demo.people.leniency
        faculty = sorted({p.email for p in demo.people.faculty})
        # How specific a rater's comments are: some write "Great job!" most of the time.
        self.specificity = {email: rng.uniform(0.3, 0.97) for email in faculty}
        self._expected: dict[int, list[Item]] = {}
        featured = demo.people.logins.get("faculty")
        self.featured = featured.pk if featured is not None else None
        self.featured_draft_started = False

    # -- levels and words ------------------------------------------------------------------

    def experience(self, period: _Period, day: dt.date) -> float:
        """Years of training at `day`: the training year then, and how far into it."""
        into = (day - academic_year_start(day)).days / 365
        return (period.training_year - 1) + into

    def epa_level(self, period: _Period, day: dt.date, assessor: User, code: str) -> Decimal:
        mean = 1.8 + 0.95 * self.experience(period, day) + self.ability[period.learner.pk]
        mean += 0.8 * self.leniency.get(assessor.email, 0.0) - (0.4 if code in HARD_EPAS else 0)
        return Decimal(round(_clip(self.rng.gauss(mean, 0.6)))).quantize(TENTH)

    def milestone_level(self, period: _Period, day: dt.date, assessor: User) -> Decimal:
        mean = 1.4 + 0.9 * self.experience(period, day) + 0.8 * self.ability[period.learner.pk]
        mean += 0.5 * self.leniency.get(assessor.email, 0.0)
        return Decimal(round(_clip(self.rng.gauss(mean, 0.35)) * 2) / 2).quantize(TENTH)

    def comments(
        self, assessor: User, band: str, first: str, bank: dict[str, tuple[str, ...]]
    ) -> list[CommentInput]:
        """What went well (or strengths) and a next step, each vague as often as this
        rater's comments are."""
        vagueness = 1 - self.specificity.get(assessor.email, 0.8)
        out = []
        for key, specific, vague, chance in (
            (first, bank, VAGUE_WENT_WELL, 0.9),
            ("next-time", NEXT_TIME, VAGUE_NEXT_TIME, 0.8),
        ):
            if self.rng.random() < chance:
                text = (
                    self.rng.choice(vague)
                    if self.rng.random() < vagueness
                    else self.rng.choice(specific[band])
                )
                out.append(CommentInput(key, text))
        return out

    def submitted(self, day: dt.date, late_days: int) -> dt.datetime:
        at = dt.datetime.combine(day + dt.timedelta(days=late_days), dt.time(17, 0))
        return min(timezone.make_aware(at), self.now)

    # -- the schedule, back through the months ---------------------------------------------

    def periods(self) -> list[_Period]:
        schedule = self.demo.schedule
        if schedule is None:
            return []
        assignments = (
            Assignment.objects.filter(pk__in=[a.pk for a in schedule.assignments])
            .select_related("rotation__activity", "site", "learner")
            .prefetch_related("supervisors")
            .order_by("learner__email", "start_date")
        )
        out = []
        for a in assignments:
            year = self.year_of.get(a.learner_id)
            if year is None:
                continue
            supervisors = tuple(sorted(a.supervisors.all(), key=lambda u: u.email))
            ago = 0
            while year - ago >= 1:
                start = a.start_date - dt.timedelta(days=YEAR_DAYS * ago)
                end = a.end_date - dt.timedelta(days=YEAR_DAYS * ago)
                if end < self.window_start:
                    break
                if start <= self.today and supervisors:
                    out.append(
                        _Period(
                            learner=a.learner,
                            training_year=year - ago,
                            start=max(start, self.window_start),
                            end=end,
                            rotation=a.rotation,
                            site=a.site,
                            supervisors=supervisors,
                            assignment=a if ago == 0 else None,
                            ago=ago,
                        )
                    )
                ago += 1
        return out

    def expected_items(self, rotation: Rotation) -> list[Item]:
        if rotation.pk not in self._expected:
            items = [
                i
                for i in rotation_expected_items(rotation=rotation)
                if i.kind == ItemKind.SUBCOMPETENCY
            ]
            if not items:
                items = list(
                    Item.objects.filter(
                        framework__slug="im-milestones-2", kind=ItemKind.SUBCOMPETENCY
                    ).order_by("position")[:6]
                )
            self._expected[rotation.pk] = items
        return self._expected[rotation.pk]

    # -- what gets written -----------------------------------------------------------------

    def observations(self, period: _Period, forms: _Forms, epas: dict[str, Item]) -> int:
        codes = EPAS_BY_ROTATION.get(period.rotation.activity.code, DEFAULT_EPAS)
        span = max((self.today - self.window_start).days, 1)
        last = min(period.end, self.today)
        drafts = 0
        week = period.start
        while week <= last:
            progress = (week - self.window_start).days / span
            for _ in range(_poisson(self.rng, self.rate * (0.35 + 0.65 * progress))):
                day = week + dt.timedelta(days=self.rng.randint(0, min(6, (last - week).days)))
                assessor = self.rng.choice(period.supervisors)
                chosen = self.rng.sample(codes, k=1 if self.rng.random() < 0.75 else 2)
                levels = [self.epa_level(period, day, assessor, c) for c in chosen]
                band = "low" if min(levels) <= 2 else "high" if min(levels) >= 4 else "mid"
                # Recent ones are sometimes left unfinished, the featured log-in's most.
                chance = 0.15 if assessor.pk == self.featured else 0.04
                draft = (self.today - day).days < 14 and self.rng.random() < chance
                late = self.rng.choice((0, 0, 0, 0, 0, 0, 1, 1, 2, 6))
                self.writer.submit(
                    form_version=forms.observation,
                    subject=period.learner,
                    assessor=assessor,
                    assessor_role=AssessorRole.FACULTY,
                    observed_on=day,
                    ratings=[
                        RatingInput(epas[c], lv) for c, lv in zip(chosen, levels, strict=True)
                    ],
                    comments=self.comments(assessor, band, "went-well", WENT_WELL),
                    submitted_at=self.submitted(day, late),
                    draft=draft,
                    assignment=period.assignment,
                    site=period.site,
                    context=self.rng.choice(SITUATIONS) if self.rng.random() < 0.7 else "",
                )
                drafts += draft
            week += dt.timedelta(days=7)
        featured = next((u for u in period.supervisors if u.pk == self.featured), None)
        if (
            featured is not None
            and period.assignment is not None
            and last == self.today
            and not self.featured_draft_started
        ):
            self.featured_draft_started = True
            # The featured log-in started an observation today and has not sent it yet.
            code = self.rng.choice(codes)
            self.writer.submit(
                form_version=forms.observation,
                subject=period.learner,
                assessor=featured,
                assessor_role=AssessorRole.FACULTY,
                observed_on=self.today,
                ratings=[RatingInput(epas[code], self.epa_level(period, last, featured, code))],
                comments=[],
                submitted_at=None,
                draft=True,
                assignment=period.assignment,
                context=self.rng.choice(SITUATIONS),
            )
            drafts += 1
        return drafts

    def end_of_rotation(
        self, period: _Period, assessor: User, form: FormVersion, request: Request | None
    ) -> None:
        items = self.expected_items(period.rotation)
        chosen = self.rng.sample(items, k=min(len(items), 6))
        ratings = []
        for item in sorted(chosen, key=lambda i: (i.framework_id, i.position)):
            if self.rng.random() < 0.04:
                ratings.append(RatingInput(item, None, not_observed=True))
            else:
                ratings.append(
                    RatingInput(item, self.milestone_level(period, period.end, assessor))
                )
        if ratings and all(r.not_observed for r in ratings):
            first = ratings[0].item
            ratings[0] = RatingInput(first, self.milestone_level(period, period.end, assessor))
        observed = [float(r.level) for r in ratings if r.level is not None] or [3.0]
        mean = sum(observed) / len(observed) - (period.training_year - 1)
        band = "low" if mean < 2 else "high" if mean >= 2.8 else "mid"
        self.writer.submit(
            form_version=form,
            subject=period.learner,
            assessor=assessor,
            assessor_role=AssessorRole.FACULTY,
            observed_on=period.end,
            ratings=ratings,
            comments=self.comments(assessor, band, "strengths", STRENGTHS),
            submitted_at=self.submitted(period.end, self.rng.randint(0, 16)),
            request=request,
            assignment=period.assignment,
            site=period.site,
        )

    def teaching(self, request: Request, form: FormVersion) -> None:
        """A learner's evaluation of a teacher, answering a teaching request."""
        teacher, learner = request.subject, request.assessor
        assert learner is not None and request.assignment is not None
        base = 3.2 + 0.6 * self.leniency.get(teacher.email, 0.0)
        ratings = [
            RatingInput(q.item, Decimal(round(_clip(self.rng.gauss(base, 0.6)))).quantize(TENTH))
            for q in form.questions.select_related("item")
        ]
        comments = [CommentInput("went-well", self.rng.choice(TEACHING_PRAISE))]
        if self.rng.random() < 0.6:
            comments.append(CommentInput("next-time", self.rng.choice(TEACHING_NEXT)))
        end = request.assignment.end_date
        self.writer.submit(
            form_version=form,
            subject=teacher,
            assessor=learner,
            assessor_role=AssessorRole.LEARNER,
            observed_on=end,
            ratings=ratings,
            comments=comments,
            submitted_at=self.submitted(end, self.rng.randint(0, 12)),
            request=request,
            assignment=request.assignment,
        )


TEACHING_PRAISE = (
    "Made time to teach every day, even when the service was busy.",
    "Asked what I thought before giving the answer.",
    "Gave me real autonomy with a safety net.",
    "Great bedside teaching on the physical exam.",
    "Always approachable overnight.",
)
TEACHING_NEXT = (
    "More direct feedback on my presentations would help.",
    "Set expectations on the first day of the rotation.",
    "Teaching rounds often ran late into clinic time.",
    "Let us try to answer before jumping in.",
)


def _requests(
    gen: _Generator, forms: _Forms, acting_user: User | None
) -> tuple[dict[tuple[int, int], Request], dict[int, list[Request]]]:
    """The schedule's open requests so far: end-of-rotation ones by (assignment, assessor),
    teaching ones by assignment."""
    schedule = gen.demo.schedule
    assert schedule is not None
    lookback = (gen.today - schedule.year.start_date).days + 1
    requests_generate_from_schedule(
        program=gen.program, on=gen.today, acting_user=acting_user, lookback_days=max(lookback, 1)
    )
    end_of_rotation: dict[tuple[int, int], Request] = {}
    teaching: dict[int, list[Request]] = defaultdict(list)
    for r in (
        Request.objects.filter(program=gen.program, status=RequestStatus.OPEN)
        .select_related("subject", "assessor", "assignment", "form")
        .order_by("pk")
    ):
        if r.assignment_id is None or r.assessor_id is None:
            continue
        if r.form_id == forms.end_of_rotation.form_id:
            end_of_rotation[(r.assignment_id, r.assessor_id)] = r
        elif forms.teaching is not None and r.form_id == forms.teaching.form_id:
            teaching[r.assignment_id].append(r)
    return end_of_rotation, teaching


def _logs(
    gen: _Generator, periods: list[_Period], framework: Framework
) -> tuple[list[LogType], int]:
    procedures = Item.objects.filter(framework=framework, code="EPA8").first()
    types = {
        code: LogType.objects.filter(program=gen.program, code=code).first()
        or log_type_create(
            program=gen.program,
            code=code,
            name=name,
            kind=kind,
            minimum=minimum,
            item=procedures if kind == LogKind.PROCEDURE else None,
            acting_user=gen.demo.people.coordinator,
        )
        for code, name, kind, minimum in LOG_TYPES
    }
    entries = 0
    for period in periods:
        if period.assignment is None:
            continue  # supervisors verify only what they supervised this year
        last = min(period.end, gen.today)
        share = ((last - period.start).days + 1) / 28
        roles, weights = LOG_ROLES[min(period.training_year, 3)]
        for code, per_block in LOGS_PER_BLOCK.get(period.rotation.activity.code, {}).items():
            mean = per_block * share * (0.8 + 0.2 * period.training_year)
            for _ in range(_poisson(gen.rng, mean)):
                day = period.start + dt.timedelta(
                    days=gen.rng.randint(0, (last - period.start).days)
                )
                supervisor = gen.rng.choice(period.supervisors)
                entry, _created = log_entry_create(
                    program=gen.program,
                    learner=period.learner,
                    log_type=types[code],
                    performed_on=day,
                    role=gen.rng.choices(roles, weights)[0],
                    supervisor=supervisor,
                    acting_user=period.learner,
                    today=gen.today,
                )
                entries += 1
                if (gen.today - day).days > 5 and gen.rng.random() < 0.85:
                    log_entry_verify(entry=entry, acting_user=supervisor)
    return list(types.values()), entries


def _exam(gen: _Generator) -> Exam | None:
    """Last autumn's in-training exam, for everyone who was a resident then."""
    day = dt.date(gen.today.year, 10, 10)
    if day > gen.today:
        day = dt.date(gen.today.year - 1, 10, 10)
    behind = 1 if day < academic_year_start(gen.today) else 0
    rows = ["learner_email,exam,date,score,percentile,max_score"]
    for year, cohort in sorted(gen.demo.people.residents.items()):
        then = year - behind
        if then < 1:
            continue
        peers = NormalDist(mu=57 + 5 * then, sigma=9)
        for person in cohort:
            score = _clip(gen.rng.gauss(57 + 5 * then + 12 * gen.ability[person.pk], 6), 20, 98)
            percentile = round(_clip(peers.cdf(score) * 100, 1, 99))
            rows.append(f"{person.email},{EXAM_NAME},{day},{score:.0f},{percentile},100")
    if len(rows) == 1:
        return None
    result = exam_scores_import(
        program=gen.program, data="\n".join(rows).encode(), acting_user=gen.demo.people.coordinator
    )
    if not result.ok:
        raise ValueError(f"demo exam scores refused: {result.problems[0]}")
    return Exam.objects.filter(program=gen.program, name=EXAM_NAME, taken_on=day).first()


@transaction.atomic
def generate_assessments(
    *,
    demo: Demo,
    rng: random.Random,
    months: int = 12,
    rate: float = 0.7,
    bulk: bool = False,
    extras: bool = True,
) -> DemoAssessments:
    """Assessments for the demo residency over the `months` up to `demo.today`.

    `rate` is the mean number of EPA observations a resident gets per week at the end of
    the period (a third of that at its start). `bulk` writes with bulk inserts (benchmarks
    only: the same rows, without the service's per-call checks). `extras` adds requests,
    teaching evaluations, logs and the exam; a benchmark may leave them out."""
    if months < 1 or rate < 0:
        raise ValueError("months must be at least 1 and rate not negative")
    forms_install_builtin()
    observation, eor = _version(OBSERVATION_FORM), _version(END_OF_ROTATION_FORM)
    if observation is None or eor is None:
        raise ValueError("The built-in observation and end-of-rotation forms are missing")
    forms = _Forms(observation=observation, end_of_rotation=eor, teaching=_version(TEACHING_FORM))
    gen = _Generator(demo=demo, rng=rng, months=months, rate=rate, bulk=bulk)
    framework = epa_framework(program=gen.program, acting_user=demo.people.coordinator)
    epas = {i.code: i for i in framework.items.filter(kind=ItemKind.EPA)}
    out = DemoAssessments(framework=framework)
    periods = gen.periods()
    requests, teaching = _requests(gen, forms, demo.people.coordinator) if extras else ({}, {})
    for period in periods:
        before = gen.writer.keys
        out.drafts += gen.observations(period, forms, epas)
        out.observations += gen.writer.keys - before
        if period.end > gen.today:
            continue
        for assessor in period.supervisors:
            request = None
            if period.assignment is not None and extras:
                request = requests.get((period.assignment.pk, assessor.pk))
                if request is None:
                    continue
                overdue = request.due_date < gen.today
                if gen.rng.random() > (0.82 if overdue else 0.45):
                    out.requests_open += 1
                    out.requests_overdue += overdue
                    continue
            elif gen.rng.random() > 0.8 or assessor is not period.supervisors[0]:
                continue
            gen.end_of_rotation(period, assessor, eor, request)
            out.end_of_rotation += 1
        if period.assignment is not None and forms.teaching is not None:
            for r in teaching.get(period.assignment.pk, []):
                if gen.rng.random() < 0.55:
                    gen.teaching(r, forms.teaching)
                    out.teaching += 1
    gen.writer.flush()
    out.ratings = gen.writer.ratings
    if extras:
        out.log_types, out.log_entries = _logs(gen, periods, framework)
        out.exam = _exam(gen)
    return out
