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
from trellis.assessments.tagging import tag_suggestions
from trellis.audit.models import AuditEvent
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


# -- suggested tags

HISTORY = [
    "Took a thorough history including family and social history",
    "History of present illness was complete and well organised",
    "Asked about medications, allergies and past medical history",
    "Good collateral history from the daughter",
    "Missed the travel history; ask about exposures next time",
]
EXAM = [
    "Careful cardiac auscultation, picked up the murmur",
    "Abdominal exam was gentle and complete, found the guarding",
    "Neurological examination: check the reflexes and gait next time",
    "Lung exam found crackles at both bases",
    "Examined the joints carefully and noted the effusion",
]


def _history(rec: Record) -> None:
    people, today = rec.people, timezone.localdate()
    for n in range(4):
        for texts, item in ((HISTORY, rec.pc1), (EXAM, rec.pc2)):
            for text in texts:
                a = rate(
                    rec,
                    subject=people.learner,
                    day=today - dt.timedelta(days=30 + n),
                    levels={item: L(3)},
                    comment=f"{text}.",
                )
                a.comments.get().items.set([item])


def test_untagged_comments_get_the_items_the_programs_own_model_finds(
    client: Client, rec: Record
) -> None:
    client.force_login(rec.people.coordinator)
    assert "0 of the 30 it needs" in client.get(URL).content.decode().replace("\n", " ")
    _history(rec)
    untagged = rate(
        rec,
        subject=rec.people.learner2,
        day=timezone.localdate(),
        levels={rec.pc1: L(3)},
        comment="Took a careful social and family history.",
    ).comments.get()
    suggestions = tag_suggestions(program=rec.people.program)
    assert suggestions.trained and suggestions.tagged == 40
    row = next(r for r in suggestions.rows if r.comment == untagged)
    assert row.items[0][0] == rec.pc1
    page = client.get(URL).content.decode()
    assert f'value="{rec.pc1.pk}" checked' in page
    url = f"/programs/im-residency/assessments/comments/{untagged.pk}/tags/"
    assert client.post(url, {"item": [rec.pc1.pk]}).status_code == 302
    assert list(untagged.items.all()) == [rec.pc1]
    assert AuditEvent.objects.filter(action="comment.tag", target_id=str(untagged.pk)).exists()
    # Another comment confirmed as about no item is not asked about again.
    other = next(r.comment for r in tag_suggestions(program=rec.people.program).rows)
    client.post(f"/programs/im-residency/assessments/comments/{other.pk}/tags/", {})
    left = {r.comment.pk for r in tag_suggestions(program=rec.people.program).rows}
    assert untagged.pk not in left and other.pk not in left


def test_who_may_confirm_a_tag(client: Client, rec: Record) -> None:
    comment = Comment.objects.filter(assessment__program=rec.people.program).first()
    assert comment is not None
    url = f"/programs/im-residency/assessments/comments/{comment.pk}/tags/"
    for who, status in (("faculty", 403), ("learner", 403), ("outsider", 404)):
        client.force_login(getattr(rec.people, who))
        assert client.post(url, {"item": [rec.pc1.pk]}).status_code == status, who
    assert not comment.items.exists()
    client.force_login(rec.people.director)
    assert client.post(url.replace(str(comment.pk), "999999"), {}).status_code == 404
    assert client.post(url, {"item": [rec.pc1.pk]}).status_code == 302
    assert list(comment.items.all()) == [rec.pc1]
