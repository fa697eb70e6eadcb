"""What a reader makes of a file, before anything is written, and the one writer for it.

Both readers (CSV and CASE) turn a file into a `FrameworkPlan`; `plan_conflicts` adds
the problems only the database can tell (already imported, slug taken) and `plan_save`
writes the rows in a handful of bulk queries. Writing happens only for a clean plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.text import slugify

from trellis.frameworks.io.common import make_identifier
from trellis.frameworks.io.errors import ImportProblem
from trellis.frameworks.models import Association, Framework, Item, LevelDescriptor, Scale
from trellis.people.models import Institution, User

SLUG_LENGTH = 80


@dataclass
class ItemPlan:
    identifier: str
    kind: str
    item_type: str
    code: str
    name: str
    statement: str
    notes: str = ""
    parent: str | None = None  # the parent's identifier, within the same plan
    position: int = 0
    source: dict[str, Any] = field(default_factory=dict)


@dataclass
class AssociationPlan:
    identifier: str
    association_type: str
    origin_identifier: str
    destination_identifier: str
    sequence_number: int | None = None
    source: dict[str, Any] = field(default_factory=dict)
    # An item of another framework already in the database (CSV `related` with a prefix).
    destination_item: Item | None = None


@dataclass
class DescriptorPlan:
    item_identifier: str
    level: Decimal | None
    label: str
    text: str
    position: int
    identifier: str
    source: dict[str, Any] = field(default_factory=dict)


@dataclass
class FrameworkPlan:
    identifier: str
    title: str
    format: str
    version: str = ""
    creator: str = ""
    publisher: str = ""
    description: str = ""
    language: str = ""
    developmental: bool = False
    scale: Scale | None = None
    last_change: str = ""
    slug: str = ""  # from the file; blank to derive one from the title
    source: dict[str, Any] = field(default_factory=dict)
    items: list[ItemPlan] = field(default_factory=list)
    associations: list[AssociationPlan] = field(default_factory=list)
    descriptors: list[DescriptorPlan] = field(default_factory=list)


def tree_associations(plan: FrameworkPlan, items: list[ItemPlan]) -> None:
    """An isChildOf association for each item (to its parent, or to the framework when it
    is top level), numbered among its siblings in the given order."""
    siblings: dict[str | None, int] = {}
    for item in items:
        siblings[item.parent] = siblings.get(item.parent, 0) + 1
        plan.associations.append(
            AssociationPlan(
                identifier=make_identifier(
                    plan.identifier, Association.IS_CHILD_OF, item.identifier
                ),
                association_type=Association.IS_CHILD_OF,
                origin_identifier=item.identifier,
                destination_identifier=item.parent or plan.identifier,
                sequence_number=siblings[item.parent],
            )
        )


def is_slug(value: str) -> bool:
    return bool(value) and len(value) <= SLUG_LENGTH and slugify(value) == value


def unique_slug(base: str) -> str:
    base = slugify(base)[:SLUG_LENGTH].strip("-") or "framework"
    taken = set(
        Framework.objects.filter(
            Q(slug=base) | Q(slug__startswith=f"{base[: SLUG_LENGTH - 4]}")
        ).values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


def plan_conflicts(
    plan: FrameworkPlan, *, institution: Institution | None, slug: str | None
) -> list[ImportProblem]:
    """Problems that depend on what is already stored."""
    problems: list[ImportProblem] = []
    existing = Framework.objects.filter(
        identifier=plan.identifier, version=plan.version, institution=institution
    ).first()
    if existing is not None:
        version = f" version {plan.version!r}" if plan.version else ""
        problems.append(
            ImportProblem(
                line=None,
                column="identifier",
                message=(
                    f"framework {plan.identifier}{version} is already imported as {existing.slug}"
                ),
            )
        )
    if slug is not None:
        if not is_slug(slug):
            problems.append(
                ImportProblem(None, "slug", f"{slug!r} is not a valid slug (a-z, 0-9, hyphens)")
            )
        elif Framework.objects.filter(slug=slug).exists():
            problems.append(ImportProblem(None, "slug", f"slug {slug!r} is already used"))
    return problems


def plan_save(
    plan: FrameworkPlan, *, institution: Institution | None, acting_user: User | None, slug: str
) -> Framework:
    framework = Framework.objects.create(
        identifier=plan.identifier,
        slug=slug,
        title=plan.title,
        version=plan.version,
        creator=plan.creator,
        publisher=plan.publisher,
        description=plan.description,
        language=plan.language,
        developmental=plan.developmental,
        scale=plan.scale,
        institution=institution,
        last_change=plan.last_change,
        source=plan.source,
        created_by=acting_user
        if acting_user is not None and acting_user.is_authenticated
        else None,
    )
    items = [
        Item(
            framework=framework,
            identifier=p.identifier,
            kind=p.kind,
            item_type=p.item_type,
            code=p.code,
            name=p.name,
            statement=p.statement,
            notes=p.notes,
            position=p.position,
            source=p.source,
        )
        for p in plan.items
    ]
    Item.objects.bulk_create(items)
    if any(item.pk is None for item in items):  # backends that return no ids from bulk inserts
        stored = {i.identifier: i for i in Item.objects.filter(framework=framework)}
        items = [stored[i.identifier] for i in items]
    by_identifier = {item.identifier: item for item in items}
    with_parent = []
    for p, item in zip(plan.items, items, strict=True):
        if p.parent is not None:
            item.parent = by_identifier[p.parent]
            with_parent.append(item)
    Item.objects.bulk_update(with_parent, ["parent"])
    Association.objects.bulk_create(
        Association(
            framework=framework,
            identifier=a.identifier,
            association_type=a.association_type,
            origin_identifier=a.origin_identifier,
            origin=by_identifier.get(a.origin_identifier),
            destination_identifier=a.destination_identifier,
            destination=by_identifier.get(a.destination_identifier, a.destination_item),
            sequence_number=a.sequence_number,
            source=a.source,
        )
        for a in plan.associations
    )
    LevelDescriptor.objects.bulk_create(
        LevelDescriptor(
            item=by_identifier[d.item_identifier],
            level=d.level,
            label=d.label,
            text=d.text,
            position=d.position,
            identifier=d.identifier,
            source=d.source,
        )
        for d in plan.descriptors
    )
    return framework
