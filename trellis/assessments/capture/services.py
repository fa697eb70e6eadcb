"""Writes of assessments: the one way an observation enters Trellis.

The web form, the REST API, the importer and the demo all call `assessment_submit`, so
its rules are written once:

- every rating's level is a level of the scale (half levels only where the scale allows);
  "not observed" carries no level;
- a submitted assessment rates at least one item as observed, or says something;
- a retry never makes a second assessment: the same (assessor, client_key) or the same
  (program, source, external_id) returns the assessment already there, writing nothing
  (`SubmitResult.created` is False). Two racing calls are settled by the database's
  unique constraints, caught inside a savepoint;
- a draft saved under a client key is updated by the next call with that key, and
  submitted when that call is not a draft;
- submitting answers (completes) the request it came from, and opens a window
  (settings.ASSESSMENT_EDIT_WINDOW_HOURS, 24 by default) in which the assessor may still
  correct it with `assessment_edit`;
- every write is audited in its own transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from trellis.assessments.instruments.kept import version_content
from trellis.assessments.models import (
    Assessment,
    AssessmentSource,
    AssessmentStatus,
    AssessorRole,
    Comment,
    Concern,
    FormVersion,
    ItemSelection,
    Prompt,
    Rating,
    Request,
    RequestStatus,
)
from trellis.audit.services import audit_record, snapshot
from trellis.frameworks.models import Adoption, Framework, Item, Scale
from trellis.lib.bounds import plausible_date
from trellis.lib.urls import absolute_url
from trellis.people.models import Program, Role, User
from trellis.people.selectors import memberships_in_force
from trellis.scheduling.models import Assignment, Site

# A comment under this key is accepted on every form: a general note, e.g. from an import.
GENERAL_PROMPT = "general"
# The longest comment taken (about 3,000 words; a rater once pasted 10,812 characters,
# which used to be cut to 5,000 without a word). Longer is refused, never cut.
MAX_COMMENT_CHARS = 20_000
# How long an identical submission from the same assessor counts as the same one sent
# again (Back, reload) rather than a second observation.
REPEAT_WINDOW = dt.timedelta(minutes=15)

ASSESSMENT_FIELDS = [
    "form_version",
    "subject",
    "assessor",
    "assessor_name",
    "assessor_role",
    "observed_on",
    "context",
    "status",
    "request",
    "assignment",
    "site",
    "source",
    "external_id",
    "submitted_at",
    "concerns",
]


@dataclass(frozen=True)
class RatingInput:
    item: Item
    level: Decimal | None
    not_observed: bool = False


@dataclass(frozen=True)
class CommentInput:
    prompt_key: str
    text: str
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class SubmitResult:
    """`created` is True when this call wrote something (a new assessment, or a draft
    updated or submitted); False when it was a duplicate and nothing was written."""

    assessment: Assessment
    created: bool


class AssessmentRefused(ValueError):
    """The input broke a rule; nothing was written.

    `problems` maps a field to what is wrong with it. Keys: "rating-<item id>" for one
    rating, "comment-<prompt key>" for one comment, "observed_on", "assessor_role",
    "request", "form", "ratings" (the set as a whole) and "__all__".
    """

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems

    @property
    def messages(self) -> list[str]:
        return list(self.problems.values())


def edit_window() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "ASSESSMENT_EDIT_WINDOW_HOURS", 24))


@dataclass(frozen=True)
class FormRules:
    """What one form version asks of a submission by one kind of assessor in one program:
    its items' scales and their levels, the frameworks a choose-items form may rate, its
    prompts and its required questions. Read in a few queries; an importer reads them once
    for a whole file and hands them to every `assessment_submit`."""

    version_id: int
    program_id: int
    assessor_role: str
    per_item: dict[int, Scale] | None
    default_scale: Scale
    levels: dict[int, list[Decimal]]
    adopted: frozenset[int]
    prompts: dict[str, Prompt]
    required_items: tuple[int, ...]


def form_rules(*, program: Program, form_version: FormVersion, assessor_role: str) -> FormRules:
    """A fixed form's questions give each item its scale and say which are required; a
    choose-items form rates any item of the frameworks it may rate on the version's scale
    (`per_item` None)."""
    default_scale = form_version.scale
    content = version_content(form_version)
    per_item: dict[int, Scale] | None = None
    required: tuple[int, ...] = ()
    adopted: set[int] = set()
    if form_version.item_selection == ItemSelection.CHOOSE:
        adopted = _rateable_frameworks(program, assessor_role)
    else:
        per_item = {q.item_id: (q.scale or default_scale) for q in content.questions}
        required = tuple(q.item_id for q in content.questions if q.required)
    return FormRules(
        version_id=form_version.pk,
        program_id=program.pk,
        assessor_role=assessor_role,
        per_item=per_item,
        default_scale=default_scale,
        levels={pk: list(values) for pk, values in content.levels.items()},
        adopted=frozenset(adopted),
        prompts={p.key: p for p in content.prompts},
        required_items=required,
    )


def _check_context(
    *,
    program: Program,
    form_version: FormVersion,
    subject: User,
    assessor: User | None,
    assessor_role: str,
    observed_on: dt.date,
    request: Request | None,
    source: str,
) -> dict[str, str]:
    """The form, role, date and request: who, when and on what. The role must be one the
    form is filled in (the callers derive it from who the assessor is)."""
    problems: dict[str, str] = {}
    form = form_version.form
    if form.program_id is not None and form.program_id != program.pk:
        problems["form"] = "This form belongs to another program."
    if assessor_role not in AssessorRole.values:
        problems["assessor_role"] = f"Unknown assessor role {assessor_role!r}."
    elif source != AssessmentSource.IMPORT and assessor_role not in (
        form.assessor_roles or [AssessorRole.FACULTY]
    ):
        # An import keeps the role its source system recorded (mapped by the importer).
        role = AssessorRole(assessor_role).label.lower()
        problems["assessor_role"] = f"The {form.title} is not filled by a {role}."
    if observed_on > timezone.localdate() + dt.timedelta(days=1):
        problems["observed_on"] = "The observation cannot be in the future."
    elif plausible_date(observed_on):  # the web form, the API and the importer alike
        problems["observed_on"] = f"The observation date {plausible_date(observed_on)}."
    if request is not None:
        if request.program_id != program.pk or request.subject_id != subject.pk:
            problems["request"] = "This request is about someone else."
        elif request.status != RequestStatus.OPEN:
            problems["request"] = "This request has already been answered or closed."
        elif request.assessor_id is not None and request.assessor_id != getattr(
            assessor, "pk", None
        ):
            problems["request"] = "This request is addressed to someone else."
    return problems


def _rating_problem(
    r: RatingInput,
    *,
    form_version: FormVersion,
    per_item: dict[int, Scale] | None,
    default_scale: Scale,
    levels: dict[int, list[Decimal]],
    adopted: frozenset[int],
) -> str:
    """What is wrong with one rating ("" when nothing is)."""
    framework_id = r.item.framework_id
    if per_item is None and framework_id not in (adopted | {form_version.framework_id}):
        # Not the program's: its code is not named (it may be another institution's).
        return "This item is not in a framework of this program."
    name = r.item.code or r.item.name
    if per_item is not None and r.item.pk not in per_item:
        return f"{name} is not on this form."
    if per_item is None and form_version.framework_id not in (None, framework_id):
        return f"{name} is not in this form's framework."
    if r.not_observed:
        return "Choose a level or “Not observed”, not both." if r.level is not None else ""
    if r.level is None:
        return "Choose a level or “Not observed”."
    scale = per_item[r.item.pk] if per_item is not None else default_scale
    if not scale.accepts(r.level, levels[scale.pk]):
        allowed = scale.describe_levels(levels[scale.pk])
        return f"{r.level:g} is not a level of the {scale.name}: {allowed}."
    return ""


def _rateable_frameworks(program: Program, assessor_role: str) -> set[int]:
    """Frameworks whose items a choose-items form without its own framework may rate: those
    the program adopted, less developmental ones. Developmental data is its owner's: only
    a self-assessment (or a form built on that framework) writes it, on a developmental
    framework of the catalogue or of the program's institution."""
    ids = set(
        Adoption.objects.current()
        .filter(program=program, framework__developmental=False)
        .values_list("framework_id", flat=True)
    )
    if assessor_role == AssessorRole.SELF:
        ids |= set(
            Framework.objects.filter(developmental=True)
            .filter(Q(institution__isnull=True) | Q(institution_id=program.institution_id))
            .values_list("pk", flat=True)
        )
    return ids


