"""Roster files in: CSV and Excel (.xlsx), one membership per row.

Columns: email, first_name, last_name, role, training_year, start_date, and for a residency
or fellowship acgme_id (docs/formats.md, "Roster file"). An import is all-or-nothing: every
problem is listed by row (the header is row 1) and column, and nothing is written unless
there are none. A row whose person already holds the role is unchanged, or changed when the
learner's training year or ACGME ID differs, so importing the same file twice adds nothing
("0 added, 0 changed").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from trellis.audit.services import audit_import
from trellis.lib import importing
from trellis.lib.bounds import plausible_date
from trellis.lib.importing import Problem, Row, UnreadableFile, read_table
from trellis.people.accreditation import acgme_id_problem, is_acgme_program, membership_set_acgme_id
from trellis.people.models import Membership, Program, Role, User
from trellis.people.services import (
    MembershipError,
    membership_set_training_year,
    person_invite,
    program_member_add,
    role_from,
    training_year_problem,
)

COLUMNS = ("email", "first_name", "last_name", "role", "training_year", "start_date", "acgme_id")
REQUIRED_COLUMNS = ("email", "role", "start_date")
MAX_ROWS = 5_000  # a large medical school's whole roster, five times over
MAX_NAME = 150  # the person's name columns


@dataclass(frozen=True)
class RosterRow:
    row: int
    email: str
    first_name: str
    last_name: str
    role: Role
    training_year: int | None
    start_date: dt.date
    acgme_id: str = ""


@dataclass
class RosterResult(importing.ImportResult):
    added: int = 0
    changed: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        if not self.ok:
            return self.refusal()
        counts = f"{self.added} added, {self.changed} changed, {self.unchanged} unchanged"
        return f"Would be: {counts}" if self.dry_run else counts


def _parse(row: Row, program: Program) -> tuple[RosterRow | None, list[Problem]]:
    """One row as a RosterRow, or its problems (every one, each by column)."""
    problems: list[Problem] = []

    def wrong(column: str, message: str) -> None:
        problems.append(Problem(row.number, column, message))

    email = row.get("email").lower()
    try:
        validate_email(email)
    except ValidationError:
        wrong("email", f"'{email}' is not an e-mail address" if email else "required")
    for column in ("first_name", "last_name"):
        if len(row.get(column)) > MAX_NAME:
            wrong(column, f"longer than {MAX_NAME} characters")
    role = role_from(row.get("role"))
    if role is None:
        choices = ", ".join(r.value for r in Role if r != Role.ADMIN)
        wrong("role", f"'{row.get('role')}' is not a program role (one of {choices})")
    year_text = row.get("training_year")
    year = int(year_text) if year_text.isdigit() else None
    if year_text and year is None:
        wrong("training_year", f"'{year_text}' is not a whole number")
    elif role is not None:
        problem = training_year_problem(role, program, year)
        if problem:
            wrong("training_year", problem)
    acgme_id = row.get("acgme_id")
    if acgme_id and (role != Role.LEARNER or not is_acgme_program(program)):
        wrong("acgme_id", "only residents and fellows have an ACGME ID")
    elif acgme_id_problem(acgme_id):
        wrong("acgme_id", acgme_id_problem(acgme_id))
    start = None
    try:
        start = dt.date.fromisoformat(row.get("start_date"))
        if plausible_date(start):
            wrong("start_date", plausible_date(start))
    except ValueError:
        wrong("start_date", f"'{row.get('start_date')}' is not a date (YYYY-MM-DD)")
    if problems or role is None or start is None:
        return None, problems
    return RosterRow(
        row=row.number,
        email=email,
        first_name=row.get("first_name"),
        last_name=row.get("last_name"),
        role=role,
        training_year=year,
        start_date=start,
        acgme_id=acgme_id,
    ), []


def read_roster(
    *, program: Program, filename: str, data: bytes
) -> tuple[list[RosterRow], list[Problem]]:
    """The file's rows, or every problem with its shape, its header and its cells."""
    try:
        table = read_table(
            data=data, filename=filename, max_rows=MAX_ROWS, excel=True, casefold=True
        )
        problems = table.header_problems(required=REQUIRED_COLUMNS, known=COLUMNS)
        if problems:
            return [], problems
        rows: list[RosterRow] = []
        for row in table:
            parsed, found = _parse(row, program)
            problems += found
            if parsed is not None:
                rows.append(parsed)
    except UnreadableFile as exc:
        return [], [Problem(exc.line, "", str(exc), word="line")]
    if not rows and not problems:
        return [], [Problem(None, "", "The file has a header but no people")]
    return rows, problems


def _held(program: Program, rows: Iterable[RosterRow]) -> dict[tuple[str, str], Membership]:
    """The memberships of the file's people not ended before the earliest start, keyed by
    (e-mail, role); the latest where one person has several in a role."""
    starts = [r.start_date for r in rows]
    if not starts:
        return {}
    held: dict[tuple[str, str], Membership] = {}
    memberships = (
        Membership.objects.filter(program=program, person__email__in={r.email for r in rows})
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=min(starts)))
        .select_related("person")
        .order_by("start_date")
    )
    for m in memberships:
        held[(m.person.email, m.role)] = m
    return held


