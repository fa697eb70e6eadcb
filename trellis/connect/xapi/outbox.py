"""Sending assessments to the LRS, away from the rater: a worker pass (`trellis xapi send`,
from cron or `--loop`) queues what was submitted since the last pass, waits for each
assessment's edit window to close (so the LRS gets the final version: a statement cannot be
changed), then posts due statements in batches. A failure keeps them queued and tries again
after a pause that doubles each time, up to a day."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from trellis.assessments.models import Assessment, AssessmentStatus
from trellis.connect.xapi.lrs import Lrs, LrsError
from trellis.connect.xapi.models import Delivery, DeliveryStatus, SendState
from trellis.connect.xapi.statements import assessment_statement, sends, statement_id

log = logging.getLogger(__name__)

MAX_PAUSE = dt.timedelta(hours=24)
# The LRS's answers that say it read a statement and will not store it: bad request, too
# large, not valid (Ralph answers 422 for a statement its model refuses).
CONTENT_REFUSED = frozenset({400, 413, 422})


def retry_pause(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … failure, never more than a day."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_PAUSE)


@dataclass
class SendResult:
    queued: int = 0
    sent: int = 0
    failed: int = 0  # to be tried again
    refused: int = 0  # the LRS will not take them: never tried again
    pending: int = 0
    error: str = ""


def _state(now: dt.datetime) -> SendState:
    state = SendState.objects.select_for_update().first()
    return state or SendState.objects.create(since=now)


def xapi_queue(*, now: dt.datetime) -> int:
    """Queue each assessment submitted since the sender started that goes to the LRS and
    is not queued yet; each becomes due when its edit window closes."""
    with transaction.atomic():
        state = _state(now)
        candidates = (
            Assessment.objects.filter(
                status=AssessmentStatus.SUBMITTED,
                submitted_at__gte=state.since,
                xapi_delivery__isnull=True,
            )
            .select_related("form_version__form", "program")
            .order_by("submitted_at", "pk")
        )
        rows = [
            Delivery(
                assessment=a,
                statement_id=statement_id(a),
                next_attempt_at=max(a.editable_until or now, a.submitted_at or now),
            )
            for a in candidates
            if sends(a)
        ]
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        return len(rows)


def xapi_send_pass(*, now: dt.datetime | None = None, batch: int = 100) -> SendResult:
    """One pass of the sender; without a configured LRS it does nothing."""
    now = now or timezone.now()
    lrs = Lrs.configured()
    result = SendResult()
    if lrs is None:
        return result
    result.queued = xapi_queue(now=now)
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .select_related(
            "assessment__form_version__form",
            "assessment__form_version__scale",
            "assessment__program",
            "assessment__subject",
            "assessment__assessor",
        )
        .order_by("next_attempt_at", "pk")[:batch]
    )
    if due:
        _send(lrs, due, now, result)
    SendState.objects.update(last_pass_at=now)
    result.pending = Delivery.objects.filter(status=DeliveryStatus.PENDING).count()
    return result


def _refused(error: LrsError) -> bool:
    """The LRS read the statement and will not take it (it is not a matter of waiting)."""
    return error.status in CONTENT_REFUSED


def _send(lrs: Lrs, due: list[Delivery], now: dt.datetime, result: SendResult) -> None:
    """Post the batch; where the LRS refuses its content, each statement alone, so one it
    cannot take does not hold the others back. A statement refused alone is marked so and
    not tried again; any other failure is retried after a pause."""
    statements = [assessment_statement(d.assessment) for d in due]
    groups: list[tuple[list[Delivery], LrsError | None]]
    try:
        lrs.post(statements)
        groups = [(due, None)]
    except LrsError as exc:
        if not _refused(exc) or len(due) == 1:
            groups = [(due, exc)]
        else:
            groups = []
            for d, s in zip(due, statements, strict=True):
                try:
                    lrs.post([s])
                    groups.append(([d], None))
                except LrsError as one:
                    groups.append(([d], one))
    for deliveries, error in groups:
        ids = [d.pk for d in deliveries]
        if error is None:
            result.sent += len(deliveries)
            Delivery.objects.filter(pk__in=ids).update(
                status=DeliveryStatus.SENT, sent_at=now, last_error=""
            )
            continue
        result.error = str(error)
        log.warning("xAPI: %s statement(s) not sent: %s", len(deliveries), error)
        if _refused(error):
            result.refused += len(deliveries)
            Delivery.objects.filter(pk__in=ids).update(
                status=DeliveryStatus.REFUSED,
                attempts=F("attempts") + 1,
                last_error=str(error)[:500],
            )
            continue
        result.failed += len(deliveries)
        for d in deliveries:
            d.attempts += 1
            d.last_error = str(error)[:500]
            d.next_attempt_at = now + retry_pause(d.attempts)
        Delivery.objects.bulk_update(deliveries, ["attempts", "last_error", "next_attempt_at"])