def _check_ratings(
    rules: FormRules,
    form_version: FormVersion,
    ratings: Sequence[RatingInput],
    problems: dict[str, str],
) -> tuple[set[int], int]:
    """Each rating against the form, the program and the scale; the items rated and how
    many were observed."""
    seen: set[int] = set()
    observed = 0
    for r in ratings:
        key = f"rating-{r.item.pk}"
        if r.item.pk in seen:
            problems.setdefault(key, f"{r.item.code or r.item.name} is rated twice.")
            continue
        seen.add(r.item.pk)
        problem = _rating_problem(
            r,
            form_version=form_version,
            per_item=rules.per_item,
            default_scale=rules.default_scale,
            levels=rules.levels,
            adopted=rules.adopted,
        )
        if problem:
            problems[key] = problem
        elif not r.not_observed:
            observed += 1
    return seen, observed


def _check(
    *,
    program: Program,
    form_version: FormVersion,
    subject: User,
    assessor: User | None,
    assessor_role: str,
    observed_on: dt.date,
    ratings: Sequence[RatingInput],
    comments: Sequence[CommentInput],
    request: Request | None,
    draft: bool,
    source: str,
    rules: FormRules,
) -> dict[str, str]:
    problems = _check_context(
        program=program,
        form_version=form_version,
        subject=subject,
        assessor=assessor,
        assessor_role=assessor_role,
        observed_on=observed_on,
        request=request,
        source=source,
    )
    seen, observed = _check_ratings(rules, form_version, ratings, problems)
    per_item, prompts = rules.per_item, rules.prompts
    said = {c.prompt_key for c in comments if c.text.strip()}
    for c in comments:
        if c.prompt_key not in prompts and c.prompt_key != GENERAL_PROMPT:
            problems[f"comment-{c.prompt_key}"] = f"This form has no prompt {c.prompt_key!r}."
        elif len(c.text.strip()) > MAX_COMMENT_CHARS:
            problems[f"comment-{c.prompt_key}"] = (
                f"This comment is {len(c.text.strip()):,} characters; the most is "
                f"{MAX_COMMENT_CHARS:,}. Shorten it and submit again (nothing was saved)."
            )
    if draft:
        return problems
    for item_id in rules.required_items:
        if item_id not in seen:
            problems.setdefault(f"rating-{item_id}", "This question needs an answer.")
    for key, prompt in prompts.items():
        if prompt.required and key not in said:
            problems.setdefault(f"comment-{key}", "This question needs an answer.")
    if "ratings" in problems or observed:
        return problems
    if per_item is None and source != AssessmentSource.IMPORT:
        # A choose-items form (an EPA observation) is its ratings: without a level it
        # would be saved as an observation of nothing. (An import keeps what its source
        # system recorded.)
        problems["ratings"] = (
            "Choose a level for at least one item, or save it as a draft to finish later."
        )
    elif not said:
        problems["ratings"] = "Rate at least one item, or write a comment."
    return problems


