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

This module runs the year; the draws are in `observations`, the writes in
`assessment_writer`, and the logs and the exam in `logs`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

from trellis.assessments.instruments.builtin import forms_install_builtin
from trellis.assessments.models import Exam, Form, FormVersion, LogType, Request, RequestStatus
from trellis.assessments.requests.services import requests_generate_from_schedule
from trellis.demo.assessment_bank import EPA_FRAMEWORK_SLUG, EPA_ROWS
from trellis.demo.logs import generate_exam, generate_logs
from trellis.demo.observations import Forms, ObservationGenerator
from trellis.frameworks.models import Framework, ItemKind
from trellis.frameworks.services import framework_adopt, framework_import
from trellis.people.models import Program, User

if TYPE_CHECKING:
    from trellis.demo.generator import Demo

OBSERVATION_FORM = "epa-observation-ottawa"
END_OF_ROTATION_FORM = "end-of-rotation"
TEACHING_FORM = "teaching-evaluation"
ROTATION_FORM = "rotation-evaluation"


@dataclass
class DemoAssessments:
    framework: Framework
    observations: int = 0
    end_of_rotation: int = 0
    teaching: int = 0
    rotation_evaluations: int = 0
    drafts: int = 0
    ratings: int = 0
    requests_open: int = 0
    requests_overdue: int = 0
    log_types: list[LogType] = field(default_factory=list)
    log_entries: int = 0
    exam: Exam | None = None


def builtin_version(slug: str) -> FormVersion | None:
    """The latest version of a built-in form, None where it is not installed."""
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


def _requests(
    gen: ObservationGenerator, forms: Forms, acting_user: User | None
) -> tuple[dict[tuple[int, int], Request], dict[int, list[Request]]]:
    """The schedule's open requests so far: end-of-rotation ones by (assignment, assessor),
    the learner's teaching and rotation evaluations by assignment."""
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
        elif any(
            f is not None and r.form_id == f.form_id for f in (forms.teaching, forms.rotation)
        ):
            teaching[r.assignment_id].append(r)
    return end_of_rotation, teaching


def _evaluate(
    gen: ObservationGenerator, forms: Forms, asked: list[Request], out: DemoAssessments
) -> None:
    """The learner answers about half the evaluations asked of them: the completion rate
    shows the rest."""
    for r in asked:
        if gen.rng.random() >= 0.55:
            continue
        if forms.rotation is not None and r.form_id == forms.rotation.form_id:
            gen.rotation_evaluation(r, forms.rotation)
            out.rotation_evaluations += 1
        elif forms.teaching is not None:
            gen.teaching(r, forms.teaching)
            out.teaching += 1


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
    observation, eor = builtin_version(OBSERVATION_FORM), builtin_version(END_OF_ROTATION_FORM)
    if observation is None or eor is None:
        raise ValueError("The built-in observation and end-of-rotation forms are missing")
    forms = Forms(
        observation=observation,
        end_of_rotation=eor,
        teaching=builtin_version(TEACHING_FORM),
        rotation=builtin_version(ROTATION_FORM),
    )
    gen = ObservationGenerator(demo=demo, rng=rng, months=months, rate=rate, bulk=bulk)
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
        if period.assignment is not None:
            _evaluate(gen, forms, teaching.get(period.assignment.pk, []), out)
    gen.writer.flush()
    out.ratings = gen.writer.ratings
    if extras:
        out.log_types, out.log_entries = generate_logs(gen, periods, framework)
        out.exam = generate_exam(gen)
    return out
