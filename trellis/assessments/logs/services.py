"""Writes of case and procedure logs: the program's catalogue, learners' entries and
their verification by a supervisor. Every write is audited in the same transaction.

A learner logs an entry under a client key sent by the form, so a retry (a double tap, a
resend after a dropped connection) returns the entry already there instead of a second
one. The supervisor must be one of the learner's named supervisors on the day of the
entry, or on their current rotation. A supervisor verifies an entry, or returns it with a
note: the note is kept on the entry and the entry leaves the supervisor's queue (the
learner may delete it and log it again).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from trellis.assessments.models import LogEntry, LogType
from trellis.audit.services import audit_record, audited_update, snapshot
from trellis.frameworks.models import Item
from trellis.lib.bounds import plausible_date
from trellis.people.models import Program, User
from trellis.scheduling.selectors import learner_rotation_on, supervises

LOG_TYPE_FIELDS = ["code", "name", "kind", "minimum", "item"]
ENTRY_FIELDS = [
    "learner",
    "log_type",
    "performed_on",
    "role",
    "site",
    "supervisor",
    "notes",
    "verified_at",
    "verified_by",
]


class LogRefused(ValueError):
    """A log change that may not be made; the message says why."""


# --- the catalogue ----------------------------------------------------------------------


@transaction.atomic
def log_type_create(
    *,
    program: Program,
    code: str,
    name: str,
    kind: str,
    minimum: int,
    item: Item | None,
    acting_user: User | None,
) -> LogType:
    code = code.strip().upper()
    if LogType.objects.filter(program=program, code=code).exists():
        raise LogRefused(f"The code {code} is already in the catalogue.")
    log_type = LogType.objects.create(
        program=program, code=code, name=name.strip(), kind=kind, minimum=minimum, item=item
    )
    audit_record(
        actor=acting_user,
        action="log_type.create",
        target=log_type,
        after=snapshot(log_type, LOG_TYPE_FIELDS),
        program=program,
    )
    return log_type


@transaction.atomic
def log_type_update(
    *,
    log_type: LogType,
    code: str,
    name: str,
    kind: str,
    minimum: int,
    item: Item | None,
    acting_user: User | None,
) -> LogType:
    code = code.strip().upper()
    taken = LogType.objects.filter(program=log_type.program, code=code).exclude(pk=log_type.pk)
    if taken.exists():
        raise LogRefused(f"The code {code} is already in the catalogue.")
    before = snapshot(log_type, LOG_TYPE_FIELDS)
    log_type.code, log_type.name, log_type.kind = code, name.strip(), kind
    log_type.minimum, log_type.item = minimum, item
    log_type.save()
    audit_record(
        actor=acting_user,
        action="log_type.update",
        target=log_type,
        before=before,
        after=snapshot(log_type, LOG_TYPE_FIELDS),
        program=log_type.program,
    )
    return log_type


@transaction.atomic
def log_type_delete(*, log_type: LogType, acting_user: User | None) -> None:
    """Remove a catalogue entry nobody has logged yet (entries keep their type)."""
    if log_type.entries.exists():
        raise LogRefused(
            f"{log_type.name} has entries; set its minimum to 0 instead of removing it."
        )
    audit_record(
        actor=acting_user,
        action="log_type.delete",
        target=log_type,
        before=snapshot(log_type, LOG_TYPE_FIELDS),
        program=log_type.program,
    )
    log_type.delete()


# --- entries ----------------------------------------------------------------------------


def supervisor_choices(*, learner: User, program: Program, day: dt.date) -> list[User]:
    """The named supervisors of the learner's rotation on `day` in this program."""
    assignment = learner_rotation_on(learner=learner, day=day)
    if assignment is None or assignment.rotation.program_id != program.pk:
        return []
    return list(assignment.supervisors.all())