def _write_children(
    assessment: Assessment, ratings: Sequence[RatingInput], comments: Sequence[CommentInput]
) -> None:
    Rating.objects.bulk_create(
        Rating(
            assessment=assessment,
            item=r.item,
            level=None if r.not_observed else r.level,
            not_observed=r.not_observed,
        )
        for r in ratings
    )
    said = [c for c in comments if c.text.strip()]
    made = Comment.objects.bulk_create(
        Comment(assessment=assessment, prompt_key=c.prompt_key, text=c.text.strip()) for c in said
    )
    for c, comment in zip(said, made, strict=True):
        if c.items:
            comment.items.set(c.items)


def assessment_snapshot(assessment: Assessment) -> dict[str, Any]:
    """The assessment with its ratings and comments, for the audit trail."""
    data = snapshot(assessment, ASSESSMENT_FIELDS)
    data["ratings"] = {
        r.item.code or str(r.item_id): ("not observed" if r.not_observed else str(r.level))
        for r in assessment.ratings.select_related("item")
    }
    data["comments"] = {c.prompt_key: c.text for c in assessment.comments.all()}
    return data


def _snapshot_of_new(
    assessment: Assessment, ratings: Sequence[RatingInput], comments: Sequence[CommentInput]
) -> dict[str, Any]:
    """`assessment_snapshot` of an assessment just written from these inputs, without
    reading it back: levels as their column stores them, in the items' order."""
    data = snapshot(assessment, ASSESSMENT_FIELDS)
    data["ratings"] = {
        r.item.code or str(r.item.pk): (
            "not observed" if r.not_observed else str(_stored_level(r.level))
        )
        for r in sorted(ratings, key=lambda r: r.item.position)
    }
    data["comments"] = {c.prompt_key: c.text.strip() for c in comments if c.text.strip()}
    return data


