"""Comments that teach: the share of commented assessments that say what to do next, by
quarter and by rater; forms whose words and levels disagree, flagged on the program's
page and the coordinator's home."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from trellis.analytics.narratives import level_text_mismatch, suggests
from trellis.assessments.comment_quality import comment_quality, level_text_mismatches
from trellis.assessments.models import Comment
from trellis.records.tests.factories import Record, make_record, rate
from trellis.scheduling.tests.factories import make_schedule
from trellis.testing import People

pytestmark = pytest.mark.django_db
URL = "/programs/im-residency/assessments/comments/"
L = Decimal


@pytest.fixture
def rec(people: People) -> Record:
    make_schedule(people)
    return make_record(people)


def test_the_rules() -> None:
    assert suggests(["Good."], next_step="Read about sepsis bundles.")
    assert not suggests(["Good."], next_step="Fine.")
    assert suggests(["Next time, summarise before the plan."])
    assert not suggests(["Great job!"])
    assert (
        level_text_mismatch(["Excellent: fully independent."], [1.0]) == "“Excellent” with level 1"
    )
    assert level_text_mismatch(["Not yet independent."], [1.0]) == ""  # negated
    assert level_text_mismatch(["Unsafe handover; I had to step in."], [5.0]) == (
        "“Unsafe” with level 5"
    )
    assert level_text_mismatch(["No concerns; never unsafe."], [5.0]) == ""
    assert level_text_mismatch(["Excellent work."], [3.0]) == ""  # the middle is no contradiction
    # On the Ottawa scale's 5 levels or on a 1-9 scale alike, the bottom fifth.
    assert level_text_mismatch(["Outstanding."], [2.0], top=9.0) == "“Outstanding” with level 2"


def test_the_share_by_quarter_and_by_rater(rec: Record) -> None:
    people, today = rec.people, timezone.localdate()
    Comment.objects.all().delete()  # only what this test writes
    last_quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - dt.timedelta(days=1)
    for day, who, text in (
        (today, people.faculty, "Next time, present the plan first."),
        (today, people.faculty, "Great job!"),
        (last_quarter, people.faculty, "Consider a broader differential."),
        (today, people.committee, "Good."),
    ):
        rate(
            rec, subject=people.learner, day=day, levels={rec.pc1: L(3)}, assessor=who, comment=text
        )
    quality = comment_quality(program=people.program, today=today)
    assert (quality.program.commented, quality.program.suggesting) == (4, 2)
    assert [(q.commented, q.suggesting) for q in quality.quarters[-2:]] == [(1, 1), (3, 1)]
    assert len(quality.quarters) == 6
    faculty, committee = quality.rater(people.faculty.pk), quality.rater(people.committee.pk)
    assert faculty is not None and committee is not None
    assert (faculty.percent, committee.percent) == (67, 0)
    assert [r.label for r in quality.raters] == ["Chidi Yamamoto", "Farah Mendes"]  # lowest first


def test_words_and_levels_that_disagree_are_flagged_to_the_coordinator(
    client: Client, rec: Record
) -> None:
    people, today = rec.people, timezone.localdate()
    flagged = rate(
        rec,
        subject=people.learner2,
        day=today - dt.timedelta(days=2),
        levels={rec.pc1: L(1), rec.pc2: L("1.5")},
        comment="Outstanding work, fully independent on the ward.",
    )
    rate(rec, subject=people.learner2, day=today, levels={rec.pc1: L(4)}, comment="Outstanding.")
    [m] = level_text_mismatches(program=people.program)
    assert m.assessment == flagged and m.reason == "“Outstanding” with level 1.5"
    client.force_login(people.coordinator)
    home = client.get("/").content.decode()
    assert "1 form whose words and levels disagree" in home
    page = client.get(URL).content.decode()
    assert f"/assess/a/{flagged.pk}/" in page and "with level 1.5" in page


def test_who_may_read_the_comment_quality_page(client: Client, rec: Record) -> None:
    for who, status, by_rater in (
        ("director", 200, True),
        ("coordinator", 200, False),
        ("faculty", 403, False),
        ("committee", 403, False),
        ("learner", 403, False),
        ("outsider", 404, False),
    ):
        client.force_login(getattr(rec.people, who))
        r = client.get(URL)
        assert r.status_code == status, who
        assert ("By rater" in r.content.decode()) is by_rater, who


def test_a_rater_sees_their_own_share(client: Client, rec: Record) -> None:
    client.force_login(rec.people.faculty)
    html = client.get("/programs/im-residency/records/analytics/my-ratings/").content.decode()
    assert "Do your comments say what to do next?" in html
    assert "commented assessments since" in html
