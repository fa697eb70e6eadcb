"""Exam scores on a Medical Knowledge item's page, and for the program's staff the cohort's
scores against the committee's level on that item (issue 14)."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from trellis.assessments.exams.services import exam_scores_import
from trellis.committees.services import committee_level_record
from trellis.committees.tests.factories import Committee, L, decide_all_and_sign, make_committee
from trellis.frameworks.models import Item
from trellis.records.exams import CohortPoint, ExamCohort, _nearest, item_exam_cohorts
from trellis.testing import People

SCORES = (
    "learner_email,exam,date,score,percentile,max_score\n"
    "learner@riverside.test,In-training exam,2025-10-10,62,40,80\n"
    "learner2@riverside.test,In-training exam,2025-10-10,72,75,80\n"
)


@pytest.fixture
def c(people: People) -> Committee:
    c = make_committee(people)
    mk1 = Item.objects.get(framework__slug="im-milestones-2", code="MK1")
    committee_level_record(review=c.review, item=mk1, level=L("2"), acting_user=people.committee)
    committee_level_record(review=c.review2, item=mk1, level=L("3.5"), acting_user=people.committee)
    decide_all_and_sign(c)
    result = exam_scores_import(
        program=people.program, data=SCORES.encode(), acting_user=people.coordinator
    )
    assert result.ok, result.problems
    return c


def page(people: People, who: str = "learner") -> str:
    mk1 = Item.objects.get(framework__slug="im-milestones-2", code="MK1")
    learner = getattr(people, who)
    return reverse("records:item", args=[people.program.slug, learner.pk, mk1.pk])


def test_the_staff_see_the_cohort_score_against_level(client: Client, c: Committee) -> None:
    people = c.people
    client.force_login(people.director)
    text = html.unescape(client.get(page(people)).content.decode())
    assert "Exam scores on MK1" in text and "In-training exam, 10 Oct 2025" in text
    assert "Lena Park: 62 of 80, percentile 40." in text
    assert "2 learners with a score and a committee level" in text
    assert "In-training exam scores of 2 learners against their committee level on MK1" in text
    assert "this learner: score 78 at level 2" in text  # 62 of 80 is 77.5%
    chart = text.split('<img src="')[-1].split('"')[0]
    response = client.get(chart)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    phone = client.get(chart + "?for=phone").content  # drawn for the page's <picture>
    width = int.from_bytes(response.content[16:20], "big")
    assert int.from_bytes(phone[16:20], "big") != width and f'srcset="{chart}?for=phone"' in text


def test_a_learner_sees_their_own_score_and_no_one_elses(client: Client, c: Committee) -> None:
    people = c.people
    client.force_login(people.learner)
    text = html.unescape(client.get(page(people)).content.decode())
    assert "Lena Park: 62 of 80, percentile 40." in text
    # The other learner's 72, anywhere a figure shows (not inside a random CSRF token,
    # which held "72" once in CI).
    shown = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    assert not re.search(r"\b72\b", shown)
    assert "learners with a score" not in text and "<figure" not in text
    mk1 = Item.objects.get(framework__slug="im-milestones-2", code="MK1")
    exam_id = item_exam_cohorts(
        program=people.program, item_id=mk1.pk, learner=people.learner, cohort=False
    )[0].exam_id
    chart = reverse(
        "records:item-exam-png", args=[people.program.slug, people.learner.pk, mk1.pk, exam_id]
    )
    assert client.get(chart).status_code == 404
    client.force_login(people.outsider)
    assert client.get(chart).status_code == 404
    client.force_login(people.coordinator)
    assert client.get(chart).status_code == 200
    assert client.post(chart).status_code == 405
    wrong = reverse(
        "records:item-exam-png", args=[people.program.slug, people.learner.pk, c.pc1.pk, exam_id]
    )
    assert client.get(wrong).status_code == 404  # the exam is not linked to PC1


def test_an_item_with_no_exam_shows_no_exam_section(client: Client, c: Committee) -> None:
    client.force_login(c.people.director)
    url = reverse("records:item", args=[c.people.program.slug, c.people.learner.pk, c.pc1.pk])
    assert "Exam scores on" not in client.get(url).content.decode()


def test_a_score_meets_the_level_of_the_review_nearest_the_exam() -> None:
    spring, autumn = dt.date(2025, 6, 30), dt.date(2025, 12, 31)
    levels = [(spring, Decimal("2")), (autumn, Decimal("3"))]
    assert _nearest(levels, dt.date(2025, 8, 1)) == Decimal("2")
    assert _nearest(levels, dt.date(2025, 11, 1)) == Decimal("3")
    tie = [(dt.date(2025, 1, 1), Decimal("1")), (dt.date(2025, 1, 21), Decimal("2"))]
    assert _nearest(tie, dt.date(2025, 1, 11)) == Decimal("2")  # the later on a tie
    assert _nearest([], dt.date(2025, 1, 1)) is None


def test_the_rank_correlation_needs_five_learners_and_spread() -> None:
    def cohort(pairs: list[tuple[str, float]]) -> ExamCohort:
        x = ExamCohort(1, "ITE", dt.date(2025, 10, 10), Decimal("100"), None, None)
        x.points = [CohortPoint(i, s, Decimal(lv)) for i, (lv, s) in enumerate(pairs)]
        return x

    rising = [("1", 40.0), ("2", 50.0), ("3", 55.0), ("4", 70.0), ("5", 90.0)]
    assert cohort(rising).spearman == pytest.approx(1.0)
    assert cohort(rising[:4]).spearman is None
    assert cohort([("3", s) for _, s in rising]).spearman is None
    falling = [("1", 90.0), ("2", 70.0), ("3", 55.0), ("4", 50.0), ("5", 40.0)]
    assert cohort(falling).spearman == pytest.approx(-1.0)
