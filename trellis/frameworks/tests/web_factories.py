"""A small framework built with the ORM for the page tests: two domains, three
subcompetencies with five level descriptors each, and an EPA that bundles two of them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trellis.frameworks.models import (
    Association,
    Framework,
    Item,
    ItemKind,
    LevelDescriptor,
    Scale,
    ScaleKind,
    ScaleLevel,
)
from trellis.people.models import Institution

LEVEL_WORDS = {
    1: "Gathers a history with prompting",
    2: "Gathers a focused history",
    3: "Gathers a complete, hypothesis-driven history",
    4: "Adapts the history to the patient and the setting",
    5: "Models efficient history taking for others",
}


@dataclass
class SmallFramework:
    framework: Framework
    scale: Scale
    patient_care: Item
    pc1: Item
    pc2: Item
    professionalism: Item
    prof1: Item
    epa: Item


def make_scale(slug: str = "test-milestones") -> Scale:
    scale, created = Scale.objects.get_or_create(
        slug=slug,
        defaults={"name": "Test milestone levels", "kind": ScaleKind.MILESTONE},
    )
    if created:
        labels = {1: "Novice", 2: "Advanced beginner", 3: "Competent", 4: "Proficient", 5: "Expert"}
        ScaleLevel.objects.bulk_create(
            ScaleLevel(scale=scale, value=Decimal(v) / 2, label=labels.get(v // 2, ""))
            for v in range(2, 11)
        )
    return scale


def framework_item(
    fw: Framework, kind: str, code: str, name: str, parent: Item | None, position: int
) -> Item:
    """An item of a test framework, its identifier made from the framework's slug."""
    return Item.objects.create(
        framework=fw,
        identifier=f"{fw.slug}-{code.lower()}",
        kind=kind,
        code=code,
        name=name,
        statement=f"{name}: the full statement.",
        parent=parent,
        position=position,
    )


def make_framework(
    *,
    slug: str = "test-im",
    title: str = "Test Internal Medicine Milestones",
    institution: Institution | None = None,
    developmental: bool = False,
) -> SmallFramework:
    scale = make_scale()
    fw = Framework.objects.create(
        slug=slug,
        title=title,
        version="2.0",
        publisher="Test Council",
        description="A small framework for the page tests.",
        scale=scale,
        institution=institution,
        developmental=developmental,
    )

    def item(kind: str, code: str, name: str, parent: Item | None, position: int) -> Item:
        return framework_item(fw, kind, code, name, parent, position)

    pc = item(ItemKind.DOMAIN, "PC", "Patient Care", None, 1)
    pc1 = item(ItemKind.SUBCOMPETENCY, "PC1", "History", pc, 2)
    pc2 = item(ItemKind.SUBCOMPETENCY, "PC2", "Physical examination", pc, 3)
    prof = item(ItemKind.DOMAIN, "PROF", "Professionalism", None, 4)
    prof1 = item(ItemKind.SUBCOMPETENCY, "PROF1", "Ethical principles", prof, 5)
    epa = item(ItemKind.EPA, "EPA1", "Admit a patient", None, 6)
    for sub in (pc1, pc2, prof1):
        LevelDescriptor.objects.bulk_create(
            LevelDescriptor(
                item=sub,
                level=Decimal(level),
                text=f"{sub.code}: {words}",
                position=level,
                identifier=f"{sub.identifier}-l{level}",
            )
            for level, words in LEVEL_WORDS.items()
        )
    for n, target in enumerate((pc1, pc2), start=1):
        Association.objects.create(
            framework=fw,
            identifier=f"{slug}-assoc-{n}",
            association_type=Association.IS_RELATED_TO,
            origin=epa,
            origin_identifier=epa.identifier,
            destination=target,
            destination_identifier=target.identifier,
            sequence_number=n,
        )
    return SmallFramework(
        framework=fw,
        scale=scale,
        patient_care=pc,
        pc1=pc1,
        pc2=pc2,
        professionalism=prof,
        prof1=prof1,
        epa=epa,
    )


@dataclass
class NextVersion:
    """A later version of `make_framework`'s framework: PC1 renamed, PC2 to be split in
    two, PROF1 under a new code with the same name, PROF4 new, the EPA gone."""

    framework: Framework
    patient_care: Item
    pc1: Item
    pc2a: Item
    pc2b: Item
    professionalism: Item
    prof3: Item
    prof4: Item


def make_next_version(
    *, slug: str = "test-im-2025", institution: Institution | None = None
) -> NextVersion:
    fw = Framework.objects.create(
        slug=slug,
        title="Test Internal Medicine Milestones",
        version="2025",
        scale=make_scale(),
        institution=institution,
    )

    def item(kind: str, code: str, name: str, parent: Item | None, position: int) -> Item:
        return framework_item(fw, kind, code, name, parent, position)

    pc = item(ItemKind.DOMAIN, "PC", "Patient Care", None, 1)
    prof = item(ItemKind.DOMAIN, "PROF", "Professionalism", None, 5)
    return NextVersion(
        framework=fw,
        patient_care=pc,
        pc1=item(ItemKind.SUBCOMPETENCY, "PC1", "History taking", pc, 2),
        pc2a=item(ItemKind.SUBCOMPETENCY, "PC2A", "Physical examination technique", pc, 3),
        pc2b=item(ItemKind.SUBCOMPETENCY, "PC2B", "Physical examination findings", pc, 4),
        professionalism=prof,
        prof3=item(ItemKind.SUBCOMPETENCY, "PROF3", "Ethical Principles", prof, 6),
        prof4=item(ItemKind.SUBCOMPETENCY, "PROF4", "Well-being", prof, 7),
    )
