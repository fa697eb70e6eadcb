"""Assignment and Grade Services: the scores of an LMS assignment (a line item) as evidence.

A coordinator maps a line item of a course launched from to framework items; reading its
results then lands them as an exam of the program through the exam-score import (one rule
for scores, whatever brings them: all-or-nothing, a score already there unchanged, a
different one refused), the exam speaking to the items chosen. pylti1p3 speaks the
protocol: a service token from the platform (OAuth 2 client credentials with a JWT signed
by Trellis's key for the platform), then the line items and their results.

The platform names people by its user id alone: those Trellis has seen launch
(LtiIdentity) and who are learners of the program are read; others are counted, not read.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import requests
from django.db import IntegrityError, transaction
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from trellis.assessments.exams.services import ExamImportResult, exam_scores_import
from trellis.audit.services import audit_record
from trellis.connect.lti.tool import http_session, registration_of
from trellis.connect.models import LtiCourse, LtiIdentity, LtiLineItem
from trellis.frameworks.models import Item
from trellis.people.models import User
from trellis.people.selectors import was_learner_of

SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
)


class GradesUnavailable(Exception):
    """The platform offers no grade service for the course, refused Trellis, or is out of
    reach (the message says which, for the page and the command)."""


@dataclass(frozen=True)
class AvailableLineItem:
    url: str
    label: str
    score_maximum: Decimal | None


@dataclass
class ScoresImport:
    result: ExamImportResult
    not_seen: int = 0  # results for people Trellis has not seen launch
    not_learners: int = 0  # for people who are not learners of the program
    problems: list[str] = field(default_factory=list)


def grades_offered(course: LtiCourse) -> bool:
    return bool(course.lineitems_url) and all(scope in course.scopes for scope in SCOPES)


def _service(course: LtiCourse) -> AssignmentsGradesService:
    if not grades_offered(course):
        raise GradesUnavailable(f"{course.platform} offers no grade service for {course}")
    connector = ServiceConnector(registration_of(course.platform), http_session())
    data: Any = {"scope": list(SCOPES), "lineitems": course.lineitems_url}
    return AssignmentsGradesService(connector, data)


def _asked(what: str, call: Any) -> Any:
    try:
        return call()
    except LtiServiceException as exc:
        raise GradesUnavailable(f"The platform refused to give {what}: {exc}") from exc
    except (LtiException, requests.RequestException, ValueError, KeyError) as exc:
        raise GradesUnavailable(f"The platform could not be asked for {what}: {exc}") from exc


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def line_items_available(*, course: LtiCourse) -> list[AvailableLineItem]:
    """The course's assignments at the platform, now."""
    service = _service(course)
    found = _asked("its line items", service.get_lineitems)
    return [
        AvailableLineItem(
            str(i["id"]), str(i.get("label") or i["id"]), _decimal(i.get("scoreMaximum"))
        )
        for i in found
        if isinstance(i, dict) and i.get("id")
    ]


@transaction.atomic
def line_item_map(
    *,
    course: LtiCourse,
    line_item: AvailableLineItem,
    items: list[Item],
    taken_on: Any,
    acting_user: User,
) -> LtiLineItem:
    """Map an assignment to framework items of the program (adopted ones only)."""
    program = course.landing_program
    adopted = Item.objects.filter(framework__adoptions__program=program)
    if not items or adopted.filter(pk__in=[i.pk for i in items]).count() != len(set(items)):
        raise GradesUnavailable("Choose items of the frameworks the program adopts")
    try:
        with transaction.atomic():
            mapped = LtiLineItem.objects.create(
                course=course,
                url=line_item.url,
                label=line_item.label[:200],
                taken_on=taken_on,
                created_by=acting_user,
            )
    except IntegrityError as exc:
        raise GradesUnavailable(f"{line_item.label} is mapped already") from exc
    mapped.items.set(items)
    audit_record(
        actor=acting_user,
        action="lti.line_item.map",
        target=mapped,
        after={"url": mapped.url, "items": sorted(i.pk for i in items), "course": course.pk},
        program=program,
    )
    return mapped


def line_item_scores_import(*, line_item: LtiLineItem, acting_user: User | None) -> ScoresImport:
    """Read the assignment's results and land them as the exam's scores."""
    course = line_item.course
    program = course.landing_program
    service = _service(course)
    results = _asked("the results", lambda: service.get_grades(LineItem({"id": line_item.url})))
    people = {
        i.sub: i.person
        for i in LtiIdentity.objects.filter(platform=course.platform).select_related("person")
    }
    learners = set(was_learner_of(program=program).values_list("person_id", flat=True))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["learner_email", "exam", "date", "score", "max_score"])
    outcome = ScoresImport(result=ExamImportResult())
    for result in results:
        score = _decimal(result.get("resultScore")) if isinstance(result, dict) else None
        if score is None:
            continue  # not graded yet
        person = people.get(str(result.get("userId")))
        if person is None:
            outcome.not_seen += 1
        elif person.pk not in learners:
            outcome.not_learners += 1
        else:
            maximum = _decimal(result.get("resultMaximum"))
            row = [
                person.email,
                line_item.label,
                line_item.taken_on.isoformat(),
                score,
                maximum or "",
            ]
            writer.writerow(row)
    outcome.result = exam_scores_import(
        program=program,
        data=out.getvalue().encode(),
        acting_user=acting_user,
        filename=f"LTI line item {line_item.url}",
        items=list(line_item.items.all()),
    )
    return outcome
