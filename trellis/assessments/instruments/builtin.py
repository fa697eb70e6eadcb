"""The forms every program starts with, installed after `migrate` (see AssessmentsConfig).

Built-in forms have no program. A form whose items are chosen when assessing has no
framework either: the assessor picks from the EPAs and subcompetencies of the frameworks
the program has adopted, with the rotation's expected items pre-chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from trellis.assessments.models import (
    AssessorRole,
    Form,
    FormKind,
    FormVersion,
    ItemSelection,
    Prompt,
    Question,
)
from trellis.audit.services import audit_record
from trellis.frameworks.models import Framework, Item, Scale
from trellis.people.models import User


@dataclass(frozen=True)
class PromptSpec:
    key: str
    text: str
    placeholder: str = ""
    required: bool = False


WENT_WELL = PromptSpec(
    "went-well",
    "What went well?",
    "e.g. Clear, organised presentation; you checked the patient's understanding.",
)
NEXT_TIME = PromptSpec(
    "next-time",
    "One thing to do next time",
    "e.g. Before presenting, commit to one leading diagnosis and say what would change your mind.",
)
OBSERVATION_PROMPTS = (WENT_WELL, NEXT_TIME)


@dataclass(frozen=True)
class FormSpec:
    slug: str
    title: str
    kind: FormKind
    scale: str
    description: str
    prompts: tuple[PromptSpec, ...]
    selection: ItemSelection = ItemSelection.CHOOSE
    # (framework slug, item codes) for a fixed form
    items: tuple[str, tuple[str, ...]] | None = None
    anonymous: bool = False
    assessor_roles: tuple[str, ...] = (AssessorRole.FACULTY, AssessorRole.RESIDENT)


def _observation(scale: str, name: str) -> FormSpec:
    return FormSpec(
        slug=f"epa-observation-{scale}",
        title=f"EPA observation ({name})",
        kind=FormKind.EPA_OBSERVATION,
        scale=scale,
        description="What you saw today: how much supervision this learner needed.",
        prompts=OBSERVATION_PROMPTS,
    )


BUILTIN_FORMS: tuple[FormSpec, ...] = (
    _observation("chen", "Chen"),
    _observation("o-score", "O-SCORE"),
    _observation("ottawa", "Ottawa"),
    _observation("zwisch", "Zwisch"),
    FormSpec(
        slug="end-of-rotation",
        title="End-of-rotation milestone evaluation",
        kind=FormKind.END_OF_ROTATION,
        scale="milestone",
        description="Where this learner stands on the rotation's subcompetencies.",
        prompts=(
            PromptSpec("strengths", "Strengths", "e.g. Reliable follow-up of every result."),
            NEXT_TIME,
        ),
    ),
    FormSpec(
        slug="multisource",
        title="Multisource feedback",
        kind=FormKind.MULTISOURCE,
        scale="milestone",
        description="How this learner works with patients and the team.",
        prompts=OBSERVATION_PROMPTS,
        selection=ItemSelection.FIXED,
        items=("acgme-harmonized", ("ICS1", "ICS2", "PROF1", "PROF2")),
        assessor_roles=(
            AssessorRole.NURSE,
            AssessorRole.PEER,
            AssessorRole.PATIENT,
            AssessorRole.STAFF,
        ),
    ),
    FormSpec(
        slug="self-assessment",
        title="Self-assessment",
        kind=FormKind.SELF,
        scale="milestone",
        description="Where you think you stand, and what you will work on next.",
        prompts=(
            PromptSpec("strengths", "What I do well"),
            PromptSpec("next-time", "What I will work on next", "e.g. Lead one family meeting."),
        ),
        assessor_roles=(AssessorRole.SELF,),
    ),
    FormSpec(
        slug="procedure-sign-off",
        title="Procedure sign-off (O-SCORE)",
        kind=FormKind.PROCEDURE,
        scale="o-score",
        description="How much you had to do during this procedure.",
        prompts=OBSERVATION_PROMPTS,
    ),
    FormSpec(
        slug="teaching-evaluation",
        title="Evaluation of a teacher",
        kind=FormKind.TEACHING,
        scale="milestone",
        description="Anonymous: your teacher sees only a summary of three or more responses.",
        prompts=(
            PromptSpec("went-well", "What helped you learn?"),
            PromptSpec("next-time", "One thing this teacher could do differently"),
        ),
        selection=ItemSelection.FIXED,
        items=("clinician-educator-milestones", ("ETP7", "ETP1", "ADM3")),
        anonymous=True,
        assessor_roles=(AssessorRole.LEARNER,),
    ),
    FormSpec(
        slug="rotation-evaluation",
        title="Evaluation of a rotation",
        kind=FormKind.ROTATION,
        scale="milestone",
        description="Anonymous: reported only as a summary of three or more responses.",
        prompts=(
            PromptSpec("went-well", "What made this rotation worth doing?"),
            PromptSpec("next-time", "One change that would improve it"),
        ),
        selection=ItemSelection.FIXED,
        items=("clinician-educator-milestones", ("ADM3",)),
        anonymous=True,
        assessor_roles=(AssessorRole.LEARNER,),
    ),
)


def _install(spec: FormSpec, scales: dict[str, Scale], acting_user: User | None) -> Form | None:
    questions: list[Item] = []
    if spec.items is not None:
        framework_slug, codes = spec.items
        framework = Framework.objects.filter(slug=framework_slug).first()
        if framework is None:
            return None
        by_code = {i.code: i for i in framework.items.filter(code__in=codes)}
        questions = [by_code[c] for c in codes if c in by_code]
    form = Form.objects.create(
        program=None,
        slug=spec.slug,
        title=spec.title,
        kind=spec.kind,
        description=spec.description,
        anonymous=spec.anonymous,
        assessor_roles=[str(r) for r in spec.assessor_roles],
    )
    version = FormVersion.objects.create(
        form=form, number=1, item_selection=spec.selection, scale=scales[spec.scale]
    )
    Question.objects.bulk_create(
        Question(version=version, position=n, item=item, required=False)
        for n, item in enumerate(questions)
    )
    Prompt.objects.bulk_create(
        Prompt(
            version=version,
            position=n,
            key=p.key,
            text=p.text,
            placeholder=p.placeholder,
            required=p.required,
        )
        for n, p in enumerate(spec.prompts)
    )
    audit_record(
        actor=acting_user,
        action="form.install",
        target=form,
        after={"slug": form.slug, "version": 1, "items": [i.code for i in questions]},
    )
    return form


@transaction.atomic
def forms_install_builtin(*, acting_user: User | None = None) -> list[Form]:
    """Create the built-in forms that are missing (by slug); existing ones, and any
    versions a later release added, are left alone. Returns the forms created."""
    present = set(
        Form.objects.filter(
            program__isnull=True, slug__in=[s.slug for s in BUILTIN_FORMS]
        ).values_list("slug", flat=True)
    )
    missing = [s for s in BUILTIN_FORMS if s.slug not in present]
    if not missing:
        return []
    scales = {s.slug: s for s in Scale.objects.filter(slug__in={m.scale for m in missing})}
    created = []
    for spec in missing:
        if spec.scale not in scales:
            continue
        form = _install(spec, scales, acting_user)
        if form is not None:
            created.append(form)
    return created