def _stored_level(level: Decimal | None) -> Decimal | None:
    return None if level is None else level.quantize(Decimal("0.1"))


def content_digest(
    *,
    form_id: int,
    subject_id: int,
    observed_on: dt.date,
    ratings: Sequence[RatingInput],
    comments: Sequence[CommentInput],
    concerns: Sequence[str],
) -> str:
    """What a submission says, as one digest: the form (whichever version), the subject,
    the day, the concerns, and the ratings and comments as they are stored (levels to a
    tenth, text stripped, blank comments left out), in no order. Equal digests say the
    same."""
    said = [
        form_id,
        subject_id,
        observed_on.isoformat(),
        sorted(set(concerns)),
        sorted(
            f"{r.item.pk}:{'not observed' if r.not_observed else _stored_level(r.level)}"
            for r in ratings
        ),
        sorted({(c.prompt_key, c.text.strip()) for c in comments if c.text.strip()}),
    ]
    text = json.dumps(said, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _existing(
    *,
    program: Program,
    assessor: User | None,
    client_key: str,
    source: str,
    external_id: str,
    same_as: str = "",
) -> Assessment | None:
    """The assessment this call repeats: the assessor's under the same client key, else the
    program's under the same (source, external id), else, given `same_as` (a content
    digest), the assessor's latest submission of that content in the last REPEAT_WINDOW.
    Back after submitting fetches the form again with a new client key: the same content
    again is that page sent again, not a second observation. The assessor's two are
    asked in one query."""
    found: list[Assessment] = []
    if assessor is not None and (client_key or same_as):
        wanted = Q(client_key=client_key) if client_key else Q(pk__in=[])
        if same_as:
            since = timezone.now() - REPEAT_WINDOW
            wanted |= Q(
                content_digest=same_as, status=AssessmentStatus.SUBMITTED, submitted_at__gte=since
            )
        found = list(Assessment.objects.filter(wanted, assessor=assessor).order_by())
        by_key = next((a for a in found if client_key and a.client_key == client_key), None)
        if by_key is not None:
            return by_key
    if external_id:
        by_id = Assessment.objects.filter(
            program=program, source=source, external_id=external_id
        ).first()
        if by_id is not None:
            return by_id
    repeats = [a for a in found if same_as and a.content_digest == same_as]
    return max(repeats, key=lambda a: (a.submitted_at, a.pk), default=None)


def _complete_request(request: Request | None) -> None:
    if request is not None:
        Request.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
            status=RequestStatus.COMPLETED
        )
        request.status = RequestStatus.COMPLETED


def _rules_for(
    rules: FormRules | None, program: Program, form_version: FormVersion, assessor_role: str
) -> FormRules:
    if rules is not None and (rules.version_id, rules.program_id, rules.assessor_role) == (
        form_version.pk,
        program.pk,
        assessor_role,
    ):
        return rules
    return form_rules(program=program, form_version=form_version, assessor_role=assessor_role)