def _check_entry(
    *,
    program: Program,
    learner: User,
    log_type: LogType,
    performed_on: dt.date,
    supervisor: User | None,
    today: dt.date,
) -> None:
    if log_type.program_id != program.pk:
        raise LogRefused("That log type is not in this program's catalogue.")
    if performed_on > today:
        raise LogRefused("The date is in the future.")
    if problem := plausible_date(performed_on):
        raise LogRefused(f"The date {problem}.")
    if supervisor is None:
        return
    if supervisor.pk == learner.pk:
        raise LogRefused("You cannot verify your own entry.")
    if not (
        supervises(faculty=supervisor, learner=learner, day=performed_on, program=program)
        or supervises(faculty=supervisor, learner=learner, day=today, program=program)
    ):
        raise LogRefused(f"{supervisor} is not one of your supervisors on that date.")


@transaction.atomic
def log_entry_create(
    *,
    program: Program,
    learner: User,
    log_type: LogType,
    performed_on: dt.date,
    role: str,
    supervisor: User | None,
    acting_user: User | None,
    notes: str = "",
    client_key: str = "",
    today: dt.date | None = None,
) -> tuple[LogEntry, bool]:
    """Log an entry; returns (entry, created). A repeated client key returns the entry
    already logged under it and writes nothing."""
    if client_key:
        already = LogEntry.objects.filter(learner=learner, client_key=client_key).first()
        if already is not None:
            return already, False
    today = today or timezone.localdate()
    _check_entry(
        program=program,
        learner=learner,
        log_type=log_type,
        performed_on=performed_on,
        supervisor=supervisor,
        today=today,
    )
    assignment = learner_rotation_on(learner=learner, day=performed_on)
    try:
        with transaction.atomic():
            entry = LogEntry.objects.create(
                program=program,
                learner=learner,
                log_type=log_type,
                performed_on=performed_on,
                role=role,
                site=assignment.site if assignment else None,
                supervisor=supervisor,
                notes=notes[:500],
                client_key=client_key[:64],
            )
    except IntegrityError:
        # Two submissions with one key raced; the other one won.
        return LogEntry.objects.get(learner=learner, client_key=client_key), False
    audit_record(
        actor=acting_user,
        action="log_entry.create",
        target=entry,
        after=snapshot(entry, ENTRY_FIELDS),
        program=program,
    )
    return entry, True


def _require_pending(entry: LogEntry, supervisor: User) -> None:
    if entry.supervisor_id != supervisor.pk:
        raise LogRefused("This entry is not waiting for you.")
    if entry.verified_at is not None:
        raise LogRefused("This entry is already verified.")


@transaction.atomic
def log_entry_verify(*, entry: LogEntry, acting_user: User) -> LogEntry:
    _require_pending(entry, acting_user)
    return audited_update(
        entry,
        changes={"verified_at": timezone.now(), "verified_by": acting_user},
        fields=ENTRY_FIELDS,
        actor=acting_user,
        action="log_entry.verify",
        program=entry.program,
    )


@transaction.atomic
def log_entry_return(*, entry: LogEntry, note: str, acting_user: User) -> LogEntry:
    """Send an entry back unverified, saying why; it leaves the supervisor's queue."""
    _require_pending(entry, acting_user)
    note = note.strip()
    if not note:
        raise LogRefused("Say what needs changing, so the learner can fix it.")
    returned = f"Returned by {acting_user.display_name}: {note}"
    return audited_update(
        entry,
        changes={
            "notes": (f"{entry.notes}\n{returned}" if entry.notes else returned)[-500:],
            "supervisor": None,
        },
        fields=ENTRY_FIELDS,
        actor=acting_user,
        action="log_entry.return",
        program=entry.program,
    )


@transaction.atomic
def log_entry_delete(*, entry: LogEntry, acting_user: User) -> None:
    """A learner withdraws one of their own entries before it is verified."""
    if entry.learner_id != acting_user.pk:
        raise LogRefused("Only the learner who logged an entry may remove it.")
    if entry.verified_at is not None:
        raise LogRefused("A verified entry stays in the log.")
    audit_record(
        actor=acting_user,
        action="log_entry.delete",
        target=entry,
        before=snapshot(entry, ENTRY_FIELDS),
        program=entry.program,
    )
    entry.delete()
