"""A program's rating fact table (`trellis.analytics.facts`), built from the database.

Committees is the lowest layer that sees both halves of the evidence: every
observation rating that counts (`assessments.evidence.evidence_filter`, developmental
frameworks left out) and every committee level of a signed-off review (the current
row, never a superseded one). Keys are pseudonyms (`Pseudonymiser`), so the table
carries no name or e-mail; they are stable per install (the analytics key setting).

Two queries per program for ratings and committee levels, one for comment lengths
and one for memberships, however many rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.db.models import Q, Sum
from django.db.models.functions import Length
from django.utils import timezone

from trellis.analytics.facts import COMMITTEE, Pseudonymiser, occasion_of, table_from_rows
from trellis.assessments.evidence import DEVELOPMENTAL, evidence_filter
from trellis.assessments.models import Comment, Rating
from trellis.committees.models import CommitteeLevel, CycleStatus
from trellis.people.models import Institution, Program
from trellis.people.selectors import was_learner_of

ACADEMIC_YEAR_MONTH = 7  # GME training years start on July 1


def pseudonymiser() -> Pseudonymiser:
    """The install's key: TRELLIS_ANALYTICS_KEY, else one derived from SECRET_KEY."""
    secret = getattr(settings, "TRELLIS_ANALYTICS_KEY", "") or settings.SECRET_KEY
    return Pseudonymiser(secret=hashlib.sha256(f"analytics:{secret}".encode()).digest())


def _academic_year_start(day: dt.date) -> dt.date:
    return dt.date(day.year if day.month >= ACADEMIC_YEAR_MONTH else day.year - 1, 7, 1)


def _training_starts(program: Program) -> dict[int, dt.date]:
    """Each learner's first day of training. A membership's training year is the year
    the learner is in at its end (today, if it is open), so training began that many
    academic years before: a PGY2 today began in July of last year."""
    today = timezone.localdate()
    starts: dict[int, dt.date] = {}
    for person_id, _start, end, year in was_learner_of(program=program).values_list(
        "person_id", "start_date", "end_date", "training_year"
    ):
        reference = _academic_year_start(min(end or today, today))
        began = reference.replace(year=reference.year - max((year or 1) - 1, 0))
        if person_id not in starts or began < starts[person_id]:
            starts[person_id] = began
    return starts


def _month_in_training(start: dt.date | None, day: dt.date) -> int | None:
    if start is None:
        return None
    return max((day.year - start.year) * 12 + day.month - start.month + 1, 1)


def _period(day: dt.date) -> str:
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def _row(
    *,
    keys: Pseudonymiser,
    program: Program,
    start: dt.date | None,
    learner_id: int,
    rater: str,
    assessment: str,
    item: tuple[str, str, str],
    day: dt.date,
    role: str,
    kind: str,
    level: Any,
    not_observed: bool,
    comment_chars: int,
) -> dict[str, object]:
    month = _month_in_training(start, day)
    framework, code, item_kind = item
    value = float(level) if level is not None else None
    return {
        "learner": keys.key("learner", learner_id),
        "rater": rater,
        "program": keys.key("program", program.pk),
        "institution": keys.key("institution", program.institution_id),
        "assessment": assessment,
        "framework": framework,
        "item": code,
        "item_kind": item_kind,
        "training_year": None if month is None else (month - 1) // 12 + 1,
        "month_in_training": month,
        "date": day,
        "period": _period(day),
        "occasion": None if month is None else occasion_of(month),
        "assessor_role": role,
        "form_kind": kind,
        "level": value,
        "not_observed": not_observed,
        "committee_level": value if kind == COMMITTEE else None,
        "comment_chars": comment_chars,
    }


def _observation_rows(
    program: Program, keys: Pseudonymiser, starts: dict[int, dt.date]
) -> list[dict[str, object]]:
    ratings = (
        Rating.objects.filter(evidence_filter(program=program, start=None, end=None))
        .exclude(DEVELOPMENTAL)
        .values_list(
            "assessment_id",
            "assessment__subject_id",
            "assessment__assessor_id",
            "assessment__assessor_name",
            "assessment__assessor_role",
            "assessment__form_version__form__kind",
            "assessment__observed_on",
            "item__framework__slug",
            "item__code",
            "item__kind",
            "level",
            "not_observed",
        )
        .order_by("assessment_id", "item_id")
    )
    chars = dict(
        Comment.objects.filter(assessment__program=program)
        .values("assessment_id")
        .annotate(n=Sum(Length("text")))
        .values_list("assessment_id", "n")
        .order_by()
    )
    rows = []
    for aid, subject, assessor, name, role, kind, day, fw, code, ikind, level, no in ratings:
        # No account: the name the rater gave; an anonymous answer (a patient's) is a
        # rater of its own, not one "anonymous" rater pooling every patient.
        who = assessor or (f"name:{name}" if name else f"anonymous:{aid}")
        rater = keys.key("rater", who)
        rows.append(
            _row(
                keys=keys,
                program=program,
                start=starts.get(subject),
                learner_id=subject,
                rater=rater,
                assessment=keys.key("assessment", aid),
                item=(fw, code, ikind),
                day=day,
                role=role,
                kind=kind,
                level=level,
                not_observed=no,
                comment_chars=chars.get(aid) or 0,
            )
        )
    return rows


def _committee_rows(
    program: Program, keys: Pseudonymiser, starts: dict[int, dt.date]
) -> list[dict[str, object]]:
    levels = (
        CommitteeLevel.objects.filter(
            review__cycle__program=program,
            review__cycle__status=CycleStatus.SIGNED_OFF,
            superseded_by__isnull=True,
            level__isnull=False,
        )
        .exclude(Q(item__framework__developmental=True))
        .values_list(
            "review_id",
            "review__learner_id",
            "review__cycle__period_end",
            "item__framework__slug",
            "item__code",
            "item__kind",
            "level",
        )
        .order_by("review_id", "item_id")
    )
    committee = keys.key("rater", f"committee:{program.pk}")
    return [
        _row(
            keys=keys,
            program=program,
            start=starts.get(learner),
            learner_id=learner,
            rater=committee,
            assessment=keys.key("assessment", f"review:{review}"),
            item=(fw, code, ikind),
            day=day,
            role=COMMITTEE,
            kind=COMMITTEE,
            level=level,
            not_observed=False,
            comment_chars=0,
        )
        for review, learner, day, fw, code, ikind, level in levels
    ]


def program_facts(*, program: Program) -> pa.Table:
    """The program's fact table: observation ratings, then committee levels."""
    keys = pseudonymiser()
    starts = _training_starts(program)
    return table_from_rows(
        _observation_rows(program, keys, starts) + _committee_rows(program, keys, starts)
    )


def institution_facts(*, institution: Institution) -> pa.Table:
    """Every program of the institution, pooled (the programs keep their own keys)."""
    tables = [program_facts(program=p) for p in Program.objects.filter(institution=institution)]
    return pa.concat_tables(tables) if tables else table_from_rows([])


def learner_key(*, learner_id: int) -> str:
    """The learner's pseudonym, to find their rows in an analysis."""
    return pseudonymiser().key("learner", learner_id)


def rater_key(*, user_id: int) -> str:
    return pseudonymiser().key("rater", user_id)


def program_key(*, program: Program) -> str:
    return pseudonymiser().key("program", program.pk)
