"""What faculty saw, drawn from the seeded generator: EPA observations week by week,
end-of-rotation milestone evaluations and learners' evaluations of their teachers.

Levels follow the resident's training year and growth within it, the resident's own
ability (a couple are struggling), each rater's leniency (`demo.people.leniency`) and some
noise; now and then an item is "not observed". Comments come from banks that match the
level, with specific next steps and, depending on the rater, vague ones too.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from trellis.analytics.synthetic import BASE, GAIN
from trellis.assessments.capture.services import CommentInput, RatingInput
from trellis.assessments.models import AssessorRole, FormVersion, Request
from trellis.demo.assessment_bank import (
    DEFAULT_EPAS,
    EPAS_BY_ROTATION,
    HARD_EPAS,
    NEXT_TIME,
    SITUATIONS,
    STRENGTHS,
    VAGUE_NEXT_TIME,
    VAGUE_WENT_WELL,
    WENT_WELL,
)
from trellis.demo.assessment_writer import AssessmentWriter
from trellis.demo.schedule import academic_year_start
from trellis.frameworks.models import Item, ItemKind
from trellis.people.models import User
from trellis.scheduling.models import Assignment, Rotation, Site
from trellis.scheduling.selectors import rotation_expected_items

if TYPE_CHECKING:
    from trellis.demo.generator import Demo

YEAR_DAYS = 364  # thirteen four-week blocks: a block a year earlier falls on the same weekday
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Period:
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
class Forms:
    observation: FormVersion
    end_of_rotation: FormVersion
    teaching: FormVersion | None
    rotation: FormVersion | None = None


def poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def bank_comments(
    rng: random.Random,
    band: str,
    first: str,
    bank: dict[str, tuple[str, ...]],
    vagueness: float,
    *,
    chances: tuple[float, float],
) -> list[CommentInput]:
    """A comment under `first` (from `bank`) and a next step, each written with the
    chance given, and vague (from the vague banks) with chance `vagueness`."""
    out = []
    for (key, specific, vague), chance in zip(
        ((first, bank, VAGUE_WENT_WELL), ("next-time", NEXT_TIME, VAGUE_NEXT_TIME)),
        chances,
        strict=True,
    ):
        if rng.random() < chance:
            text = rng.choice(vague) if rng.random() < vagueness else rng.choice(specific[band])
            out.append(CommentInput(key, text))
    return out


def clip(value: float, low: float = 1.0, high: float = 5.0) -> float:
    return max(low, min(high, value))


class ObservationGenerator:
    def __init__(
        self, *, demo: Demo, rng: random.Random, months: int, rate: float, bulk: bool
    ) -> None:
        self.demo = demo
        self.rng = rng
        self.program = demo.programs.residency
        self.today = demo.today
        self.window_start = self.today - dt.timedelta(days=round(months * 30.44))
        self.rate = rate
        self.writer = AssessmentWriter(bulk=bulk, program=self.program)
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

    def experience(self, period: Period, day: dt.date) -> float:
        """Years of training at `day`: the training year then, and how far into it."""
        into = (day - academic_year_start(day)).days / 365
        return (period.training_year - 1) + into

    def epa_level(self, period: Period, day: dt.date, assessor: User, code: str) -> Decimal:
        mean = 1.8 + 0.95 * self.experience(period, day) + self.ability[period.learner.pk]
        mean += 0.8 * self.leniency.get(assessor.email, 0.0) - (0.4 if code in HARD_EPAS else 0)
        return Decimal(round(clip(self.rng.gauss(mean, 0.6)))).quantize(TENTH)

    def milestone_level(self, period: Period, day: dt.date, assessor: User) -> Decimal:
        # The same trajectory as the analytics generator (and so the demo's consortium):
        # about 1.7 at the start of training, rising 2.8 levels over three years.
        mean = (
            BASE + GAIN / 3 * self.experience(period, day) + 0.8 * self.ability[period.learner.pk]
        )
        mean += 0.5 * self.leniency.get(assessor.email, 0.0)
        return Decimal(round(clip(self.rng.gauss(mean, 0.35)) * 2) / 2).quantize(TENTH)

    def comments(
        self, assessor: User, band: str, first: str, bank: dict[str, tuple[str, ...]]
    ) -> list[CommentInput]:
        """What went well (or strengths) and a next step, each vague as often as this
        rater's comments are."""
        vagueness = 1 - self.specificity.get(assessor.email, 0.8)
        return bank_comments(self.rng, band, first, bank, vagueness, chances=(0.9, 0.8))

    def submitted(self, day: dt.date, late_days: int) -> dt.datetime:
        at = dt.datetime.combine(day + dt.timedelta(days=late_days), dt.time(17, 0))
        return min(timezone.make_aware(at), self.now)

    # -- the schedule, back through the months ---------------------------------------------

    def periods(self) -> list[Period]:
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
                        Period(
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

    def observations(self, period: Period, forms: Forms, epas: dict[str, Item]) -> int:
        codes = EPAS_BY_ROTATION.get(period.rotation.activity.code, DEFAULT_EPAS)
        span = max((self.today - self.window_start).days, 1)
        last = min(period.end, self.today)
        drafts = 0
        week = period.start
        while week <= last:
            progress = (week - self.window_start).days / span
            for _ in range(poisson(self.rng, self.rate * (0.35 + 0.65 * progress))):
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
        self, period: Period, assessor: User, form: FormVersion, request: Request | None
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
            RatingInput(q.item, Decimal(round(clip(self.rng.gauss(base, 0.6)))).quantize(TENTH))
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

    def rotation_evaluation(self, request: Request, form: FormVersion) -> None:
        """A learner's evaluation of the rotation they were on, answering its request:
        each rotation has its own standing, so the program evaluation page has something
        to tell."""
        learner = request.assessor
        assert learner is not None and request.assignment is not None
        rotation = request.assignment.rotation
        # 3.0 to 4.0, fixed per rotation by its code (not its id: two runs from one seed
        # must agree row for row, whatever ids the database hands out).
        base = 3.0 + zlib.crc32(rotation.activity.code.encode()) % 11 / 10
        ratings = [
            RatingInput(q.item, Decimal(round(clip(self.rng.gauss(base, 0.7)))).quantize(TENTH))
            for q in form.questions.select_related("item")
        ]
        comments = [CommentInput("went-well", self.rng.choice(ROTATION_PRAISE))]
        if self.rng.random() < 0.7:
            comments.append(CommentInput("next-time", self.rng.choice(ROTATION_NEXT)))
        end = request.assignment.end_date
        self.writer.submit(
            form_version=form,
            subject=learner,
            assessor=learner,
            assessor_role=AssessorRole.LEARNER,
            observed_on=end,
            ratings=ratings,
            comments=comments,
            submitted_at=self.submitted(end, self.rng.randint(0, 10)),
            request=request,
            assignment=request.assignment,
        )


ROTATION_PRAISE = (
    "I managed my own patients from admission to discharge.",
    "Teaching rounds every morning, protected from pages.",
    "A wide case mix; I saw things I had only read about.",
    "The nurses and pharmacists taught as much as the attendings.",
    "Clear expectations from the first day.",
)
ROTATION_NEXT = (
    "Too many admissions on call to learn from any of them.",
    "Give us a written orientation: the first two days were lost.",
    "More time in clinic, less on discharge paperwork.",
    "Feedback came only at the end; a midpoint check would help.",
    "Protect the didactic half-day from service work.",
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
