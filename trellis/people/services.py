"""Writes to institutions, programs, people and memberships. Every change is audited in the
transaction that makes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from trellis.audit.services import audit_record, audited_update, snapshot
from trellis.lib.bounds import plausible_date
from trellis.lib.urls import absolute_url
from trellis.people.models import (
    CohortPromotion,
    Department,
    Institution,
    Membership,
    Program,
    ProgramKind,
    Role,
    User,
    program_slug_free,
)
from trellis.people.selectors import last_promotion, learners_of, membership_holding

MEMBERSHIP_FIELDS = [
    "person",
    "institution",
    "program",
    "role",
    "training_year",
    "start_date",
    "end_date",
]


@transaction.atomic
def institution_create(*, slug: str, name: str, acting_user: User | None) -> Institution:
    institution = Institution.objects.create(slug=slug, name=name)
    audit_record(
        actor=acting_user,
        action="institution.create",
        target=institution,
        after=snapshot(institution, ["slug", "name"]),
        institution=institution,
    )
    return institution


@transaction.atomic
def department_create(
    *, institution: Institution, name: str, acting_user: User | None
) -> Department:
    department = Department.objects.create(institution=institution, name=name)
    audit_record(
        actor=acting_user,
        action="department.create",
        target=department,
        after=snapshot(department, ["institution", "name"]),
        institution=institution,
    )
    return department


@transaction.atomic
def program_create(
    *,
    institution: Institution,
    slug: str,
    name: str,
    kind: ProgramKind,
    acting_user: User | None,
    specialty: str = "",
    length_years: int = 3,
) -> Program:
    if length_years < 1:
        raise ValueError("A program lasts at least one year")
    program_slug_free(slug)
    program = Program.objects.create(
        institution=institution,
        slug=slug,
        name=name,
        kind=kind,
        specialty=specialty,
        length_years=length_years,
    )
    audit_record(
        actor=acting_user,
        action="program.create",
        target=program,
        after=snapshot(
            program, ["institution", "slug", "name", "kind", "specialty", "length_years"]
        ),
        program=program,
    )
    return program


@transaction.atomic
def person_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    acting_user: User | None,
    password: str | None = None,
    department: Department | None = None,
    source: str | None = None,
) -> User:
    """Without a password the person cannot log in until one is set (or a reset is sent).
    `source` names what created them where no one did (e.g. "oidc": a first sign-on)."""
    person = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        department=department,
    )
    after = snapshot(person, ["email", "first_name", "last_name", "department"])
    if source is not None:
        after["source"] = source
    audit_record(
        actor=acting_user,
        action="person.create",
        target=person,
        after=after,
        institution=department.institution if department else None,
    )
    return person


def _check_training_year(role: Role, program: Program | None, training_year: int | None) -> None:
    if training_year is None:
        return
    if role != Role.LEARNER or program is None:
        raise ValueError("Only learners in a program have a training year")
    if not 1 <= training_year <= program.length_years:
        raise ValueError(f"Training year must be between 1 and {program.length_years}")


@transaction.atomic
def membership_add(
    *,
    person: User,
    program: Program | None,
    role: Role,
    start_date: dt.date,
    acting_user: User | None,
    training_year: int | None = None,
    end_date: dt.date | None = None,
    institution: Institution | None = None,
) -> Membership:
    """Give a person a role in a program. Institution admins hold their role in an
    institution instead: pass `program=None` and the `institution`."""
    if program is not None:
        if institution is not None and institution.pk != program.institution_id:
            raise ValueError("The program belongs to another institution")
        institution = program.institution
    elif role != Role.ADMIN or institution is None:
        raise ValueError("Only an institution admin may be a member without a program")
    if end_date is not None and end_date < start_date:
        raise ValueError("A membership cannot end before it starts")
    _check_training_year(role, program, training_year)
    membership = Membership.objects.create(
        person=person,
        program=program,
        institution=institution,
        role=role,
        training_year=training_year,
        start_date=start_date,
        end_date=end_date,
    )
    audit_record(
        actor=acting_user,
        action="membership.add",
        target=membership,
        after=snapshot(membership, MEMBERSHIP_FIELDS),
        program=program,
        institution=membership.institution,
    )
    return membership


@transaction.atomic
def membership_end(
    *, membership: Membership, end_date: dt.date, acting_user: User | None
) -> Membership:
    """End a membership on a date (the last day it is in force). The row is kept, so what
    the person did while a member stays attributable."""
    if end_date < membership.start_date:
        raise ValueError("A membership cannot end before it starts")
    before = snapshot(membership, ["end_date"])
    membership.end_date = end_date
    membership.save(update_fields=["end_date"])
    audit_record(
        actor=acting_user,
        action="membership.end",
        target=membership,
        before=before,
        after=snapshot(membership, ["end_date"]),
        program=membership.program,
        institution=membership.institution,
    )
    return membership


@transaction.atomic
def membership_set_training_year(
    *, membership: Membership, training_year: int, acting_user: User | None
) -> Membership:
    _check_training_year(Role(membership.role), membership.program, training_year)
    before = snapshot(membership, ["training_year"])
    membership.training_year = training_year
    membership.save(update_fields=["training_year"])
    audit_record(
        actor=acting_user,
        action="membership.training_year",
        target=membership,
        before=before,
        after=snapshot(membership, ["training_year"]),
        program=membership.program,
        institution=membership.institution,
    )
    return membership


# --- a program's people: add, change, invite, promote ----------------------------------

# The roles a program's People page, the roster import and the command give. An institution
# admin holds the role in an institution, not a program, so it is not among them.
PROGRAM_ROLES = tuple(r for r in Role if r != Role.ADMIN)


class MembershipError(ValueError):
    """A rule an addition or a change breaks, as a sentence for a person; `field` names the
    input at fault ("email", "role", "training_year", "start_date"), or "" for the whole."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def role_from(text: str) -> Role | None:
    """A program role from its value or its label, ignoring case ("learner", "Program
    director"); None for anything else, institution admin included."""
    key = text.strip().casefold()
    for role in PROGRAM_ROLES:
        if key in (role.value, role.label.casefold()):
            return role
    return None


