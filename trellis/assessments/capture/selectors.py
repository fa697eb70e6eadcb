"""Reads for capturing and viewing assessments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from trellis.assessments.evidence import ANONYMITY_MINIMUM, DEVELOPMENTAL
from trellis.assessments.instruments.kept import rateable_items, version_content
from trellis.assessments.models import (
    Assessment,
    AssessmentStatus,
    AssessorRole,
    Form,
    FormKind,
    FormVersion,
    ItemSelection,
    Rating,
    Request,
    RequestStatus,
)
from trellis.frameworks.models import Adoption, Item, ItemKind, LevelDescriptor, Scale
from trellis.people.models import Program, User
from trellis.scheduling.models import Assignment
from trellis.scheduling.selectors import rotation_expected_items, supervised_learners_on

# Kinds a faculty member fills about a learner from the capture pages.
CAPTURE_KINDS = (FormKind.EPA_OBSERVATION, FormKind.END_OF_ROTATION, FormKind.PROCEDURE)


@dataclass(frozen=True)
class Start:
    today: list[Assignment]
    requests: list[Request]
    drafts: list[Assessment]
    recent: list[Assessment]


def _listed() -> QuerySet[Assessment]:
    return Assessment.objects.select_related("form_version__form", "subject", "assessor", "program")


def capture_start(*, user: User, day: dt.date) -> Start:
    """The faculty start page: whom they supervise today, what they were asked to do,
    what they left half done, what they did lately."""
    # Each with what the page shows (the learner and the form), no more: the page is the
    # assessor's first of every observation.
    requests = list(
        Request.objects.filter(assessor=user, status=RequestStatus.OPEN)
        .exclude(subject=user)
        .select_related("form", "subject")
        .order_by("due_date", "pk")[:20]
    )
    mine = Assessment.objects.filter(assessor=user).select_related("form_version__form", "subject")
    drafts = list(mine.filter(status=AssessmentStatus.DRAFT)[:20])
    recent = list(mine.filter(status=AssessmentStatus.SUBMITTED).order_by("-submitted_at")[:5])
    return Start(
        today=supervised_learners_on(faculty=user, day=day),
        requests=requests,
        drafts=drafts,
        recent=recent,
    )


def assessment_by_client_key(*, assessor: User, client_key: str) -> Assessment | None:
    """The assessment, of any status, that `assessor` sent under `client_key` (a key names
    at most one of an assessor's assessments); None without a key."""
    if not client_key:
        return None
    return Assessment.objects.filter(assessor=assessor, client_key=client_key).first()


def capture_forms(*, program: Program) -> list[Form]:
    """Forms a faculty member may pick on the capture page and in the API: the program's
    own and the built-in ones of the capture kinds that faculty fill, live only."""
    forms = (
        Form.objects.filter(archived=False, kind__in=CAPTURE_KINDS)
        .filter(Q(program=program) | Q(program__isnull=True))
        .order_by("program_id", "kind", "title")
    )
    return [
        f for f in forms if AssessorRole.FACULTY in (f.assessor_roles or [AssessorRole.FACULTY])
    ]


def current_version(form: Form) -> FormVersion:
    """The form's latest version, with its scale and framework (its prompts and questions
    are `version_content`'s, kept in the process)."""
    version = form.versions.select_related("scale", "framework").order_by("-number").first()
    if version is None:
        raise FormVersion.DoesNotExist(f"{form} has no version")
    return version


def observation_form_default(*, program: Program) -> Form | None:
    """The program's own EPA observation form, else the built-in one on the scale of the
    first adopted framework that has EPAs, else the Ottawa one."""
    own = Form.objects.filter(
        program=program, kind=FormKind.EPA_OBSERVATION, archived=False
    ).first()
    if own is not None:
        return own
    scale_slug = (
        Adoption.objects.current()
        .filter(program=program, framework__items__kind=ItemKind.EPA)
        .values_list("framework__scale__slug", flat=True)
        .first()
    )
    builtin = Form.objects.filter(program__isnull=True, kind=FormKind.EPA_OBSERVATION)
    return (
        builtin.filter(slug=f"epa-observation-{scale_slug}").first()
        or builtin.filter(slug="epa-observation-ottawa").first()
        or builtin.first()
    )


def capture_candidates(
    *, program: Program, version: FormVersion, assignment: Assignment | None
) -> tuple[list[Item], set[int]]:
    """The items an assessor may rate on this version, and those pre-chosen: a fixed form's
    own questions (all chosen); for a choose form, the EPAs and subcompetencies of its
    framework (or of the program's adopted frameworks), with the ones the rotation is
    mapped to assess pre-chosen."""
    if version.item_selection == ItemSelection.FIXED:
        items = [q.item for q in version_content(version).questions]
        return items, {i.pk for i in items}
    # A framework's items are kept in the process; which frameworks the program adopted is
    # read each time (a program adopts one at any moment).
    if version.framework_id is not None and version.framework is not None:
        frameworks = [(version.framework.pk, version.framework.created_at)]
    else:
        adopted = (
            Adoption.objects.current().filter(program=program).order_by("framework__title", "pk")
        )
        frameworks = list(adopted.values_list("framework_id", "framework__created_at"))
    items = [
        item
        for pk, created_at in frameworks
        for item in rateable_items(framework_id=pk, created_at=created_at)
    ]
    # An entrustment scale rates activities: offer EPAs where the program has them.
    if version.scale.kind == "entrustment" and any(i.kind == ItemKind.EPA for i in items):
        items = [i for i in items if i.kind == ItemKind.EPA]
    chosen: set[int] = set()
    if assignment is not None:
        ids = {i.pk for i in items}
        expected = rotation_expected_items(rotation=assignment.rotation)
        chosen = {pk for pk in expected.values_list("pk", flat=True) if pk in ids}
    return items, chosen


@dataclass(frozen=True)
class LevelOption:
    value: Decimal
    label: str
    description: str
    half: bool = False

    @property
    def key(self) -> str:
        return f"{self.value.normalize():f}"


def level_options(
    *, scale: Scale, items: list[Item], with_halves: bool = True
) -> dict[int, list[LevelOption]]:
    """For each item, the scale's levels with what each looks like for that item (its level
    descriptor where it has one, else the scale level's description)."""
    levels = {Decimal(lv.value): lv for lv in scale.levels.all()}
    values = scale.accepted_values(levels) if with_halves else sorted(levels)
    descriptors: dict[tuple[int, Decimal], str] = {}
    for d in LevelDescriptor.objects.filter(item__in=items, level__isnull=False):
        descriptors[(d.item_id, Decimal(d.level or 0))] = d.text
    out: dict[int, list[LevelOption]] = {}
    for it in items:
        options: list[LevelOption] = []
        for value in values:
            lv = levels.get(value)
            if lv is None:
                options.append(
                    LevelOption(value, f"{value:g}", "Some, not all, of the next level.", half=True)
                )
            else:
                text = descriptors.get((it.pk, value)) or lv.description
                options.append(LevelOption(value, lv.label, text))
        out[it.pk] = options
    return out


def item_level_options(*, items: list[Item]) -> dict[int, list[LevelOption]]:
    """`level_options` for items on different scales (a committee packet's milestones and
    EPAs), each on its own scale's whole levels; an item with no scale has none."""
    by_scale: dict[int, tuple[Scale, list[Item]]] = {}
    for it in items:
        scale = it.effective_scale
        if scale is not None:
            by_scale.setdefault(scale.pk, (scale, []))[1].append(it)
    out: dict[int, list[LevelOption]] = {}
    for scale, group in by_scale.values():
        out.update(level_options(scale=scale, items=group, with_halves=False))
    return out


def assessments_about(*, subject: User) -> QuerySet[Assessment]:
    """Submitted assessments of `subject` that they may read one by one (not anonymous)."""
    return (
        _listed()
        .filter(subject=subject, status=AssessmentStatus.SUBMITTED)
        .exclude(form_version__form__anonymous=True)
        .prefetch_related("ratings__item", "comments")
    )


def assessments_by(*, assessor: User) -> QuerySet[Assessment]:
    return _listed().filter(assessor=assessor).prefetch_related("ratings__item")


def assessments_of_program(*, program: Program) -> QuerySet[Assessment]:
    """A program's submitted assessments as its staff see them: developmental ratings (the
    Clinician Educator Milestones) are private to their subject and never listed here."""
    return (
        _listed()
        .filter(program=program, status=AssessmentStatus.SUBMITTED)
        .exclude(pk__in=Rating.objects.filter(DEVELOPMENTAL).values("assessment_id"))
        .prefetch_related("ratings__item")
    )


@dataclass
class AnonymousSummary:
    form: Form
    responses: int
    released: bool


def anonymous_summary(*, subject: User, minimum: int = ANONYMITY_MINIMUM) -> list[AnonymousSummary]:
    """How many anonymous responses there are about the subject (a teacher), per form, and
    whether the form has reached `minimum`: counts only. The results themselves are read
    by academic year, under the anonymity rules, in `assessments.evaluations`."""
    base = Assessment.objects.filter(
        subject=subject,
        status=AssessmentStatus.SUBMITTED,
        form_version__form__anonymous=True,
    ).exclude(form_version__form__kind=FormKind.ROTATION)  # about the rotation, not its writer
    counts = base.values("form_version__form").annotate(n=Count("pk"))
    forms = {f.pk: f for f in Form.objects.filter(pk__in=[c["form_version__form"] for c in counts])}
    return [
        AnonymousSummary(
            form=forms[row["form_version__form"]], responses=row["n"], released=row["n"] >= minimum
        )
        for row in counts
    ]
