"""Remove what `trellis demo` created, and nothing else.

The demo's rows are the demo institution, its demo people (e-mail at `DEMO_DOMAIN`, no
membership anywhere else) and every row that points at them through a CASCADE, PROTECT
or RESTRICT foreign key, followed to the end (programs, memberships, assessments,
reviews, ...). Rows that point at them through SET_NULL (the audit trail's actor,
program, institution) are kept. The shared catalogue is pointed *at*, never pointing, so
it stays.

PROTECT keys (a decision's reviewer, an assessment's subject) stop Django's collector, so
the rows are deleted model by model, those that point before those pointed at, and the
self-references of superseded levels and decisions are cleared first.

It refuses, deleting nothing, if a row it would delete belongs to another institution
(say another institution's assessment by a demo person). The demo's own audit rows go
with it (they describe invented people); one audit row records the removal.
"""

from __future__ import annotations

import graphlib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db import models, transaction

from trellis.audit.models import AuditEvent
from trellis.audit.services import audit_record
from trellis.demo.generator import DEMO_DOMAIN, demo_institution
from trellis.people.models import Institution, Membership, Program, User

FOLLOWED = (models.CASCADE, models.PROTECT, models.RESTRICT)
CHUNK = 500


class DemoRemovalRefused(Exception):
    """The demo's rows reach data of another institution; nothing was deleted."""


def _chunks(pks: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(pks), CHUNK):
        yield pks[start : start + CHUNK]


def _pointing(model: type[models.Model]) -> list[Any]:
    """The foreign keys of other models (or this one) that point at `model` and would
    stop or cascade a deletion."""
    fields: list[Any] = []
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        field = rel.field  # type: ignore[union-attr]
        if field.remote_field.on_delete in FOLLOWED:
            fields.append(field)
    return fields


def demo_people(institution: Institution) -> list[User]:
    """Accounts at the demo's domain that belong to the demo institution alone."""
    domain_people = User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}")
    elsewhere = Membership.objects.exclude(institution=institution).values("person_id")
    return list(domain_people.exclude(pk__in=elsewhere))


def _collect(roots: list[models.Model]) -> dict[type[models.Model], set[Any]]:
    doomed: dict[type[models.Model], set[Any]] = defaultdict(set)
    queue: list[tuple[type[models.Model], list[Any]]] = []
    for obj in roots:
        doomed[type(obj)].add(obj.pk)
    queue = [(model, list(pks)) for model, pks in doomed.items()]
    while queue:
        model, pks = queue.pop()
        for field in _pointing(model):
            referrer = field.model
            found: list[Any] = []
            for chunk in _chunks(pks):
                lookup = {f"{field.name}__in": model._base_manager.filter(pk__in=chunk)}
                found += referrer._base_manager.filter(**lookup).values_list("pk", flat=True)
            new = [pk for pk in found if pk not in doomed[referrer]]
            if new:
                doomed[referrer].update(new)
                queue.append((referrer, new))
    return doomed


def _check_scope(
    doomed: dict[type[models.Model], set[Any]], institution: Institution, programs: set[int]
) -> None:
    for model, pks in doomed.items():
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target not in (Institution, Program):
                continue
            allowed = {institution.pk} if target is Institution else programs
            for chunk in _chunks(sorted(pks)):
                outside = (
                    model._base_manager.filter(pk__in=chunk)
                    .exclude(**{f"{field.attname}__in": allowed})
                    .exclude(**{f"{field.attname}__isnull": True})
                )
                if outside.exists():
                    raise DemoRemovalRefused(
                        f"Removing the demo would delete {model._meta.label} rows of "
                        "another institution; nothing was removed"
                    )


def _order(models_: list[type[models.Model]]) -> list[type[models.Model]]:
    """Referrers before what they point at (self-references aside)."""
    graph: dict[type[models.Model], set[type[models.Model]]] = {m: set() for m in models_}
    for model in models_:
        for field in _pointing(model):
            if field.model in graph and field.model is not model:
                graph[model].add(field.model)
    return list(graphlib.TopologicalSorter(graph).static_order())


def _remove_audit(
    doomed: dict[type[models.Model], set[Any]], institution: Institution, programs: set[int]
) -> int:
    """The audit rows of the demo: in its institution or programs, or about a demo row."""
    removed = AuditEvent.objects.filter(
        models.Q(institution=institution) | models.Q(program__in=programs)
    ).delete()[0]
    for model, pks in doomed.items():
        for chunk in _chunks(sorted(pks)):
            about = AuditEvent.objects.filter(
                target_type=model._meta.label_lower, target_id__in=[str(pk) for pk in chunk]
            )
            removed += about.delete()[0]
    return removed


@transaction.atomic
def demo_remove() -> dict[str, int]:
    """Delete the demo institution, what hangs off it and its demo people; return the
    number of rows deleted per model label. A no-op (empty dict) without a demo."""
    institution = demo_institution()
    if institution is None:
        return {}
    people = demo_people(institution)
    doomed = _collect([institution, *people])
    programs = doomed.get(Program, set())
    _check_scope(doomed, institution, programs)
    counts = {model._meta.label: len(pks) for model, pks in doomed.items()}
    counts[AuditEvent._meta.label] = _remove_audit(doomed, institution, programs)
    audit_record(
        actor=None,
        action="demo.remove",
        target=institution,
        after={"rows": counts},
    )
    for model in _order(list(doomed)):
        pks = sorted(doomed[model])
        for field in _pointing(model):
            if field.model is model and field.null:
                for chunk in _chunks(pks):
                    model._base_manager.filter(pk__in=chunk).update(**{field.name: None})
        for chunk in _chunks(pks):
            model._base_manager.filter(pk__in=chunk).delete()
    return counts
