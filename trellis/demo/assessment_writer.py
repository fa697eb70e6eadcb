"""How the demo's assessments are written: through `assessment_submit`, or (bulk, for
benchmarks) as the same assessment, rating, comment and audit rows in bulk inserts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from trellis.assessments.capture.services import (
    ASSESSMENT_FIELDS,
    CommentInput,
    RatingInput,
    assessment_submit,
    content_digest,
    edit_window,
)
from trellis.assessments.models import (
    Assessment,
    AssessmentSource,
    AssessmentStatus,
    Comment,
    FormVersion,
    Rating,
    Request,
    RequestStatus,
)
from trellis.audit.models import AuditEvent
from trellis.audit.services import snapshot
from trellis.people.models import Program, User
from trellis.scheduling.models import Assignment, Site


class AssessmentWriter:
    """Submits through `assessment_submit`, or (bulk) collects the same rows to insert at
    the end. Consumes no randomness, so both ways give the same data."""

    def __init__(self, *, bulk: bool, program: Program) -> None:
        self.bulk = bulk
        self.program = program
        self.ratings = 0
        self.keys = 0
        self._rows: list[tuple[Assessment, list[RatingInput], list[CommentInput], User]] = []
        self._requests: list[int] = []

    def submit(
        self,
        *,
        form_version: FormVersion,
        subject: User,
        assessor: User,
        assessor_role: str,
        observed_on: dt.date,
        ratings: list[RatingInput],
        comments: list[CommentInput],
        submitted_at: dt.datetime | None,
        draft: bool = False,
        request: Request | None = None,
        assignment: Assignment | None = None,
        site: Site | None = None,
        context: str = "",
    ) -> None:
        self.keys += 1
        self.ratings += len(ratings)
        kwargs: dict[str, Any] = {
            "form_version": form_version,
            "subject": subject,
            "assessor": assessor,
            "assessor_role": assessor_role,
            "observed_on": observed_on,
            "ratings": ratings,
            "comments": comments,
            "client_key": f"demo-{self.keys}",
            "draft": draft,
            "submitted_at": None if draft else submitted_at,
            "request": request,
            "assignment": assignment,
            "site": site if site is not None else (assignment.site if assignment else None),
            "context": context,
        }
        if not self.bulk:
            assessment_submit(program=self.program, acting_user=assessor, **kwargs)
            return
        when = kwargs["submitted_at"]
        assessment = Assessment(
            program=self.program,
            form_version=form_version,
            subject=subject,
            assessor=assessor,
            assessor_role=assessor_role,
            observed_on=observed_on,
            context=context.strip(),
            status=AssessmentStatus.DRAFT if draft else AssessmentStatus.SUBMITTED,
            request=request,
            assignment=assignment,
            site=kwargs["site"],
            source=AssessmentSource.WEB,
            client_key=kwargs["client_key"],
            content_digest=content_digest(
                form_id=form_version.form_id,
                subject_id=subject.pk,
                observed_on=observed_on,
                ratings=ratings,
                comments=comments,
                concerns=(),
            ),
            submitted_at=when,
            editable_until=when + edit_window() if when else None,
        )
        self._rows.append((assessment, ratings, comments, assessor))
        if request is not None and not draft:
            self._requests.append(request.pk)

    def flush(self, batch: int = 2000) -> None:
        """Bulk only: insert what was collected (a no-op for the service path)."""
        for start in range(0, len(self._rows), batch):
            self._insert(self._rows[start : start + batch])
        self._rows = []
        Request.objects.filter(pk__in=self._requests, status=RequestStatus.OPEN).update(
            status=RequestStatus.COMPLETED
        )
        self._requests = []

    def _insert(
        self, rows: Sequence[tuple[Assessment, list[RatingInput], list[CommentInput], User]]
    ) -> None:
        Assessment.objects.bulk_create([a for a, *_ in rows])
        Rating.objects.bulk_create(
            Rating(
                assessment=a,
                item=r.item,
                level=None if r.not_observed else r.level,
                not_observed=r.not_observed,
            )
            for a, ratings, _, _ in rows
            for r in ratings
        )
        Comment.objects.bulk_create(
            Comment(assessment=a, prompt_key=c.prompt_key, text=c.text.strip())
            for a, _, comments, _ in rows
            for c in comments
            if c.text.strip()
        )
        events = []
        for a, ratings, comments, actor in rows:
            after = snapshot(a, ASSESSMENT_FIELDS)
            after["ratings"] = {
                r.item.code or str(r.item.pk): "not observed" if r.not_observed else str(r.level)
                for r in sorted(ratings, key=lambda r: r.item.position)
            }
            after["comments"] = {c.prompt_key: c.text.strip() for c in comments if c.text.strip()}
            events.append(
                AuditEvent(
                    actor=actor,
                    action="assessment.draft" if a.status == "draft" else "assessment.submit",
                    target_type=a._meta.label_lower,
                    target_id=str(a.pk),
                    target_repr=str(a)[:255],
                    after=after,
                    program=self.program,
                    institution=self.program.institution,
                )
            )
        AuditEvent.objects.bulk_create(events)
