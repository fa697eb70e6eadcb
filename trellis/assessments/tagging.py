"""Suggested tags: which framework items an untagged comment speaks about, by a model each
program trains on its own tagged comments (`analytics.narratives.tagging_model`: TF-IDF and
logistic regression, nothing downloaded). A coordinator confirms or corrects each
suggestion (`comment_tags_confirm`); the confirmed tags then route the comment to those
items on the learner's record (`evidence._comments_by_item`) and teach the next model.

The model is kept in the cache under the state of what it learnt from (how many tags, the
latest one), so a confirmed tag retrains it on the next read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max

from trellis.analytics.narratives import tagging_model
from trellis.assessments.models import Assessment, AssessmentStatus, AssessorRole, Comment
from trellis.audit.models import AuditEvent
from trellis.audit.services import audit_record
from trellis.frameworks.models import Adoption, Item
from trellis.people.models import Program, User

MIN_TAGGED = 30  # tagged comments a program needs before its suggestions mean anything
MIN_ITEMS = 2
SHOWN_PROBABILITY = 0.15  # a suggestion below this is noise, not shown
MODEL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Suggestion:
    comment: Comment
    items: list[tuple[Item, int]]  # the item and the model's confidence, in percent


@dataclass
class Suggestions:
    tagged: int
    items: int
    rows: list[Suggestion] = field(default_factory=list)

    @property
    def trained(self) -> bool:
        return self.tagged >= MIN_TAGGED and self.items >= MIN_ITEMS


def _named(program: Program) -> Any:
    return Comment.objects.filter(
        assessment__program=program,
        assessment__status=AssessmentStatus.SUBMITTED,
        assessment__form_version__form__anonymous=False,
    ).exclude(assessment__assessor_role=AssessorRole.SELF)


def _tags(program: Program) -> Any:
    return Comment.items.through.objects.filter(comment__in=_named(program).values("pk"))


def _model(program: Program, tags: Any, state: dict[str, Any]) -> Any:
    key = hashlib.sha256(f"{program.pk}:{state}".encode()).hexdigest()[:32]
    model = cache.get(f"trellis:tagger:{key}")
    if model is None:
        pairs = list(tags.values_list("comment__text", "item_id"))
        model = tagging_model().fit([t for t, _ in pairs], [i for _, i in pairs])
        cache.set(f"trellis:tagger:{key}", model, MODEL_SECONDS)
    return model


def _reviewed(program: Program) -> set[int]:
    """Comments someone already looked at and found about no item in particular."""
    return {
        int(pk)
        for pk in AuditEvent.objects.filter(
            action="comment.tag", target_type="assessments.comment", program=program
        ).values_list("target_id", flat=True)
    }


def tag_suggestions(*, program: Program, limit: int = 20) -> Suggestions:
    """Up to `limit` of the latest untagged comments with the items the program's model
    finds in them (those at SHOWN_PROBABILITY or more, at most three); none until the
    program has MIN_TAGGED tagged comments on MIN_ITEMS items or more."""
    tags = _tags(program)
    state = tags.aggregate(n=Count("pk"), items=Count("item", distinct=True), last=Max("pk"))
    out = Suggestions(tagged=state["n"], items=state["items"])
    if not out.trained:
        return out
    model = _model(program, tags, state)
    untagged = list(
        _named(program)
        .filter(items__isnull=True)
        .exclude(text="")
        .exclude(pk__in=_reviewed(program))
        .select_related("assessment__subject")
        .order_by("-assessment__observed_on", "-pk")[:limit]
    )
    if not untagged:
        return out
    probabilities = model.predict_proba([c.text for c in untagged])
    classes = list(model.classes_)
    items = Item.objects.in_bulk(classes)
    for comment, row in zip(untagged, probabilities, strict=True):
        ranked = sorted(zip(classes, row, strict=True), key=lambda kv: -kv[1])[:3]
        shown = [(items[c], round(100 * p)) for c, p in ranked if p >= SHOWN_PROBABILITY]
        out.rows.append(Suggestion(comment, shown))
    return out


def taggable_items(*, program: Program) -> Any:
    """The items a comment of the program may be tagged with: its adopted frameworks'."""
    frameworks = Adoption.objects.current().filter(program=program).values("framework_id")
    return Item.objects.filter(framework_id__in=frameworks)


def comment_of_program(*, program: Program, pk: int) -> Comment | None:
    return _named(program).filter(pk=pk).select_related("assessment").first()


@transaction.atomic
def comment_tags_confirm(*, comment: Comment, items: list[Item], acting_user: User) -> Comment:
    """Set the comment's tags to `items` (a coordinator confirming or correcting a
    suggestion; none at all says the comment is about no item in particular), audited."""
    assessment: Assessment = comment.assessment
    allowed = set(taggable_items(program=assessment.program).values_list("pk", flat=True))
    strangers = [i for i in items if i.pk not in allowed]
    if strangers:
        raise ValidationError(f"{strangers[0]} is not in a framework of {assessment.program}.")
    before = sorted(comment.items.values_list("pk", flat=True))
    comment.items.set(items)
    audit_record(
        actor=acting_user,
        action="comment.tag",
        target=comment,
        before={"items": before},
        after={"items": sorted(i.pk for i in items)},
        program=assessment.program,
    )
    return comment