@dataclass
class _Plan:
    adds: list[RosterRow]
    changes: list[tuple[Membership, RosterRow]]
    unchanged: int
    problems: list[Problem]


def _differs(membership: Membership, r: RosterRow) -> bool:
    """Whether the row changes a membership the person holds (a blank cell keeps a value)."""
    year = r.training_year is not None and membership.training_year != r.training_year
    return year or bool(r.acgme_id and membership.acgme_id != r.acgme_id)


def _same_ids(rows: list[RosterRow]) -> list[Problem]:
    """Rows giving one ACGME ID to two people."""
    problems: list[Problem] = []
    first: dict[str, RosterRow] = {}
    for r in rows:
        if r.acgme_id:
            seen = first.setdefault(r.acgme_id.casefold(), r)
            if seen.email != r.email:
                message = f"{r.acgme_id} is {seen.email}'s ACGME ID on row {seen.row}"
                problems.append(Problem(r.row, "acgme_id", message))
    return problems


def _plan(program: Program, rows: list[RosterRow], roles: frozenset[Role] | None) -> _Plan:
    plan = _Plan(adds=[], changes=[], unchanged=0, problems=_same_ids(rows))
    refused = [r for r in rows if roles is not None and r.role not in roles]
    for r in refused:
        plan.problems.append(
            Problem(r.row, "role", f"you may not make anyone {r.role.label.lower()}")
        )
    rows = [r for r in rows if r not in refused]
    known = set(
        User.objects.filter(email__in={r.email for r in rows}).values_list("email", flat=True)
    )
    held = _held(program, rows)
    seen: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r.email, r.role.value)
        if key in seen:
            plan.problems.append(
                Problem(
                    r.row, "email", f"{r.email} is {r.role.label.lower()} on row {seen[key]} too"
                )
            )
            continue
        seen[key] = r.row
        membership = held.get(key)
        if membership is not None and (
            membership.end_date is None or membership.end_date >= r.start_date
        ):
            if _differs(membership, r):
                plan.changes.append((membership, r))
            else:
                plan.unchanged += 1
        elif r.email not in known and not (r.first_name and r.last_name):
            plan.problems.append(
                Problem(
                    r.row, "first_name", f"{r.email} is new: first_name and last_name are required"
                )
            )
        else:
            plan.adds.append(r)
    return plan


def roster_import(
    *,
    program: Program,
    filename: str,
    data: bytes,
    acting_user: User | None,
    dry_run: bool = False,
    invite: bool = False,
    roles: frozenset[Role] | None = None,
) -> RosterResult:
    """Import a roster file into the program: all of it, or (with problems) none of it.
    `invite` e-mails a set-password link to each person the file adds as new; `roles`,
    when given, are the only roles the importing person may give (the page's rule that a
    coordinator makes no program director)."""
    result = _roster_import(program, filename, data, acting_user, dry_run, invite, roles)
    if not dry_run:
        audit_import(
            actor=acting_user,
            program=program,
            what="roster",
            filename=filename,
            problems=len(result.problems),
            written=result.added + result.changed,
        )
    return result


def _roster_import(
    program: Program,
    filename: str,
    data: bytes,
    acting_user: User | None,
    dry_run: bool,
    invite: bool,
    roles: frozenset[Role] | None,
) -> RosterResult:
    result = RosterResult(dry_run=dry_run)
    rows, problems = read_roster(program=program, filename=filename, data=data)
    plan = _plan(program, rows, roles)  # the rows that read well, so every problem shows at once
    if problems or plan.problems:
        result.problems = sorted([*problems, *plan.problems], key=lambda p: p.line or 0)
        return result
    result.added, result.changed, result.unchanged = (
        len(plan.adds),
        len(plan.changes),
        plan.unchanged,
    )
    if dry_run:
        return result
    try:
        _apply(program, plan, acting_user=acting_user, invite=invite)
    except _Refused as refused:
        result.problems = [refused.problem]
        result.added = result.changed = result.unchanged = 0
    return result


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@transaction.atomic
def _apply(program: Program, plan: _Plan, *, acting_user: User | None, invite: bool) -> None:
    for r in plan.adds:
        try:
            added = program_member_add(
                program=program,
                email=r.email,
                first_name=r.first_name,
                last_name=r.last_name,
                role=r.role,
                start_date=r.start_date,
                training_year=r.training_year,
                acting_user=acting_user,
            )
        except MembershipError as exc:  # a rule the plan did not foresee: write nothing
            raise _Refused(Problem(r.row, exc.field, str(exc))) from exc
        if invite and added.person_created:
            person_invite(person=added.membership.person, program=program, acting_user=acting_user)
        _set_id(added.membership, r, acting_user)
    for membership, r in plan.changes:
        if r.training_year is not None and membership.training_year != r.training_year:
            membership_set_training_year(
                membership=membership, training_year=r.training_year, acting_user=acting_user
            )
        _set_id(membership, r, acting_user)


def _set_id(membership: Membership, r: RosterRow, acting_user: User | None) -> None:
    if not r.acgme_id:
        return
    try:
        membership_set_acgme_id(membership=membership, acgme_id=r.acgme_id, acting_user=acting_user)
    except MembershipError as exc:  # another person of the program holds it
        raise _Refused(Problem(r.row, "acgme_id", str(exc))) from exc
