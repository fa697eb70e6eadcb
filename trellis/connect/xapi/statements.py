"""An assessment as an xAPI 1.0.3 statement: the one home of what Trellis tells a learning
record store, and of which assessments it tells at all.

The learner is the actor (by e-mail, so the LRS can put the statement beside what the LMS
and the simulation centre say of the same person), the verb `scored`, the object the form
as an assessment activity. The ratings ride in the result (each item's level, its scale's
range) and the context names the assessor, the program and every rated item; narrative
comments are the response. Concern flags never leave Trellis.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from trellis.assessments.models import Assessment, AssessmentStatus, FormKind
from trellis.frameworks.io.common import node_uri
from trellis.frameworks.models import Item
from trellis.people.models import ProgramKind, User

XAPI_VERSION = "1.0.3"
SCORED = "http://adlnet.gov/expapi/verbs/scored"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"
COMPETENCY_TYPE = "http://adlnet.gov/expapi/activities/objective"
# Forms about a learner's performance; evaluations of teachers and rotations, and
# self-assessments, stay in Trellis.
SENT_KINDS = frozenset(
    {FormKind.EPA_OBSERVATION, FormKind.END_OF_ROTATION, FormKind.MULTISOURCE, FormKind.PROCEDURE}
)
NAMESPACE = uuid.UUID("6f1d4a52-38c4-4d9c-a1c1-2b8f1f1e6a70")


def site() -> str:
    return str(getattr(settings, "SITE_URL", "") or "http://trellis.invalid").rstrip("/")


def ext(name: str) -> str:
    """An extension key of Trellis's own."""
    return f"{site()}/xapi/extensions/{name}"


def statement_id(assessment: Assessment) -> uuid.UUID:
    """The same id for the same assessment on every try: an LRS keeps one copy."""
    return uuid.uuid5(NAMESPACE, f"{site()}/assessments/{assessment.pk}")


def sends(assessment: Assessment) -> bool:
    """Whether the assessment goes to the LRS: a submitted, non-anonymous assessment of a
    learner's performance, in a residency or school, on no developmental framework (the
    Clinician Educator Milestones stay private to their owner)."""
    form = assessment.form_version.form
    return (
        assessment.status == AssessmentStatus.SUBMITTED
        and assessment.program.kind != ProgramKind.FACULTY_DEVELOPMENT
        and form.kind in SENT_KINDS
        and not form.anonymous
        and not assessment.ratings.filter(item__framework__developmental=True).exists()
    )


def agent(person: User) -> dict[str, Any]:
    return {"objectType": "Agent", "name": person.display_name, "mbox": f"mailto:{person.email}"}


def item_uri(item: Item) -> str:
    return str(item.source.get("uri") or node_uri(item.identifier))


def _level(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def assessment_statement(assessment: Assessment) -> dict[str, Any]:
    form = assessment.form_version.form
    scale = assessment.form_version.scale
    values = sorted(Decimal(v) for v in scale.levels.values_list("value", flat=True))
    ratings = list(assessment.ratings.select_related("item__framework").order_by("item__position"))
    rated = [
        {
            "item": item_uri(r.item),
            "code": r.item.code,
            "name": r.item.name,
            "framework": r.item.framework.title,
            "level": None if r.not_observed else _level(r.level or Decimal(0)),
        }
        for r in ratings
    ]
    levels = [r.level for r in ratings if r.level is not None]
    result: dict[str, Any] = {
        "completion": True,
        "extensions": {ext("ratings"): rated, ext("scale"): scale.name},
    }
    if levels and values:
        low, high = values[0], values[-1]
        mean = sum(levels, Decimal(0)) / len(levels)
        result["score"] = {
            "raw": float(round(mean, 2)),
            "min": _level(low),
            "max": _level(high),
            "scaled": float(round((mean - low) / (high - low), 4)) if high > low else 1.0,
        }
    comments = {c.prompt_key: c.text for c in assessment.comments.all() if c.text.strip()}
    if comments:
        result["response"] = "\n\n".join(comments.values())
        result["extensions"][ext("comments")] = comments
    context: dict[str, Any] = {
        "platform": "Trellis",
        "language": "en",
        "contextActivities": {
            "grouping": [
                {
                    "objectType": "Activity",
                    "id": f"{site()}/programs/{assessment.program.slug}/",
                    "definition": {"name": {"en": assessment.program.name}},
                }
            ],
            "other": [
                {
                    "objectType": "Activity",
                    "id": r["item"],
                    "definition": {
                        "type": COMPETENCY_TYPE,
                        "name": {"en": f"{r['code']} {r['name']}".strip()},
                    },
                }
                for r in rated
            ],
        },
        "extensions": {
            ext("assessor-role"): assessment.assessor_role,
            ext("observed-on"): assessment.observed_on.isoformat(),
            ext("assessment"): site() + reverse("assessments:detail", args=[assessment.pk]),
        },
    }
    if assessment.assessor is not None:
        context["instructor"] = agent(assessment.assessor)
    elif assessment.assessor_name:
        context["extensions"][ext("assessor-name")] = assessment.assessor_name
    if assessment.context:
        context["extensions"][ext("setting")] = assessment.context
    statement: dict[str, Any] = {
        "id": str(statement_id(assessment)),
        "actor": agent(assessment.subject),
        "verb": {"id": SCORED, "display": {"en": "scored"}},
        "object": {
            "objectType": "Activity",
            "id": f"{site()}/xapi/forms/{form.slug}",
            "definition": {"type": ASSESSMENT_TYPE, "name": {"en": form.title}},
        },
        "result": result,
        "context": context,
    }
    if assessment.submitted_at is not None:
        statement["timestamp"] = assessment.submitted_at.isoformat()
    return statement
