"""Writes to institutions, programs, people and memberships. Every change is audited in the
transaction that makes it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from trellis.audit.services import audit_record, snapshot
from trellis.people.models import (
    Department,
    Institution,
    Membership,
    Program,
    ProgramKind,
    Role,
    User,
)

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
) -> User:
    """Without a password the person cannot log in until one is set (or a reset is sent)."""
    person = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        department=department,
    )
    audit_record(
        actor=acting_user,
        action="person.create",
        target=person,
        after=snapshot(person, ["email", "first_name", "last_name", "department"]),
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
