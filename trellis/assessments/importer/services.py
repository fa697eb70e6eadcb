"""Assessments from another system's export: a CSV file or a JSON list of records, read
through a declarative mapping (`mapping.py`, docs/formats.md) into drafts (`records.py`).

All-or-nothing, like every Trellis import: each record is checked first and every
problem is listed with its record number; only a file without problems is written, in one
transaction, and every assessment goes through `assessment_submit` (source "import"), the
same rule path as the web form. Records the mapping says to leave out (an expired request,
no rating) are counted by reason. Each record is known by its id, or by a stable hash
of the record when the export has none, so importing the same file again adds nothing.

What the export names but Trellis lacks is created and reported, for a coordinator to
tidy: a subject without an account becomes a learner account without a password in the
program; an item code the program's framework lacks becomes an item flagged
`needs_naming`, in a program-owned framework that is created (and adopted) if missing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max

from trellis.assessments.capture.services import (
    AssessmentRefused,
    CommentInput,
    FormRules,
    RatingInput,
    assessment_submit,
    form_rules,
)
from trellis.assessments.importer.mapping import Mapping, text_of
from trellis.assessments.importer.records import Draft, draft_parse, read_records, record_hash
from trellis.assessments.models import Assessment, AssessmentSource, Form, FormVersion
from trellis.audit.services import audit_import, audit_record, snapshot
from trellis.frameworks.models import Framework, Item, ItemKind, Scale, ScaleLevel
from trellis.frameworks.services import framework_adopt
from trellis.lib import importing
from trellis.lib.importing import Problem, UnreadableFile
from trellis.people.models import Membership, Program, Role, User
from trellis.people.services import membership_add, person_create

ALREADY_IMPORTED = "already imported"
DUPLICATE = "identical to an earlier record in this file"


@dataclass
class ImportResult(importing.ImportResult):
    imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    new_subjects: list[User] = field(default_factory=list)
    new_items: list[Item] = field(default_factory=list)
    framework: Framework | None = None
    framework_created: bool = False

    def summary(self) -> str:
        if not self.ok:
            return self.refusal()
        verb = "would be imported" if self.dry_run else "imported"
        return f"{self.imported} assessment{'' if self.imported == 1 else 's'} {verb}"

    def lines(self) -> list[str]:
        """The report printed after the summary: skipped records by reason, then whatever
        was created that a coordinator should look at."""
        out = []
        if self.skipped:
            total = sum(self.skipped.values())
            out.append(f"{total} record{'' if total == 1 else 's'} skipped:")
            out += [f"  {count} {reason}" for reason, count in self.skipped.most_common()]
        if self.framework_created and self.framework is not None:
            out.append(f"Framework created and adopted: {self.framework.slug}")
        if self.new_items:
            out.append(
                f"{len(self.new_items)} item(s) created, to be named by a coordinator "
                f"(framework {self.framework.slug if self.framework else '?'}):"
            )
            out += [f"  {item.code}" for item in self.new_items]
        if self.new_subjects:
            out.append(
                f"{len(self.new_subjects)} learner account(s) created without a password "
                "(check them, or merge them with the right person):"
            )
            out += [f"  {p.email} ({p.display_name})" for p in self.new_subjects]
        return out


class _Rollback(Exception):
    """Leaves the import's transaction, undoing everything (problems found, or a dry run)."""


def form_version_for(*, program: Program, slug: str) -> FormVersion | None:
    """The newest version of the program's own form with that slug, else of the built-in."""
    form = (
        Form.objects.filter(program=program, slug=slug).first()
        or Form.objects.filter(program__isnull=True, slug=slug).first()
    )
    if form is None:
        return None
    return form.versions.select_related("scale", "form").order_by("-number").first()


def _split_name(name: str) -> tuple[str, str]:
    parts = name.split()
    if len(parts) < 2:
        return name, ""
    return " ".join(parts[:-1]), parts[-1]


def _framework(
    *, program: Program, mapping: Mapping, scale: Scale, acting_user: User | None
) -> tuple[Framework, bool]:
    slug = mapping.framework_slug(program_slug=program.slug)
    framework = Framework.objects.filter(slug=slug).first()
    created = framework is None
    if framework is None:
        framework = Framework.objects.create(
            slug=slug,
            title=mapping.framework_title(program_slug=program.slug, program_name=program.name),
            scale=scale,
            institution=program.institution,
            description="Created by an assessment import; its items are named by a coordinator.",
        )
        audit_record(
            actor=acting_user,
            action="framework.create",
            target=framework,
            after=snapshot(framework, ["slug", "title", "scale", "institution"]),
            program=program,
        )
    framework_adopt(program=program, framework=framework, acting_user=acting_user)
    return framework, created


