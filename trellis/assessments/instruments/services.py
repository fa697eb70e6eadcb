"""Coordinators build their own forms. A change never alters a form in place: it saves a
new version, and every assessment keeps the version it was completed on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from trellis.assessments.models import Form, FormVersion, ItemSelection, Prompt, Question
from trellis.audit.services import audit_record, snapshot
from trellis.frameworks.models import Adoption, Framework, Item, Scale
from trellis.people.models import Program, User


class FormRefused(ValueError):
    """The form may not be saved; the message says why."""


@dataclass(frozen=True)
class PromptData:
    text: str
    placeholder: str = ""
    required: bool = False


@dataclass(frozen=True)
class FormData:
    title: str
    kind: str
    scale: Scale
    item_selection: str
    framework: Framework | None
    items: Sequence[Item]
    prompts: Sequence[PromptData]
    anonymous: bool = False
    description: str = ""


def _check(program: Program, data: FormData) -> None:
    if not data.title.strip():
        raise FormRefused("A form needs a title.")
    adopted = set(
        Adoption.objects.current().filter(program=program).values_list("framework_id", flat=True)
    )
    if data.framework is not None and data.framework.pk not in adopted:
        raise FormRefused(f"{program} has not adopted {data.framework}.")
    strangers = [i for i in data.items if i.framework_id not in adopted]
    if strangers:
        raise FormRefused(f"{strangers[0]} is not in a framework {program} has adopted.")
    if data.item_selection == ItemSelection.FIXED and not data.items and not data.prompts:
        raise FormRefused("Add at least one item or one prompt.")


def _version_create(form: Form, number: int, data: FormData, acting_user: User | None) -> None:
    version = FormVersion.objects.create(
        form=form,
        number=number,
        item_selection=data.item_selection,
        framework=data.framework,
        scale=data.scale,
        created_by=acting_user,
    )
    if data.item_selection == ItemSelection.FIXED:
        Question.objects.bulk_create(
            Question(version=version, position=n, item=item) for n, item in enumerate(data.items)
        )
    keys: set[str] = set()
    prompts = []
    for n, p in enumerate(data.prompts):
        key = slugify(p.text)[:36] or f"prompt-{n}"
        while key in keys:
            key = f"{key[:33]}-{n}"
        keys.add(key)
        prompts.append(
            Prompt(
                version=version,
                position=n,
                key=key,
                text=p.text.strip()[:255],
                placeholder=p.placeholder.strip()[:255],
                required=p.required,
            )
        )
    Prompt.objects.bulk_create(prompts)


def _after(form: Form, data: FormData, number: int) -> dict[str, object]:
    return {
        **snapshot(form, ["title", "kind", "anonymous"]),
        "version": number,
        "scale": data.scale.slug,
        "item_selection": data.item_selection,
        "items": [i.code for i in data.items],
        "prompts": [p.text for p in data.prompts],
    }


@transaction.atomic
def form_create(*, program: Program, data: FormData, acting_user: User | None) -> Form:
    _check(program, data)
    base = slugify(data.title)[:70] or "form"
    slug, n = base, 2
    while Form.objects.filter(program=program, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    form = Form.objects.create(
        program=program,
        slug=slug,
        title=data.title.strip(),
        kind=data.kind,
        anonymous=data.anonymous,
        description=data.description.strip(),
    )
    _version_create(form, 1, data, acting_user)
    audit_record(
        actor=acting_user,
        action="form.create",
        target=form,
        after=_after(form, data, 1),
        program=program,
    )
    return form


@transaction.atomic
def form_revise(*, form: Form, data: FormData, acting_user: User | None) -> FormVersion:
    """Save the form's new content as its next version; earlier versions stay as they
    were, and so does every assessment completed on them."""
    if form.program is None:
        raise FormRefused("Built-in forms cannot be changed; create your own instead.")
    _check(form.program, data)
    locked = Form.objects.select_for_update().get(pk=form.pk)
    last = locked.versions.order_by("-number").first()
    number = (last.number if last else 0) + 1
    before = snapshot(locked, ["title", "kind", "anonymous"])
    locked.title = data.title.strip()
    locked.kind = data.kind
    locked.anonymous = data.anonymous
    locked.description = data.description.strip()
    locked.save(update_fields=["title", "kind", "anonymous", "description"])
    _version_create(locked, number, data, acting_user)
    audit_record(
        actor=acting_user,
        action="form.revise",
        target=locked,
        before={**before, "version": number - 1},
        after=_after(locked, data, number),
        program=locked.program,
    )
    return locked.versions.get(number=number)
