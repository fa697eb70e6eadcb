"""Reads about people, programs and memberships."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from trellis.people.models import Institution, Membership, Program, Role, User


def memberships_current(*, person: User, on: dt.date | None = None) -> QuerySet[Membership]:
    """The person's memberships in force on a date (today by default)."""
    day = on or timezone.localdate()
    return (
        Membership.objects.filter(person=person, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("program", "institution")
    )


def program_roles(*, person: User, program: Program, on: dt.date | None = None) -> set[Role]:
    """The roles a person holds in a program today; institution admins hold ADMIN everywhere
    in their institution."""
    roles: set[Role] = set()
    for m in memberships_current(person=person, on=on).filter(
        Q(program=program) | Q(role=Role.ADMIN, institution_id=program.institution_id)
    ):
        roles.add(Role(m.role))
    return roles


def programs_visible(*, person: User) -> QuerySet[Program]:
    """Programs the person belongs to, plus every program of institutions they administer."""
    current = memberships_current(person=person)
    admin_of = current.filter(role=Role.ADMIN).values("institution_id")
    member_of = current.exclude(program__isnull=True).values("program_id")
    return (
        Program.objects.filter(Q(id__in=member_of) | Q(institution_id__in=admin_of))
        .select_related("institution")
        .distinct()
    )


def institutions_of(*, person: User) -> QuerySet[Institution]:
    ids = memberships_current(person=person).values("institution_id")
    return Institution.objects.filter(id__in=ids)


def program_members(*, program: Program, role: Role | None = None) -> QuerySet[Membership]:
    today = timezone.localdate()
    qs = (
        Membership.objects.filter(program=program, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("person")
        .order_by("role", "training_year", "person__last_name", "person__first_name")
    )
    if role is not None:
        qs = qs.filter(role=role)
    return qs
