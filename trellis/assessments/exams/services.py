"""Exam scores: the CSV importer and the writes behind it.

The file has a header row and one score a row:

    learner_email,exam,date,score[,percentile][,max_score]

Import is all-or-nothing: every row is checked first, and a file with any problem is
refused whole, each problem named by its row (the header is row 1), writing nothing. A
score already in Trellis is *unchanged* when the file gives the same score, and refused
when it gives a different one: a correction is a decision, not a re-import. So importing
the same file twice imports nothing the second time.

Each exam created is linked to the program's Medical Knowledge items: the items under a
"Medical Knowledge" competency (or coded MK...) of the frameworks the program adopts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import DecimalField, Q

from trellis.assessments.models import Exam, ExamScore
from trellis.audit.services import audit_import, audit_record
from trellis.frameworks.models import Adoption, Item, ItemKind
from trellis.lib.bounds import decimal_problem, plausible_date
from trellis.lib.importing import ImportResult, Problem, UnreadableFile, read_table
from trellis.people.models import Membership, Program, Role, User

REQUIRED = ["learner_email", "exam", "date", "score"]
OPTIONAL = ["percentile", "max_score"]
MAX_ROWS = 20000


@dataclass
class ExamImportResult(ImportResult):
    created: int = 0
    unchanged: int = 0
    exams_created: int = 0


@dataclass(frozen=True)
class _Row:
    number: int
    learner: User
    exam: str
    taken_on: dt.date
    score: Decimal
    percentile: int | None
    max_score: Decimal | None


def medical_knowledge_items(*, program: Program) -> list[Item]:
    """The Medical Knowledge items of the frameworks the program adopts."""
    adopted = Adoption.objects.current().filter(program=program).values("framework_id")
    competencies = Item.objects.filter(framework_id__in=adopted, kind=ItemKind.COMPETENCY).filter(
        Q(name__iexact="Medical Knowledge") | Q(code__iexact="MK")
    )
    return list(
        Item.objects.filter(framework_id__in=adopted)
        .filter(Q(parent__in=competencies) | Q(code__regex=r"^MK[0-9]"))
        .distinct()
        .order_by("framework_id", "position")
    )


def _decimal(text: str, column: str) -> Decimal | None:
    """The number, None when it is not one or does not fit the column (1E+999999999 would
    be stored as Infinity on SQLite, and break every page that shows it)."""
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    model = Exam if column == "max_score" else ExamScore
    field = model._meta.get_field(column)
    assert isinstance(field, DecimalField)
    return None if decimal_problem(value, field) else value


class _Checker:
    def __init__(self, program: Program) -> None:
        self.program = program
        self.problems: list[Problem] = []
        learner_ids = Membership.objects.filter(program=program, role=Role.LEARNER).values(
            "person_id"
        )
        self.learners = {u.email.lower(): u for u in User.objects.filter(pk__in=learner_ids)}
        self.seen: dict[tuple[str, str, dt.date], int] = {}
        self.max_scores: dict[tuple[str, dt.date], Decimal] = {}

    def problem(self, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(row, column, message))

    def row(self, n: int, raw: dict[str, str]) -> _Row | None:
        before = len(self.problems)
        email = raw["learner_email"].lower()
        learner = self.learners.get(email)
        if not email:
            self.problem(n, "learner_email", "empty")
        elif learner is None:
            self.problem(n, "learner_email", f"{email} is not a learner of {self.program}")
        exam = raw["exam"]
        if not exam:
            self.problem(n, "exam", "empty")
        elif len(exam) > 200:
            self.problem(n, "exam", "longer than 200 characters")
        try:
            taken_on = dt.date.fromisoformat(raw["date"])
        except ValueError:
            self.problem(n, "date", f"'{raw['date']}' is not a date (YYYY-MM-DD)")
            taken_on = None
        if taken_on is not None and plausible_date(taken_on):
            self.problem(n, "date", plausible_date(taken_on))
            taken_on = None
        score = _decimal(raw["score"], "score")
        if score is None or score < 0 or score >= 100000:
            self.problem(
                n,
                "score",
                f"'{raw['score']}' is not a score (a number from 0 to 99999.99, 2 decimals)",
            )
        max_score, percentile = self._optional(n, raw)
        if len(self.problems) > before or learner is None or taken_on is None or score is None:
            return None
        key = (email, exam.casefold(), taken_on)
        if key in self.seen:
            self.problem(n, "", f"duplicate of row {self.seen[key]} (same learner, exam, date)")
            return None
        self.seen[key] = n
        if max_score is not None:
            known = self.max_scores.setdefault((exam.casefold(), taken_on), max_score)
            if known != max_score:
                self.problem(n, "max_score", f"{max_score} differs from {known} on an earlier row")
            elif score > max_score:
                self.problem(n, "score", f"{score} is above the maximum score {max_score}")
        return _Row(n, learner, exam, taken_on, score, percentile, max_score)

    def _optional(self, n: int, raw: dict[str, str]) -> tuple[Decimal | None, int | None]:
        """The row's max_score and percentile, None where left blank (or wrong)."""
        max_score = _decimal(raw["max_score"], "max_score") if raw.get("max_score") else None
        if raw.get("max_score") and (max_score is None or max_score <= 0):
            self.problem(
                n,
                "max_score",
                f"'{raw['max_score']}' is not a positive number (at most 99999.99, 2 decimals)",
            )
        percentile = None
        if raw.get("percentile"):
            try:
                percentile = int(raw["percentile"])
            except ValueError:
                percentile = -1
            if not 0 <= percentile <= 100:
                self.problem(n, "percentile", f"'{raw['percentile']}' is not a whole 0-100")
                percentile = None
        return max_score, percentile


