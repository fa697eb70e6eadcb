"""The identifiers the ACGME's Accreditation Data System (ADS) knows a residency by: the
program's 10-digit ADS program number and each resident's ACGME ID (on the learner's
membership). The milestone upload needs both; the People pages, the roster import and the
export all use the rules here."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.db import transaction

from trellis.audit.services import audited_update
from trellis.people.models import Membership, Program, ProgramKind, Role, User
from trellis.people.services import MembershipError

ADS_NUMBER = re.compile(r"[0-9]{10}")
ACGME_ID = re.compile(r"[A-Za-z0-9-]{1,20}")
# Programs the ACGME accredits; a medical school or a faculty-development office has no
# ADS number and its learners no ACGME ID.
ACCREDITED_KINDS = frozenset({ProgramKind.RESIDENCY, ProgramKind.FELLOWSHIP})


def is_acgme_program(program: Program) -> bool:
    return program.kind in ACCREDITED_KINDS


def ads_number_problem(text: str) -> str:
    """What is wrong with an ADS program number, or "" (blank is allowed: not known yet)."""
    if text and not ADS_NUMBER.fullmatch(text):
        return f"'{text}' is not an ADS program number (10 digits)"
    return ""


def acgme_id_problem(text: str) -> str:
    """What is wrong with an ACGME ID, or "" (blank is allowed: not known yet)."""
    if text and not ACGME_ID.fullmatch(text):
        return f"'{text}' is not an ACGME ID (up to 20 letters, digits or hyphens)"
    return ""


def acgme_ids(*, program: Program, people: Iterable[int]) -> dict[int, str]:
    """Each person's ACGME ID in the program: the latest learner membership's that has one
    (a role change starts a new membership; the ID is the person's all the same)."""
    found: dict[int, str] = {}
    rows = (
        Membership.objects.filter(program=program, role=Role.LEARNER, person_id__in=set(people))
        .exclude(acgme_id="")
        .order_by("start_date", "pk")
        .values_list("person_id", "acgme_id")
    )
    for person_id, acgme_id in rows:
        found[person_id] = acgme_id
    return found


class IdsRefused(MembershipError):
    """Every problem of a submission of identifiers, by input name ("ads_number",
    "acgme-<membership id>"), so a page can show each beside what was typed."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()), field=next(iter(problems), ""))
        self.problems = problems


def _id_problem(membership: Membership | None, acgme_id: str) -> str:
    program = membership.program if membership else None
    if membership is None or program is None:
        return "No such learner in the program"
    if not is_acgme_program(program) or membership.role != Role.LEARNER:
        return "Only residents and fellows have an ACGME ID"
    return acgme_id_problem(acgme_id)


def _clashes(
    program: Program, wanted: dict[int, tuple[int, str]], names: dict[int, str]
) -> dict[int, str]:
    """The memberships (of `wanted`: membership id -> (person id, ID)) whose ID another
    person of the program would hold too, once `wanted` is applied (`names`: the wanted
    people's names, by person id)."""
    holders: dict[str, set[int]] = {}
    names = dict(names)
    others = (
        Membership.objects.filter(program=program)
        .exclude(acgme_id="")
        .exclude(pk__in=list(wanted))
        .select_related("person")
    )
    for m in others:
        holders.setdefault(m.acgme_id.casefold(), set()).add(m.person_id)
        names[m.person_id] = m.person.display_name
    for person_id, acgme_id in wanted.values():
        if acgme_id:
            holders.setdefault(acgme_id.casefold(), set()).add(person_id)
    clashes: dict[int, str] = {}
    for membership_id, (person_id, acgme_id) in wanted.items():
        others_ids = holders.get(acgme_id.casefold(), set()) - {person_id} if acgme_id else set()
        if others_ids:
            known = sorted(names[p] for p in others_ids if p in names)
            whose = f"{known[0]}'s" if known else "another learner's"
            clashes[membership_id] = f"{acgme_id} is {whose} ACGME ID too"
    return clashes


@transaction.atomic
def accreditation_ids_record(
    *,
    program: Program,
    ads_number: str,
    acgme: Mapping[int, str],
    acting_user: User | None,
) -> int:
    """Set the program's ADS number and the ACGME IDs of some of its learner memberships
    (membership id -> ID; blank clears), all or nothing: any problem raises IdsRefused
    naming every input at fault. An ID another person of the program holds is refused (a
    typing slip that would merge two residents in ADS). Returns how many values changed;
    an unchanged value writes nothing, so a repeated submission changes nothing more."""
    if not is_acgme_program(program):
        raise MembershipError(f"{program.name} is not accredited by the ACGME")
    problems: dict[str, str] = {}
    ads_number = ads_number.strip()
    if ads_number_problem(ads_number):
        problems["ads_number"] = ads_number_problem(ads_number)
    memberships = Membership.objects.select_for_update().filter(program=program, pk__in=list(acgme))
    by_id = {m.pk: m for m in memberships.select_related("person")}
    wanted: dict[int, tuple[int, str]] = {}
    for membership_id, text in acgme.items():
        membership = by_id.get(membership_id)
        problem = _id_problem(membership, text.strip())
        if problem:
            problems[f"acgme-{membership_id}"] = problem
        elif membership is not None:
            wanted[membership_id] = (membership.person_id, text.strip())
    names = {m.person_id: m.person.display_name for m in by_id.values()}
    for membership_id, problem in _clashes(program, wanted, names).items():
        problems[f"acgme-{membership_id}"] = problem
    if problems:
        raise IdsRefused(problems)
    changed = 0
    if ads_number != program.ads_number:
        audited_update(
            program,
            changes={"ads_number": ads_number},
            fields=["ads_number"],
            actor=acting_user,
            action="program.ads_number",
            program=program,
        )
        changed += 1
    for membership_id, (_, acgme_id) in wanted.items():
        changed += _write_id(by_id[membership_id], acgme_id, acting_user)
    return changed


@transaction.atomic
def membership_set_acgme_id(
    *, membership: Membership, acgme_id: str, acting_user: User | None
) -> bool:
    """Set one learner membership's ACGME ID by the rules of `accreditation_ids_record`;
    False when it already had it."""
    acgme_id = acgme_id.strip()
    field = f"acgme-{membership.pk}"
    problem = _id_problem(membership, acgme_id)
    if not problem and membership.program is not None:
        wanted = {membership.pk: (membership.person_id, acgme_id)}
        names = {membership.person_id: membership.person.display_name}
        problem = _clashes(membership.program, wanted, names).get(membership.pk, "")
    if problem:
        raise MembershipError(problem, field=field)
    return _write_id(membership, acgme_id, acting_user)


def _write_id(membership: Membership, acgme_id: str, acting_user: User | None) -> bool:
    if acgme_id == membership.acgme_id:
        return False
    audited_update(
        membership,
        changes={"acgme_id": acgme_id},
        fields=["acgme_id"],
        actor=acting_user,
        action="membership.acgme_id",
        program=membership.program,
    )
    return True