def training_year_problem(role: Role, program: Program, training_year: int | None) -> str:
    """What is wrong with a training year for a member in `role`, or "": a learner needs
    one within the program's length; no one else has one."""
    if role != Role.LEARNER:
        return "" if training_year is None else "only learners have a training year"
    if training_year is None:
        return "a learner needs a training year"
    if not 1 <= training_year <= program.length_years:
        return f"must be between 1 and {program.length_years}"
    return ""


def _check_member(role: Role, program: Program, training_year: int | None) -> None:
    if role not in PROGRAM_ROLES:
        raise MembershipError("Institution admins are not members of a program", field="role")
    problem = training_year_problem(role, program, training_year)
    if problem:
        raise MembershipError(f"Training year: {problem}", field="training_year")


@dataclass(frozen=True)
class MemberAdded:
    membership: Membership
    person_created: bool


@transaction.atomic
def program_member_add(
    *,
    program: Program,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    start_date: dt.date,
    acting_user: User | None,
    training_year: int | None = None,
    invite: bool = False,
) -> MemberAdded:
    """Give a person, by e-mail, a role in the program from `start_date`. An e-mail already
    known re-uses that person (their names are kept); a new one creates the person, who
    cannot sign in until they set a password (`invite` sends the link). Refused when the
    person already holds the role then or later, so a repeated request adds nothing."""
    _check_member(role, program, training_year)
    problem = plausible_date(start_date)
    if problem:
        raise MembershipError(problem, field="start_date")
    person = User.objects.select_for_update().filter(email__iexact=email.strip()).first()
    created = person is None
    if person is None:
        if not first_name.strip() or not last_name.strip():
            raise MembershipError("A new person needs a first and a last name", field="first_name")
        person = person_create(
            email=email.strip(),
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            acting_user=acting_user,
        )
    held = membership_holding(person=person, program=program, role=role, from_day=start_date)
    if held is not None:
        raise MembershipError(
            f"{person.display_name} is already {role.label.lower()} in {program.name} "
            f"(from {held.start_date:%Y-%m-%d})",
            field="email",
        )
    membership = membership_add(
        person=person,
        program=program,
        role=role,
        start_date=start_date,
        training_year=training_year,
        acting_user=acting_user,
    )
    if invite:
        person_invite(person=person, program=program, acting_user=acting_user)
    return MemberAdded(membership=membership, person_created=created)


