"""Reads about people, programs and memberships."""

from __future__ import annotations

import datetime as dt

from django.db.models import Func, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace
from django.utils import timezone

from trellis.people.models import CohortPromotion, Institution, Membership, Program, Role, User


def in_force(day: dt.date | None = None, *, until: dt.date | None = None, prefix: str = "") -> Q:
    """The one rule for "a membership in force": started on or before the day and not ended
    before it (an open end means still in force). With `until`, in force at some point
    between `day` and `until`. `prefix` filters through a relation
    (`prefix="memberships__"` on User)."""
    start = day or timezone.localdate()
    end = until or start
    return Q(**{f"{prefix}start_date__lte": end}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": start})
    )


def memberships_in_force(
    *,
    on: dt.date | None = None,
    until: dt.date | None = None,
    program: Program | None = None,
    role: Role | None = None,
) -> QuerySet[Membership]:
    """Memberships in force on a day (today by default) or during `on`..`until`,
    optionally of one program and one role."""
    qs = Membership.objects.filter(in_force(on, until=until))
    if program is not None:
        qs = qs.filter(program=program)
    if role is not None:
        qs = qs.filter(role=role)
    return qs


def learners_of(
    *, program: Program, on: dt.date | None = None, until: dt.date | None = None
) -> QuerySet[Membership]:
    """The program's learner memberships in force on a day or during a period."""
    return memberships_in_force(on=on, until=until, program=program, role=Role.LEARNER)


def was_learner_of(*, program: Program) -> QuerySet[Membership]:
    """Every learner membership the program ever had (a past learner's record stays)."""
    return Membership.objects.filter(program=program, role=Role.LEARNER)


def memberships_current(*, person: User, on: dt.date | None = None) -> QuerySet[Membership]:
    """The person's memberships in force on a date (today by default)."""
    return Membership.objects.filter(in_force(on), person=person).select_related(
        "program", "institution"
    )


def program_roles(*, person: User, program: Program, on: dt.date | None = None) -> set[Role]:
    """The roles a person holds in a program today; institution admins hold ADMIN everywhere
    in their institution."""
    # Only the roles: every program page asks, so no joined rows and no ordering.
    held = memberships_current(person=person, on=on).filter(
        Q(program=program) | Q(role=Role.ADMIN, institution_id=program.institution_id)
    )
    return {Role(role) for role in held.order_by().values_list("role", flat=True)}


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
    return (
        memberships_in_force(program=program, role=role)
        .select_related("person")
        .order_by("role", "training_year", "person__last_name", "person__first_name")
    )


def program_roster(
    *, program: Program, ended: bool = False, role: Role | None = None, on: dt.date | None = None
) -> QuerySet[Membership]:
    """The program's memberships for its People page: those not ended by `on` (today by
    default; starts still to come included), or with `ended`, those that ended before it."""
    day = on or timezone.localdate()
    not_ended = Q(end_date__isnull=True) | Q(end_date__gte=day)
    qs = Membership.objects.filter(program=program)
    qs = qs.exclude(not_ended) if ended else qs.filter(not_ended)
    if role is not None:
        qs = qs.filter(role=role)
    return qs.select_related("person").order_by(
        "role", "training_year", "person__last_name", "person__first_name", "start_date"
    )


def person_memberships_in(*, program: Program, person: User) -> QuerySet[Membership]:
    """Every membership the person has or had in the program, earliest first."""
    return Membership.objects.filter(program=program, person=person).order_by("start_date", "id")


def membership_holding(
    *, person: User, program: Program, role: Role, from_day: dt.date
) -> Membership | None:
    """The person's membership in `role` that is in force on `from_day` or later (an open
    one, or one ending on or after it): a second would double the person's role."""
    return (
        Membership.objects.filter(person=person, program=program, role=role)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=from_day))
        .order_by("-start_date")
        .first()
    )


def last_promotion(*, program: Program) -> CohortPromotion | None:
    return CohortPromotion.objects.filter(program=program).order_by("-last_day").first()


# Marks people type or leave out when searching for a name: "obrien" finds O'Brien,
# "ann marie" and "annmarie" find Ann-Marie.
_NAME_MARKS = ("'", "’", "-", " ", ".")


def _bare(field: str) -> Func:
    expression: Func = Lower(field)
    for mark in _NAME_MARKS:
        expression = Replace(expression, Value(mark), Value(""))
    return expression


def people_named(people: QuerySet[User], query: str) -> QuerySet[User]:
    """`people` whose first or last name contains each word of `query` (at most three),
    ignoring case, apostrophes, hyphens, spaces and full stops."""
    words = ["".join(c for c in w.lower() if c not in _NAME_MARKS) for w in query.split()[:3]]
    people = people.annotate(_first=_bare("first_name"), _last=_bare("last_name"))
    for word in filter(None, words):
        people = people.filter(Q(_first__contains=word) | Q(_last__contains=word))
    return people
