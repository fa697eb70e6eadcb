"""Writes to frameworks and their adoption by programs. Every change is audited.

Import and export live in `trellis.frameworks.io`; `framework_import` and
`framework_export` below are the one entry point for the web page, the API and the CLI.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from trellis.audit.services import audit_record, snapshot
from trellis.frameworks.io import sniff_format
from trellis.frameworks.io.case_export import case_export
from trellis.frameworks.io.case_import import case_parse
from trellis.frameworks.io.csv_export import csv_export
from trellis.frameworks.io.csv_import import csv_parse
from trellis.frameworks.io.errors import FrameworkImportError, ImportProblem
from trellis.frameworks.io.medbiq import medbiq_export, medbiq_parse
from trellis.frameworks.io.plan import plan_conflicts, plan_save, unique_slug
from trellis.frameworks.models import MILESTONE_LEVELS, Adoption, ExpectedLevel, Framework, Item
from trellis.people.models import Institution, Program, User

__all__ = [
    "FrameworkImportError",
    "ImportProblem",
    "expected_level_set",
    "framework_adopt",
    "framework_export",
    "framework_import",
]


@transaction.atomic
def framework_adopt(
    *,
    program: Program,
    framework: Framework,
    acting_user: User | None,
    graduation_level: Decimal = Decimal("4.0"),
) -> Adoption:
    adoption, created = Adoption.objects.get_or_create(
        program=program, framework=framework, defaults={"graduation_level": graduation_level}
    )
    if created:
        audit_record(
            actor=acting_user,
            action="framework.adopt",
            target=adoption,
            after=snapshot(adoption, ["program", "framework", "graduation_level"]),
            program=program,
        )
    return adoption


@transaction.atomic
def expected_level_set(
    *,
    adoption: Adoption,
    training_year: int,
    level: Decimal | None,
    acting_user: User | None,
    item: Item | None = None,
) -> ExpectedLevel | None:
    """Set (or, with level None, clear back to the default) an expected level."""
    if item is not None and item.framework_id != adoption.framework_id:
        raise ValueError("The item belongs to another framework")
    if not 1 <= training_year <= adoption.program.length_years:
        raise ValueError(f"Training year must be between 1 and {adoption.program.length_years}")
    existing = ExpectedLevel.objects.filter(
        adoption=adoption, item=item, training_year=training_year
    ).first()
    before = snapshot(existing, ["item", "training_year", "level"]) if existing else None
    if level is None:
        if existing is None:
            return None
        existing.delete()
        audit_record(
            actor=acting_user,
            action="expected_level.clear",
            target=adoption,
            before=before,
            program=adoption.program,
        )
        return None
    # Expected levels are on the milestone grain whatever the framework's scale: the default
    # trajectory (`default_expected_level`) rises in half levels to the graduation target.
    if level not in MILESTONE_LEVELS:
        raise ValueError("Expected levels run from 1 to 5 in half levels")
    row, _ = ExpectedLevel.objects.update_or_create(
        adoption=adoption, item=item, training_year=training_year, defaults={"level": level}
    )
    audit_record(
        actor=acting_user,
        action="expected_level.set",
        target=adoption,
        before=before,
        after=snapshot(row, ["item", "training_year", "level"]),
        program=adoption.program,
    )
    return row


def framework_import(
    *,
    content: bytes,
    filename: str,
    institution: Institution | None,
    acting_user: User | None,
    format: str | None = None,
    slug: str | None = None,
) -> Framework:
    """Import one framework from a Trellis CSV file, a CASE JSON package or a MedBiquitous
    Competency Framework XML file.

    All or nothing: on any problem raise FrameworkImportError listing every problem found,
    having written nothing. A framework whose (identifier, version) the institution already
    has is refused. The slug is `slug`, else the file's own (CSV), else one derived from
    the title, made unique.
    """
    fmt = (format or sniff_format(content=content, filename=filename)).lower()
    with transaction.atomic():
        if fmt == "csv":
            plan, problems = csv_parse(content=content, institution=institution)
        elif fmt == "case":
            plan, problems = case_parse(content=content)
        elif fmt == "medbiq":
            plan, problems = medbiq_parse(content=content)
        else:
            raise FrameworkImportError(
                [
                    ImportProblem(
                        None, "format", f"unknown format {fmt!r}; expected csv, case or medbiq"
                    )
                ]
            )
        if plan is not None:
            problems.items.extend(plan_conflicts(plan, institution=institution, slug=slug))
        problems.raise_if_any()
        assert plan is not None
        framework = plan_save(
            plan,
            institution=institution,
            acting_user=acting_user,
            slug=slug or unique_slug(plan.slug or plan.title),
        )
        audit_record(
            actor=acting_user,
            action="framework.import",
            target=framework,
            after={
                **snapshot(framework, ["slug", "identifier", "title", "version", "institution"]),
                "format": fmt,
                "filename": filename,
                "items": len(plan.items),
                "associations": len(plan.associations),
                "descriptors": len(plan.descriptors),
            },
            institution=institution,
        )
    return framework


def framework_export(*, framework: Framework, format: str) -> bytes:
    """The framework as a Trellis CSV file, a CASE JSON package or MedBiquitous Competency
    Framework XML (deterministic bytes)."""
    if format == "csv":
        return csv_export(framework=framework)
    if format == "case":
        return case_export(framework=framework)
    if format == "medbiq":
        return medbiq_export(framework=framework)
    raise ValueError(f"unknown format {format!r}; expected csv, case or medbiq")
