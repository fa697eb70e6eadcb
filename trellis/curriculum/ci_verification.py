"""The tables of the AAMC Curriculum Inventory verification report, from the same plan as
the export (`ci_export.ci_plan`), so what a school checks here is what it uploads:

* events by instructional method: for each AAMC method, the events whose primary method
  it is, their hours, and the events in each academic level;
* assessment methods by expectation: for each program expectation (a subcompetency or
  EPA of an adopted framework), the activities that assess it with each AAMC method;
* program expectations mapped to the PCRS: the reference competencies each answers, so
  a school sees the expectations it has not linked yet.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from openpyxl import Workbook
from openpyxl.styles import Font

from trellis.curriculum.ci_export import (
    ASSESSMENT_TERMS,
    INSTRUCTIONAL_TERMS,
    ci_plan,
    instructional_code,
)
from trellis.curriculum.models import AssessmentMethod, Emphasis, Mapping
from trellis.frameworks.models import Item
from trellis.frameworks.pcrs import pcrs_id
from trellis.lib.cells import safe_workbook
from trellis.people.models import Program


@dataclass
class MethodRow:
    code: str
    term: str
    events: int = 0
    hours: Decimal = Decimal(0)
    by_level: Counter[int] = field(default_factory=Counter)

    def at(self, level: int) -> int:
        return self.by_level.get(level, 0)


@dataclass(frozen=True)
class ExpectationRow:
    item: Item
    by_method: dict[str, int]  # AAMC assessment term -> activities assessing with it
    pcrs: tuple[Item, ...] = ()  # the reference competencies it answers

    @property
    def total(self) -> int:
        return sum(self.by_method.values())


@dataclass
class VerificationTables:
    program: Program
    levels: list[int]
    methods: list[MethodRow]
    assessment_terms: list[str]
    expectations: list[ExpectationRow]

    @property
    def events(self) -> int:
        return sum(m.events for m in self.methods)

    @property
    def hours(self) -> Decimal:
        return sum((m.hours for m in self.methods), Decimal(0))

    @property
    def unassessed(self) -> list[ExpectationRow]:
        return [e for e in self.expectations if not e.total]

    @property
    def unlinked(self) -> list[ExpectationRow]:
        """Expectations that name no PCRS competency."""
        return [e for e in self.expectations if not e.pcrs]

    @property
    def method_cells(self) -> list[tuple[MethodRow, list[int]]]:
        """Each method with its events per academic level, in `levels` order."""
        return [(m, [m.at(n) for n in self.levels]) for m in self.methods]

    @property
    def expectation_cells(self) -> list[tuple[ExpectationRow, list[int]]]:
        """Each expectation with its activities per assessment method, in `assessment_terms`
        order."""
        terms = self.assessment_terms
        return [(e, [e.by_method.get(t, 0) for t in terms]) for e in self.expectations]


def verification_tables(*, program: Program) -> VerificationTables:
    """Raises CurriculumInventoryError where the export would (no activities, say)."""
    plan = ci_plan(program)
    rows: dict[str, MethodRow] = {}
    for activity in plan.activities:
        if not plan.has_own_event(activity):
            continue
        code = instructional_code(activity)
        row = rows.setdefault(code, MethodRow(code, INSTRUCTIONAL_TERMS.get(code, "Lecture")))
        row.events += 1
        row.hours += activity.duration_hours or Decimal(0)
        row.by_level[plan.years[activity.pk]] += 1
    assessed: dict[int, dict[str, int]] = defaultdict(dict)
    for item_id, method, n in (
        Mapping.objects.filter(
            activity__program=program, item_id__in=list(plan.items), emphasis=Emphasis.ASSESSED
        )
        .exclude(assessment_method="")
        .values_list("item_id", "assessment_method")
        .annotate(n=Count("activity", distinct=True))
        .order_by()
    ):
        assessed[item_id][ASSESSMENT_TERMS[AssessmentMethod(method)][1]] = n
    terms = sorted({term for by in assessed.values() for term in by})
    return VerificationTables(
        program=program,
        levels=sorted({level for r in rows.values() for level in r.by_level}),
        methods=sorted(rows.values(), key=lambda r: (-r.events, r.code)),
        assessment_terms=terms,
        expectations=[
            ExpectationRow(item, assessed.get(pk, {}), tuple(plan.pcrs.get(pk, ())))
            for pk, item in plan.items.items()
        ],
    )


def verification_workbook(tables: VerificationTables) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Instructional methods"
    ws.append(
        ["AAMC code", "Instructional method", "Events", "Hours"]
        + [f"Level {n}" for n in tables.levels]
    )
    for m, per_level in tables.method_cells:
        ws.append([m.code, m.term, m.events, float(m.hours), *per_level])
    ws.append(["", "All", tables.events, float(tables.hours)])
    by = wb.create_sheet("Assessment by expectation")
    by.append(["Framework", "Code", "Expectation", *tables.assessment_terms, "Total"])
    for e, per_term in tables.expectation_cells:
        by.append([e.item.framework.title, e.item.code, e.item.name, *per_term, e.total])
    linked = wb.create_sheet("Expectations to PCRS")
    linked.append(["Framework", "Code", "Expectation", "PCRS", "PCRS competency"])
    for e in tables.expectations:
        for reference in e.pcrs or (None,):
            linked.append(
                [
                    e.item.framework.title,
                    e.item.code,
                    e.item.name,
                    pcrs_id(reference) if reference else "not linked",
                    f"{reference.code} {reference.name}" if reference else "",
                ]
            )
    for sheet in (ws, by, linked):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["B"].width = 36
    by.column_dimensions["C"].width = 50
    linked.column_dimensions["C"].width = 40
    linked.column_dimensions["D"].width = 24
    linked.column_dimensions["E"].width = 40
    out = io.BytesIO()
    safe_workbook(wb).save(out)
    return out.getvalue()
