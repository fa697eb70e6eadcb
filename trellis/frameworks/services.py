"""Writes to frameworks and their adoption by programs. Every change is audited.

Import and export live in `trellis.frameworks.io`; `framework_import` and
`framework_export` below are the one entry point for the web page, the API and the CLI.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from trellis.audit.services import audit_record, snapshot
from trellis.frameworks.models import Adoption, ExpectedLevel, Framework, Item
from trellis.people.models import Program, User


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
    if level * 2 != (level * 2).to_integral_value() or not Decimal(1) <= level <= Decimal(5):
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
