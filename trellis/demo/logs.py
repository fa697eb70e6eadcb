"""The demo residents' other evidence: procedure and case logs with minimums, most
entries verified by the supervisor, and last autumn's in-training exam."""

from __future__ import annotations

import datetime as dt
from statistics import NormalDist

from trellis.assessments.exams import exam_scores_import
from trellis.assessments.logs.services import log_entry_create, log_entry_verify, log_type_create
from trellis.assessments.models import Exam, LogKind, LogRole, LogType
from trellis.demo.observations import ObservationGenerator, Period, clip, poisson
from trellis.demo.schedule import academic_year_start
from trellis.frameworks.models import Framework, Item

EXAM_NAME = "Internal Medicine In-Training Examination"

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


def generate_logs(
    gen: ObservationGenerator, periods: list[Period], framework: Framework
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
            for _ in range(poisson(gen.rng, mean)):
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


def generate_exam(gen: ObservationGenerator) -> Exam | None:
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
            score = clip(gen.rng.gauss(57 + 5 * then + 12 * gen.ability[person.pk], 6), 20, 98)
            percentile = round(clip(peers.cdf(score) * 100, 1, 99))
            rows.append(f"{person.email},{EXAM_NAME},{day},{score:.0f},{percentile},100")
    if len(rows) == 1:
        return None
    result = exam_scores_import(
        program=gen.program, data="\n".join(rows).encode(), acting_user=gen.demo.people.coordinator
    )
    if not result.ok:
        raise ValueError(f"demo exam scores refused: {result.problems[0]}")
    return Exam.objects.filter(program=gen.program, name=EXAM_NAME, taken_on=day).first()