def assessment_submit(
    *,
    program: Program,
    form_version: FormVersion,
    subject: User,
    assessor: User | None,
    assessor_role: str,
    observed_on: dt.date,
    ratings: Sequence[RatingInput],
    comments: Sequence[CommentInput] = (),
    acting_user: User | None,
    client_key: str = "",
    request: Request | None = None,
    assignment: Assignment | None = None,
    site: Site | None = None,
    context: str = "",
    source: str = AssessmentSource.WEB,
    external_id: str = "",
    assessor_name: str = "",
    draft: bool = False,
    submitted_at: dt.datetime | None = None,
    concerns: Sequence[str] = (),
    rules: FormRules | None = None,
) -> SubmitResult:
    """Record an assessment (or save a draft of one). Raises AssessmentRefused, writing
    nothing, when a rule is broken. Permission is the caller's business (see access.py).
    `rules` are the form's, read by `form_rules` (once per file, by an importer); read
    here when not given or not this form's, program's and role's."""
    digest = content_digest(
        form_id=form_version.form_id,
        subject_id=subject.pk,
        observed_on=observed_on,
        ratings=ratings,
        comments=comments,
        concerns=concerns,
    )
    # An import keeps what its source recorded, repeats included (its rows are told apart
    # by their external ids).
    repeatable = not draft and assessor is not None and source != AssessmentSource.IMPORT
    existing = _existing(
        program=program,
        assessor=assessor,
        client_key=client_key,
        source=source,
        external_id=external_id,
        same_as=digest if repeatable else "",
    )
    if existing is not None and existing.status == AssessmentStatus.SUBMITTED:
        return SubmitResult(existing, created=False)
    if existing is not None and draft and not client_key:
        return SubmitResult(existing, created=False)

    problems = _check(
        program=program,
        form_version=form_version,
        subject=subject,
        assessor=assessor,
        assessor_role=assessor_role,
        observed_on=observed_on,
        ratings=ratings,
        comments=comments,
        request=request,
        draft=draft,
        source=source,
        rules=_rules_for(rules, program, form_version, assessor_role),
    )
    unknown = [c for c in concerns if c not in Concern.values]
    if unknown:
        problems["concerns"] = f"Unknown concern {unknown[0]!r}."
    if problems:
        raise AssessmentRefused(problems)

    status = AssessmentStatus.DRAFT if draft else AssessmentStatus.SUBMITTED
    when = None if draft else (submitted_at or timezone.now())
    values: dict[str, Any] = {
        "program": program,
        "form_version": form_version,
        "subject": subject,
        "assessor": assessor,
        "assessor_name": assessor_name,
        "assessor_role": assessor_role,
        "observed_on": observed_on,
        "context": context.strip(),
        "status": status,
        "request": request,
        "assignment": assignment,
        "site": site if site is not None else (assignment.site if assignment else None),
        "source": source,
        "external_id": external_id,
        "content_digest": digest,
        "submitted_at": when,
        "editable_until": when + edit_window() if when else None,
        "concerns": sorted(set(concerns)),
    }
    try:
        with transaction.atomic():
            if existing is not None:
                assessment = _draft_update(existing, values, ratings, comments)
                after = assessment_snapshot(assessment)
            else:
                assessment = Assessment.objects.create(client_key=client_key, **values)
                _write_children(assessment, ratings, comments)
                after = _snapshot_of_new(assessment, ratings, comments)
            if not draft:
                _complete_request(request)
                if assessment.concerns:
                    concern_notify(assessment)
            audit_record(
                actor=acting_user,
                action="assessment.draft" if draft else "assessment.submit",
                target=assessment,
                after=after,
                program=program,
            )
    except IntegrityError:
        # Another call with the same key won the race; it wrote the one assessment.
        winner = _existing(
            program=program,
            assessor=assessor,
            client_key=client_key,
            source=source,
            external_id=external_id,
        )
        if winner is None:
            raise
        return SubmitResult(winner, created=False)
    return SubmitResult(assessment, created=True)


