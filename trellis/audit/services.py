"""The one way to record a change. Call it inside the transaction that makes the change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction

from trellis.audit.models import AuditEvent
from trellis.lib.jsonable import jsonable

M = TypeVar("M", bound=models.Model)

if TYPE_CHECKING:
    from trellis.people.models import Institution, Program, User


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of a model instance, as JSON-safe values (foreign keys by id)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = (
            getattr(obj, field.attname)
            if isinstance(field, models.ForeignKey)
            else getattr(obj, name)
        )
        out[name] = jsonable(value)
    return out


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    program: Program | None = None,
    institution: Institution | None = None,
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction that makes the change")
    if institution is None and program is not None:
        institution = program.institution
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        before=before,
        after=after,
        program=program,
        institution=institution,
    )


def audited_update(
    obj: M,
    *,
    changes: dict[str, Any],
    fields: list[str],
    actor: User | None,
    action: str,
    program: Program | None = None,
    institution: Institution | None = None,
) -> M:
    """Snapshot `fields`, apply `changes`, save only the changed columns and record the
    before and after, in one call (HackSoft's `model_update`, with the audit row)."""
    before = snapshot(obj, fields)
    for name, value in changes.items():
        setattr(obj, name, value)
    touched = [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
    obj.save(update_fields=[*changes, *touched])
    audit_record(
        actor=actor,
        action=action,
        target=obj,
        before=before,
        after=snapshot(obj, fields),
        program=program,
        institution=institution,
    )
    return obj


def audited_create(
    obj: M,
    *,
    fields: list[str],
    actor: User | None,
    action: str,
    replaces: models.Model | None = None,
    program: Program | None = None,
    institution: Institution | None = None,
) -> M:
    """Record a row just created (`obj`), with the row it `replaces` as the before."""
    audit_record(
        actor=actor,
        action=action,
        target=obj,
        before=snapshot(replaces, fields) if replaces is not None else None,
        after=snapshot(obj, fields),
        program=program,
        institution=institution,
    )
    return obj


IMPORT_REFUSED = "import.refused"
IMPORT_DONE = "import.done"


def audit_import(
    *,
    actor: User | None,
    program: Program,
    what: str,
    filename: str,
    problems: int = 0,
    written: int = 0,
) -> AuditEvent:
    """Record one import into `program` of `what` (e.g. "schedule"): refused with
    `problems` (nothing was written, so this is its only trace, and the program's home
    lists it until an import of the same kind goes through) or done, `written` rows."""
    with transaction.atomic():
        return audit_record(
            actor=actor,
            action=IMPORT_REFUSED if problems else IMPORT_DONE,
            target=program,
            after={"what": what, "file": filename[:200], "problems": problems, "written": written},
            program=program,
        )
