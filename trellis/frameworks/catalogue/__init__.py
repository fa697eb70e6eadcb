"""The shipped catalogue: the scales and frameworks every Trellis installation starts with.

Scales are defined in Python (`scales.py`). Frameworks are CSV files in this folder, in the
layout that `framework_import` reads, so the catalogue goes through the same import path
as a coordinator's upload. Names follow their publishers; statements and level descriptors
are our own short wording, never the official text.

`catalogue_install` runs after every `migrate` and `flush` (see `FrameworksConfig`), so it
must stay idempotent and cheap when everything is already there: two queries.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.db import transaction

from trellis.audit.services import audit_record, snapshot
from trellis.frameworks.catalogue.scales import SCALES, ScaleSpec
from trellis.frameworks.models import Framework, Scale, ScaleLevel
from trellis.people.models import User

CATALOGUE_DIR = Path(__file__).resolve().parent

# Load order matters: a framework's `related` column may point at one loaded before it.
FRAMEWORK_SLUGS: tuple[str, ...] = (
    "acgme-harmonized",
    "im-milestones-2",
    "aamc-pcrs",
    "aamc-core-epas",
    "clinician-educator-milestones",
)


def catalogue_file(slug: str) -> Path:
    return CATALOGUE_DIR / f"{slug}.csv"


def _scale_create(spec: ScaleSpec, acting_user: User | None) -> Scale:
    scale = Scale.objects.create(
        slug=spec.slug,
        name=spec.name,
        kind=spec.kind,
        description=spec.description,
        allows_half_levels=spec.allows_half_levels,
    )
    ScaleLevel.objects.bulk_create(
        ScaleLevel(
            scale=scale,
            value=Decimal(level.value),
            label=level.label,
            description=level.description,
        )
        for level in spec.levels
    )
    audit_record(
        actor=acting_user,
        action="scale.install",
        target=scale,
        after={
            **snapshot(scale, ["slug", "name", "kind", "allows_half_levels"]),
            "levels": [level.value for level in spec.levels],
        },
    )
    return scale


@transaction.atomic
def scales_install(*, acting_user: User | None = None) -> list[Scale]:
    """Create the shipped scales that are missing (by slug); existing ones are left as they
    are, levels included. Returns the scales created."""
    present = set(
        Scale.objects.filter(slug__in=[s.slug for s in SCALES]).values_list("slug", flat=True)
    )
    return [_scale_create(spec, acting_user) for spec in SCALES if spec.slug not in present]


def catalogue_install(*, acting_user: User | None = None) -> list[Framework]:
    """Install the shipped scales, then each shipped framework not yet present (by slug).
    Returns the frameworks created; an up-to-date database gets an empty list."""
    from trellis.frameworks.services import framework_import

    with transaction.atomic():
        scales_install(acting_user=acting_user)
        present = set(
            Framework.objects.filter(slug__in=FRAMEWORK_SLUGS).values_list("slug", flat=True)
        )
        created: list[Framework] = []
        for slug in FRAMEWORK_SLUGS:
            if slug in present:
                continue
            path = catalogue_file(slug)
            created.append(
                framework_import(
                    content=path.read_bytes(),
                    filename=path.name,
                    institution=None,
                    acting_user=acting_user,
                    format="csv",
                )
            )
    return created