def _items(
    *,
    framework: Framework,
    codes: dict[str, int],
    mapping: Mapping,
    program: Program,
    acting_user: User | None,
    result: ImportResult,
    row_word: str,
) -> dict[str, Item]:
    """The framework's items by code; codes it lacks are created, flagged needs_naming, when
    the framework is the program's own (a shared one is never changed by an import)."""
    items = {i.code: i for i in Item.objects.filter(framework=framework, code__in=list(codes))}
    missing = [code for code in codes if code not in items]
    if not missing:
        return items
    ours = framework.institution_id == program.institution_id
    if not ours or not mapping.item_create:
        why = "is not the program's own" if not ours else "may not be extended (create = false)"
        for code in missing:
            result.problems.append(
                Problem(
                    codes[code],
                    mapping.item_field,
                    f"no item '{code}' in {framework.slug}, which {why}",
                    row_word,
                )
            )
        return items
    position = (framework.items.aggregate(m=Max("position"))["m"] or 0) + 1
    label = ItemKind(mapping.item_kind).label
    for offset, code in enumerate(sorted(missing, key=_code_order)):
        item = Item.objects.create(
            framework=framework,
            kind=mapping.item_kind,
            code=code,
            name=f"{label} {code} (to be named)",
            statement="",
            position=position + offset,
            needs_naming=True,
        )
        audit_record(
            actor=acting_user,
            action="item.create",
            target=item,
            after=snapshot(item, ["framework", "kind", "code", "name", "needs_naming"]),
            program=program,
        )
        items[code] = item
        result.new_items.append(item)
    return items


def _code_order(code: str) -> tuple[tuple[int, int | str], ...]:
    """3.2 before 3.13: numeric parts compare as numbers."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-]", code))


def _subjects(
    *,
    drafts: list[Draft],
    program: Program,
    mapping: Mapping,
    acting_user: User | None,
    result: ImportResult,
    row_word: str,
) -> dict[str, User]:
    """Accounts by e-mail, creating the learners that have none (without a password, with a
    learner membership from their first observation)."""
    emails = {d.subject_email for d in drafts}
    found = {u.email: u for u in User.objects.filter(email__in=emails)}
    first_seen: dict[str, Draft] = {}
    for d in drafts:
        if d.subject_email not in found:
            seen = first_seen.get(d.subject_email)
            if seen is None or d.observed_on < seen.observed_on:
                first_seen[d.subject_email] = d
    if first_seen and not mapping.subject_create:
        for email, d in first_seen.items():
            result.problems.append(
                Problem(d.number, mapping.subject_field, f"no account {email}", row_word)
            )
        return found
    members = set(
        Membership.objects.filter(
            program=program, role=Role.LEARNER, person__email__in=emails
        ).values_list("person__email", flat=True)
    )
    for email in sorted(first_seen):
        d = first_seen[email]
        first, last = _split_name(d.subject_name or d.subject_key)
        person = person_create(
            email=email, first_name=first[:150], last_name=last[:150], acting_user=acting_user
        )
        membership_add(
            person=person,
            program=program,
            role=Role.LEARNER,
            start_date=d.observed_on,
            acting_user=acting_user,
        )
        found[email] = person
        members.add(email)
        result.new_subjects.append(person)
    for d in drafts:
        if d.subject_email not in members:
            members.add(d.subject_email)  # report each person once
            result.problems.append(
                Problem(
                    d.number,
                    mapping.subject_field,
                    f"{d.subject_email} is not a learner in {program.slug}",
                    row_word,
                )
            )
    return found


def assessments_import(
    *,
    program: Program,
    mapping: Mapping,
    filename: str,
    data: bytes,
    acting_user: User | None,
    dry_run: bool = False,
) -> ImportResult:
    """Import an export's assessments into `program`: all of them, or (with any problem)
    none. A dry run checks everything, the service's rules included, and writes nothing."""
    result = _assessments_import(program, mapping, filename, data, acting_user, dry_run)
    if not dry_run:
        audit_import(
            actor=acting_user,
            program=program,
            what="assessments",
            filename=filename,
            problems=len(result.problems),
            written=result.imported,
        )
    return result


def _assessments_import(
    program: Program,
    mapping: Mapping,
    filename: str,
    data: bytes,
    acting_user: User | None,
    dry_run: bool,
) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    try:
        records, row_word = read_records(filename=filename, data=data, fmt=mapping.format)
    except UnreadableFile as exc:
        result.problems.append(Problem(None, "", str(exc)))
        return result
    version = form_version_for(program=program, slug=mapping.form)
    if version is None:
        result.problems.append(Problem(None, "form", f"No form '{mapping.form}'"))
        return result
    scale = (
        Scale.objects.filter(slug=mapping.rating_scale).first()
        if mapping.rating_scale
        else version.scale
    )
    if scale is None:
        result.problems.append(Problem(None, "rating", f"No scale '{mapping.rating_scale}'"))
        return result
    levels = [
        Decimal(v) for v in ScaleLevel.objects.filter(scale=scale).values_list("value", flat=True)
    ]

    drafts = _drafts(records, row_word, mapping, scale, levels, result)
    if result.problems:
        return result

    done = set(
        Assessment.objects.filter(
            program=program,
            source=AssessmentSource.IMPORT,
            external_id__in=[d.external_id for d in drafts],
        ).values_list("external_id", flat=True)
    )
    result.skipped[ALREADY_IMPORTED] += sum(1 for d in drafts if d.external_id in done)
    if not result.skipped[ALREADY_IMPORTED]:
        del result.skipped[ALREADY_IMPORTED]
    drafts = [d for d in drafts if d.external_id not in done]
    if not drafts:
        return result
    try:
        with transaction.atomic():
            _write(
                drafts=drafts,
                program=program,
                mapping=mapping,
                version=version,
                scale=scale,
                acting_user=acting_user,
                result=result,
                row_word=row_word,
            )
            if result.problems or dry_run:
                raise _Rollback
    except _Rollback:
        if result.problems:
            result.imported = 0
            result.new_items, result.new_subjects = [], []
    return result