def _read(data: bytes, checker: _Checker) -> list[_Row]:
    rows = []
    try:
        table = read_table(data=data, max_rows=MAX_ROWS, casefold=True)
        missing = [c for c in REQUIRED if c not in table.header]
        if missing:
            checker.problem(1, "", f"missing column(s): {', '.join(missing)}")
            return []
        for raw in table:
            row = checker.row(raw.number, raw.values)
            if row is not None:
                rows.append(row)
    except UnreadableFile as exc:
        checker.problem(None, "", str(exc))
    if not rows and not checker.problems:
        checker.problem(None, "", "the file has no scores")
    return rows


def _plan(program: Program, rows: list[_Row], checker: _Checker) -> tuple[list[_Row], int]:
    """The rows to write, and how many are already there; different scores are problems."""
    exams = {
        (e.name.casefold(), e.taken_on): e
        for e in Exam.objects.filter(program=program, taken_on__in={r.taken_on for r in rows})
    }
    existing = {
        (s.exam_id, s.learner_id): s
        for s in ExamScore.objects.filter(exam__in=list(exams.values()))
    }
    new, unchanged = [], 0
    for r in rows:
        exam = exams.get((r.exam.casefold(), r.taken_on))
        if exam and r.max_score is not None and exam.max_score not in (None, r.max_score):
            checker.problem(r.number, "max_score", f"{exam} has maximum {exam.max_score}")
        score = existing.get((exam.pk, r.learner.pk)) if exam else None
        if score is None:
            new.append(r)
        elif score.score == r.score and (r.percentile is None or r.percentile == score.percentile):
            unchanged += 1
        else:
            checker.problem(
                r.number,
                "score",
                f"{r.learner.email} already has {score.score} on {exam}; a different score "
                "is refused (correct it in Trellis, or remove the row)",
            )
    return new, unchanged


def _write(
    program: Program, rows: list[_Row], acting_user: User | None, items: list[Item] | None
) -> tuple[int, int]:
    mk_items = medical_knowledge_items(program=program) if items is None else items
    exams: dict[tuple[str, dt.date], Exam] = {}
    made = 0
    for r in rows:
        key = (r.exam.casefold(), r.taken_on)
        if key not in exams:
            exam = Exam.objects.filter(
                program=program, name__iexact=r.exam, taken_on=r.taken_on
            ).first()
            if exam is None:
                exam = Exam.objects.create(
                    program=program, name=r.exam, taken_on=r.taken_on, max_score=r.max_score
                )
                exam.items.set(mk_items)
                made += 1
                audit_record(actor=acting_user, action="exam.create", target=exam, program=program)
            elif exam.max_score is None and r.max_score is not None:
                exam.max_score = r.max_score
                exam.save(update_fields=["max_score"])
            exams[key] = exam
    scores = ExamScore.objects.bulk_create(
        [
            ExamScore(
                exam=exams[(r.exam.casefold(), r.taken_on)],
                learner=r.learner,
                score=r.score,
                percentile=r.percentile,
            )
            for r in rows
        ]
    )
    if scores:
        audit_record(
            actor=acting_user,
            action="exam_score.import",
            target=program,
            after={"scores": len(scores), "exams": sorted({str(e) for e in exams.values()})},
            program=program,
        )
    return len(scores), made


def exam_scores_import(
    *,
    program: Program,
    data: bytes,
    acting_user: User | None,
    dry_run: bool = False,
    filename: str = "",
    items: list[Item] | None = None,
) -> ExamImportResult:
    """Check the whole file, then (unless it has problems, or `dry_run`) write it. An exam
    created speaks to `items` where given (an LMS assignment mapped by a coordinator), to
    the program's Medical Knowledge items otherwise."""
    checker = _Checker(program)
    rows = _read(data, checker)
    new, unchanged = _plan(program, rows, checker) if rows else ([], 0)
    result = ExamImportResult(unchanged=unchanged, problems=checker.problems, dry_run=dry_run)
    if dry_run:
        result.created = len(new) if result.ok else 0
        return result
    if result.ok:
        with transaction.atomic():
            result.created, result.exams_created = _write(program, new, acting_user, items)
    audit_import(
        actor=acting_user,
        program=program,
        what="exam scores",
        filename=filename,
        problems=len(result.problems),
        written=result.created,
    )
    return result
