"""What a form version asks, read once per process.

A version's questions and prompts never change once written: a change to a form saves a
new version (`instruments.services.form_revise`), with a new id. A framework's items and a
scale's levels are written once too, when the framework is imported or the scale installed,
and nothing edits them. So each is kept in the process, by the id of the row that owns it,
and read again only when that id shows up with another creation time (a database emptied
and filled again reuses ids). A form edited in another process is seen at once: its new
version is a new id, found by the query for the form's latest version, which is never
kept.

What is kept is shared between requests: read it, never change it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from trellis.assessments.models import FormVersion, Prompt, Question
from trellis.frameworks.models import Item, ItemKind, ScaleLevel

# Kinds of item an assessor rates on a choose-items form.
RATEABLE_KINDS = (ItemKind.EPA, ItemKind.SUBCOMPETENCY)
# Bounds the memory: past this many entries the whole store is dropped and read again.
MOST_KEPT = 1_000

T = TypeVar("T")
_kept: dict[tuple[str, int], tuple[dt.datetime, object]] = {}


def _keep(kind: str, pk: int, stamp: dt.datetime, read: Callable[[], T]) -> T:
    entry = _kept.get((kind, pk))
    if entry is not None and entry[0] == stamp:
        return entry[1]  # type: ignore[return-value]
    value = read()
    if len(_kept) >= MOST_KEPT:
        _kept.clear()
    _kept[(kind, pk)] = (stamp, value)
    return value


def kept_clear() -> None:
    """Forget everything kept (the tests start each with an empty store)."""
    _kept.clear()


@dataclass(frozen=True)
class VersionContent:
    """A version's prompts and questions (each question's item with its framework, and its
    scale) and the levels of the scales it rates on: its own and its questions'."""

    prompts: tuple[Prompt, ...]
    questions: tuple[Question, ...]
    levels: dict[int, tuple[Decimal, ...]]


def _read_content(version: FormVersion) -> VersionContent:
    questions = tuple(version.questions.select_related("item__framework", "scale"))
    scales = {version.scale_id} | {q.scale_id for q in questions if q.scale_id is not None}
    levels: dict[int, list[Decimal]] = {pk: [] for pk in scales}
    rows = ScaleLevel.objects.filter(scale_id__in=scales).order_by("scale_id", "value")
    for scale_id, value in rows.values_list("scale_id", "value"):
        levels[scale_id].append(Decimal(value))
    return VersionContent(
        prompts=tuple(version.prompts.all()),
        questions=questions,
        levels={pk: tuple(values) for pk, values in levels.items()},
    )


def version_content(version: FormVersion) -> VersionContent:
    """The version's content, read once per process (three queries the first time)."""
    return _keep("version", version.pk, version.created_at, lambda: _read_content(version))


def rateable_items(*, framework_id: int, created_at: dt.datetime) -> tuple[Item, ...]:
    """The EPAs and subcompetencies of the framework (its id and creation time) in its
    order, each with its framework, read once per process."""
    return _keep(
        "framework",
        framework_id,
        created_at,
        lambda: tuple(
            Item.objects.filter(framework_id=framework_id, kind__in=RATEABLE_KINDS)
            .select_related("framework")
            .order_by("position", "code")
        ),
    )