def _drafts(
    records: list[tuple[int, dict[str, Any]]],
    row_word: str,
    mapping: Mapping,
    scale: Scale,
    levels: list[Decimal],
    result: ImportResult,
) -> list[Draft]:
    """The records to import as drafts, each with its external id; the records the mapping
    leaves out, and repeats within the file, are counted in `result.skipped`, and what is
    wrong is added to `result.problems`."""
    drafts: list[Draft] = []
    first_with: dict[str, tuple[int, dict[str, Any]]] = {}  # external id -> number, record
    for number, record in records:
        rule = next((r for r in mapping.skip if r.matches(record)), None)
        if rule is not None:
            result.skipped[rule.reason] += 1
            continue
        ident = text_of(record.get(mapping.id_field)) if mapping.id_field else ""
        external_id = ident or record_hash(record, mapping.hash_fields)
        if external_id in first_with:
            earlier, earlier_record = first_with[external_id]
            if ident and record_hash(record) != record_hash(earlier_record):
                result.problems.append(
                    Problem(
                        number,
                        mapping.id_field,
                        f"id '{ident}' is also on {row_word} {earlier}",
                        row_word,
                    )
                )
            else:
                result.skipped[DUPLICATE] += 1
            continue
        first_with[external_id] = (number, record)
        if len(external_id) > 128:
            result.problems.append(
                Problem(number, mapping.id_field, "id longer than 128", row_word)
            )
            continue
        draft, wrong = draft_parse(number, record, mapping, scale, levels)
        result.problems += [Problem(number, f, m, row_word) for f, m in wrong]
        if draft is not None:
            drafts.append(_with_id(draft, external_id))
    return drafts


def _with_id(draft: Draft, external_id: str) -> Draft:
    return replace(draft, external_id=external_id)


def _write(
    *,
    drafts: list[Draft],
    program: Program,
    mapping: Mapping,
    version: FormVersion,
    scale: Scale,
    acting_user: User | None,
    result: ImportResult,
    row_word: str,
) -> None:
    framework, result.framework_created = _framework(
        program=program, mapping=mapping, scale=scale, acting_user=acting_user
    )
    result.framework = framework
    codes: dict[str, int] = {}
    for d in drafts:
        codes.setdefault(d.item_code, d.number)
    items = _items(
        framework=framework,
        codes=codes,
        mapping=mapping,
        program=program,
        acting_user=acting_user,
        result=result,
        row_word=row_word,
    )
    subjects = _subjects(
        drafts=drafts,
        program=program,
        mapping=mapping,
        acting_user=acting_user,
        result=result,
        row_word=row_word,
    )
    if result.problems:
        return
    rules: dict[str, FormRules] = {}  # by assessor role: read once for the whole file
    for d in drafts:
        item = items[d.item_code]
        if d.assessor_role not in rules:
            rules[d.assessor_role] = form_rules(
                program=program, form_version=version, assessor_role=d.assessor_role
            )
        try:
            submitted = assessment_submit(
                program=program,
                form_version=version,
                subject=subjects[d.subject_email],
                assessor=None,
                assessor_name=d.assessor_name,
                assessor_role=d.assessor_role,
                observed_on=d.observed_on,
                ratings=[RatingInput(item=item, level=d.level, not_observed=d.not_observed)],
                comments=[CommentInput(prompt_key=key, text=text) for key, text in d.comments],
                acting_user=acting_user,
                context=d.context,
                source=AssessmentSource.IMPORT,
                external_id=d.external_id,
                rules=rules[d.assessor_role],
            )
        except AssessmentRefused as refused:
            result.problems += [
                Problem(d.number, _field_for(key, mapping), message, row_word)
                for key, message in refused.problems.items()
            ]
            continue
        if submitted.created:
            result.imported += 1
        else:
            result.skipped[ALREADY_IMPORTED] += 1


def _field_for(key: str, mapping: Mapping) -> str:
    """The source field a service problem key stands for."""
    if key.startswith("rating"):
        return mapping.rating_field
    if key == "observed_on":
        return mapping.date_field
    if key == "assessor_role":
        return mapping.assessor_role_field
    if key.startswith("comment-"):
        prompt = key.removeprefix("comment-")
        return next((c.field for c in mapping.comments if c.prompt == prompt), key)
    return key