def concern_notify(assessment: Assessment) -> None:
    """E-mail the program's directors, after commit, that a rater raised a concern: who
    about, what kind and a link to the assessment (the words stay in Trellis)."""
    directors = memberships_in_force(program=assessment.program, role=Role.DIRECTOR)
    to = sorted({m.person.email for m in directors.select_related("person") if m.person.email})
    if not to:
        return
    kinds = ", ".join(Concern(c).label.lower() for c in assessment.concerns)
    who = (
        assessment.assessor.display_name
        if assessment.assessor
        else (assessment.assessor_name or assessment.get_assessor_role_display())
    )
    subject = f"Trellis: a concern about {assessment.subject.display_name} ({kinds})"
    body = "\n".join([
        f"{who} raised a concern about {kinds} on a {assessment.form_version.form.title}",
        f"about {assessment.subject.display_name} ({assessment.program.name}), observed",
        f"{assessment.observed_on:%d %B %Y}.",
        "",
        f"  {absolute_url(reverse('assessments:detail', args=[assessment.pk]))}",
        "",
        "Trellis",
    ])  # fmt: skip
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to), robust=True
    )


def _draft_update(
    draft: Assessment,
    values: dict[str, Any],
    ratings: Sequence[RatingInput],
    comments: Sequence[CommentInput],
) -> Assessment:
    # Compare-and-set: only one of two racing calls may move this draft on.
    changed = Assessment.objects.filter(pk=draft.pk, status=AssessmentStatus.DRAFT).update(**values)
    if not changed:
        raise IntegrityError("the draft was submitted by another call")
    draft.ratings.all().delete()
    draft.comments.all().delete()
    _write_children(draft, ratings, comments)
    draft.refresh_from_db()
    return draft


def assessment_edit(
    *,
    assessment: Assessment,
    ratings: Sequence[RatingInput],
    comments: Sequence[CommentInput] = (),
    observed_on: dt.date | None = None,
    context: str | None = None,
    acting_user: User | None,
    now: dt.datetime | None = None,
) -> Assessment:
    """Correct a submitted assessment within its edit window: ratings and comments are
    replaced, and the audit trail keeps what they were before."""
    now = now or timezone.now()
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise AssessmentRefused({"__all__": "Only a submitted assessment can be edited."})
    if assessment.editable_until is None or now > assessment.editable_until:
        raise AssessmentRefused(
            {"__all__": "The time to edit this assessment has passed; it is now final."}
        )
    new_observed_on = observed_on or assessment.observed_on
    problems = _check(
        program=assessment.program,
        form_version=assessment.form_version,
        subject=assessment.subject,
        assessor=assessment.assessor,
        assessor_role=assessment.assessor_role,
        observed_on=new_observed_on,
        ratings=ratings,
        comments=comments,
        request=None,
        draft=False,
        source=assessment.source,
        rules=form_rules(
            program=assessment.program,
            form_version=assessment.form_version,
            assessor_role=assessment.assessor_role,
        ),
    )
    if problems:
        raise AssessmentRefused(problems)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        before = assessment_snapshot(locked)
        locked.observed_on = new_observed_on
        if context is not None:
            locked.context = context.strip()
        locked.content_digest = content_digest(
            form_id=locked.form_version.form_id,
            subject_id=locked.subject_id,
            observed_on=new_observed_on,
            ratings=ratings,
            comments=comments,
            concerns=locked.concerns or [],
        )
        locked.save(update_fields=["observed_on", "context", "content_digest"])
        locked.ratings.all().delete()
        locked.comments.all().delete()
        _write_children(locked, ratings, comments)
        audit_record(
            actor=acting_user,
            action="assessment.edit",
            target=locked,
            before=before,
            after=assessment_snapshot(locked),
            program=locked.program,
        )
    return locked


@transaction.atomic
def assessment_draft_discard(*, assessment: Assessment, acting_user: User | None) -> None:
    """Throw away a draft (a submitted assessment is never deleted)."""
    if assessment.status != AssessmentStatus.DRAFT:
        raise AssessmentRefused({"__all__": "Only a draft can be discarded."})
    audit_record(
        actor=acting_user,
        action="assessment.discard",
        target=assessment,
        before=assessment_snapshot(assessment),
        program=assessment.program,
    )
    assessment.delete()