def person_invite(*, person: User, program: Program | None, acting_user: User | None) -> None:
    """E-mail the person a link to set their password (Django's password-reset token: it
    expires after PASSWORD_RESET_TIMEOUT and stops working once a password is set). The
    e-mail leaves when the transaction commits; the audit row records that it was sent."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    context = {"person": person, "program": program, "link": absolute_url(path)}
    subject = render_to_string("people/invite_subject.txt", context).strip()
    body = render_to_string("people/invite_email.txt", context)
    recipient = person.email
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action="person.invite",
            target=person,
            after={"email": person.email},
            program=program,
            institution=program.institution if program else None,
        )
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        )


@transaction.atomic
def membership_change(
    *,
    membership: Membership,
    role: Role,
    training_year: int | None,
    on: dt.date,
    acting_user: User | None,
) -> Membership:
    """Change a membership's role or training year; returns the membership now in force.

    A training year alone is changed in place (the audit keeps the old one). A new role
    ends the row the day before `on` and adds one from `on`, so what the person did in the
    old role stays attributed to it; on the membership's first day the row is corrected in
    place instead, as it never held the old role for a day before."""
    program = membership.program
    if program is None:
        raise MembershipError("An institution admin's role is not changed here")
    _check_member(role, program, training_year)
    if role == membership.role:
        if training_year is not None and training_year != membership.training_year:
            return membership_set_training_year(
                membership=membership, training_year=training_year, acting_user=acting_user
            )
        return membership
    if on < membership.start_date or (membership.end_date and on > membership.end_date):
        raise MembershipError("The change must fall while the membership is in force", field="on")
    held = membership_holding(person=membership.person, program=program, role=role, from_day=on)
    if held is not None:
        raise MembershipError(
            f"{membership.person.display_name} is already {role.label.lower()} then", field="role"
        )
    if on == membership.start_date:
        return audited_update(
            membership,
            changes={"role": role, "training_year": training_year},
            fields=["role", "training_year"],
            actor=acting_user,
            action="membership.update",
            program=program,
        )
    until = membership.end_date
    membership_end(
        membership=membership, end_date=on - dt.timedelta(days=1), acting_user=acting_user
    )
    return membership_add(
        person=membership.person,
        program=program,
        role=role,
        start_date=on,
        end_date=until,
        training_year=training_year,
        acting_user=acting_user,
    )


# Two turns of the same program closer than this are one turn run twice (a second click,
# or a date typed differently), not two academic years.
MIN_TURN_GAP = dt.timedelta(days=183)


class PromotionRefused(ValueError):
    """The turn cannot run: it already ran, or the date is not a year's last day to use."""


@dataclass(frozen=True)
class Move:
    membership: Membership
    to_year: int


@dataclass
class PromotionPlan:
    """What a turn would do on `last_day`: learners who move up a year, learners in their
    final year who graduate, learners without a training year (left as they are), or why
    it cannot run (`refusal`)."""

    program: Program
    last_day: dt.date
    moves: list[Move] = field(default_factory=list)
    graduates: list[Membership] = field(default_factory=list)
    unplaced: list[Membership] = field(default_factory=list)
    refusal: str = ""


def promotion_plan(*, program: Program, last_day: dt.date) -> PromotionPlan:
    """The preview of `cohort_promote`: the program's learners in force on `last_day`."""
    plan = PromotionPlan(program=program, last_day=last_day)
    plan.refusal = plausible_date(last_day)
    previous = last_promotion(program=program)
    if previous is not None and last_day < previous.last_day + MIN_TURN_GAP:
        plan.refusal = (
            f"{program.name} already turned its year on {previous.last_day:%Y-%m-%d}; "
            f"the next turn is at least six months later"
        )
    learners = learners_of(program=program, on=last_day).select_related("person")
    for m in learners.order_by("-training_year", "person__last_name", "person__first_name"):
        if m.training_year is None:
            plan.unplaced.append(m)
        elif m.training_year >= program.length_years:
            plan.graduates.append(m)
        else:
            plan.moves.append(Move(membership=m, to_year=m.training_year + 1))
    return plan


@transaction.atomic
def cohort_promote(
    *, program: Program, last_day: dt.date, acting_user: User | None
) -> CohortPromotion:
    """Turn the program's academic year on `last_day`: every learner in force then moves up
    a training year, and those in their final year graduate (their membership ends on
    `last_day`). The turn is recorded, and a second one within six months is refused, so
    running it twice for the same turn changes nothing."""
    Program.objects.select_for_update().filter(pk=program.pk).first()  # one turn at a time
    plan = promotion_plan(program=program, last_day=last_day)
    if plan.refusal:
        raise PromotionRefused(plan.refusal)
    try:
        with transaction.atomic():
            turn = CohortPromotion.objects.create(
                program=program,
                last_day=last_day,
                actor=acting_user if acting_user and acting_user.is_authenticated else None,
                promoted=len(plan.moves),
                graduated=len(plan.graduates),
            )
    except IntegrityError as exc:  # a concurrent submit of the same turn won the race
        raise PromotionRefused(f"{program.name} already turned on {last_day:%Y-%m-%d}") from exc
    for move in plan.moves:
        membership_set_training_year(
            membership=move.membership, training_year=move.to_year, acting_user=acting_user
        )
    for membership in plan.graduates:
        membership_end(membership=membership, end_date=last_day, acting_user=acting_user)
    audit_record(
        actor=acting_user,
        action="program.promote",
        target=turn,
        after=snapshot(turn, ["last_day", "promoted", "graduated"]),
        program=program,
    )
    return turn
