"""The Curriculum Inventory verification tables (issue 14): events by instructional method
and assessment methods by expectation, from the same plan as the export."""

from __future__ import annotations

import io
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from trellis.curriculum.ci_verification import verification_tables
from trellis.curriculum.tests.factories import CraftedMap
from trellis.testing import People

PAGE = reverse("curriculum:verification", args=["im-residency"])
XLSX = reverse("curriculum:verification-xlsx", args=["im-residency"])
OBSERVED = "Clinical Performance Rating/Checklist"
OSCE = "Exam - Institutionally Developed, Clinical Performance"


def test_events_are_counted_by_method_hours_and_level(crafted: CraftedMap, people: People) -> None:
    tables = verification_tables(program=people.program)
    rows = {m.code: (m.term, m.events, m.hours, dict(m.by_level)) for m in tables.methods}
    # Three rotations (40 hours each, two in year 1); the course is a block, its session
    # (1.5 hours, year 1 from its course) the event.
    assert rows == {
        "IM003": ("Clinical Experience - Inpatient", 3, Decimal("120"), {1: 2, 2: 1}),
        "IM013": ("Lecture", 1, Decimal("1.5"), {1: 1}),
    }
    assert (tables.events, tables.hours, tables.levels) == (4, Decimal("121.5"), [1, 2])


def test_expectations_are_counted_by_assessment_method(crafted: CraftedMap, people: People) -> None:
    tables = verification_tables(program=people.program)
    assert tables.assessment_terms == [OBSERVED, OSCE]
    cells = {e.item.code: per_term for e, per_term in tables.expectation_cells}
    assert cells["PC1"] == [1, 0] and cells["EPA1"] == [0, 1] and cells["MK1"] == [0, 0]
    # The developmental framework adopted by the faculty-development program never shows.
    assert sorted(cells) == ["EPA1", "ICS1", "MK1", "PC1", "PC2", "PROF1"]
    assert sorted(e.item.code for e in tables.unassessed) == ["ICS1", "MK1", "PC2", "PROF1"]


def test_the_page_and_the_workbook_show_the_tables(
    client: Client, crafted: CraftedMap, people: People
) -> None:
    client.force_login(people.learner)  # the map is every member's to read
    page = client.get(PAGE).content.decode()
    assert "Clinical Experience - Inpatient" in page and "121.5" in page
    response = client.get(XLSX)
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    methods = list(wb["Instructional methods"].iter_rows(values_only=True))
    assert methods[0][:4] == ("AAMC code", "Instructional method", "Events", "Hours")
    assert methods[1] == ("IM003", "Clinical Experience - Inpatient", 3, 120, 2, 1)
    by = {r[1]: r for r in wb["Assessment by expectation"].iter_rows(min_row=2, values_only=True)}
    assert by["PC1"][-1] == 1 and by["PROF1"][-1] == 0
    assert (
        reverse("curriculum:verification", args=["im-residency"])
        in client.get(reverse("curriculum:map", args=["im-residency"])).content.decode()
    )


def test_who_may_open_the_tables(client: Client, crafted: CraftedMap, people: People) -> None:
    assert client.get(PAGE).status_code == 302
    client.force_login(people.outsider)
    assert client.get(PAGE).status_code == 404 and client.get(XLSX).status_code == 404
    client.force_login(people.coordinator)
    assert client.get(PAGE).status_code == 200
    assert client.post(PAGE).status_code == 405


def test_a_program_with_no_activities_is_sent_back_to_its_map(
    client: Client, people: People
) -> None:
    client.force_login(people.coordinator)
    response = client.get(PAGE, follow=True)
    assert response.redirect_chain[-1][0] == reverse("curriculum:map", args=["im-residency"])
    assert "No Curriculum Inventory yet: The program has no activities" in response.content.decode()
