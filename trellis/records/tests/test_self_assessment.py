"""A learner's self-assessment: made on their program's frameworks beside the level
descriptors, kept once however often it is sent, never counted as evidence, shown on the
record beside the ratings and in the committee's packet with its gap."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from trellis.assessments.evidence import learner_evidence
from trellis.assessments.models import Assessment, AssessorRole
from trellis.committees.tests.factories import make_committee
from trellis.records.tests.factories import Record, make_record, rate
from trellis.scheduling.tests.factories import make_schedule
from trellis.testing import People

pytestmark = pytest.mark.django_db
URL = "/programs/im-residency/records/self-assessment/"


@pytest.fixture
def rec(people: People) -> Record:
    make_schedule(people)  # the learner is on Wards under faculty@
    return make_record(people)


def page_key(html: str) -> str:
    found = re.search(r'name="client_key" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def post(client: Client, rec: Record, key: str, **levels: str) -> object:
    return client.post(
        URL,
        {
            "framework": rec.milestones.slug,
            "client_key": key,
            "strengths": "I present clearly.",
            "next_step": "Lead a family meeting.",
            **levels,
        },
    )


def test_a_learner_self_assesses_once_and_the_record_shows_it_beside_the_ratings(
    client: Client, rec: Record
) -> None:
    learner = rec.people.learner
    before = learner_evidence(program=rec.people.program, learner=learner).for_item(rec.pc1.pk)
    assert before is not None
    client.force_login(learner)
    page = client.get(f"{URL}?framework={rec.milestones.slug}").content.decode()
    assert "PC1" in page and "What the levels look like" in page
    tabs = html.unescape(page)
    assert rec.milestones.title in tabs and rec.epas.title in tabs  # a tab per framework
    key = page_key(page)
    r = post(client, rec, key, **{f"level-{rec.pc1.pk}": "3.5"})
    assert r.status_code == 302 and r["Location"].endswith(f"/learners/{learner.pk}/")
    post(client, rec, key, **{f"level-{rec.pc1.pk}": "3.5"})  # the Back button, sent again
    made = Assessment.objects.get(assessor_role=AssessorRole.SELF)
    assert (made.subject, made.assessor) == (learner, learner)
    assert [(r.item, r.level) for r in made.ratings.all()] == [(rec.pc1, Decimal("3.5"))]
    assert {c.text for c in made.comments.all()} == {"I present clearly.", "Lead a family meeting."}
    # Never evidence: the record's counts and latest level are those of the ratings given.
    after = learner_evidence(program=rec.people.program, learner=learner).for_item(rec.pc1.pk)
    assert after is not None
    assert (after.count, after.latest_level) == (before.count, before.latest_level)
    record = client.get(r["Location"]).content.decode()
    assert '<th scope="col" class="num">Self</th>' in record
    assert 'title="Self-assessed on' in record and "+1.5" in record  # 3.5 against a 2
    # The next self-assessment starts where this one ended.
    again = client.get(f"{URL}?framework={rec.milestones.slug}").content.decode()
    assert re.search(rf'name="level-{rec.pc1.pk}" value="3.5" checked', again)


def test_a_bad_level_is_refused_and_what_was_typed_comes_back(client: Client, rec: Record) -> None:
    client.force_login(rec.people.learner)
    key = page_key(client.get(URL).content.decode())
    r = client.post(
        URL,
        {
            "framework": rec.epas.slug,
            "client_key": key,
            "next_step": "Own the discharge summaries.",
            f"level-{rec.epa1.pk}": "2.5",  # the EPAs' scale has no half levels
        },
    )
    text = r.content.decode()
    assert r.status_code == 400 and "EPA1: 2.5 is not a level of this item" in text
    assert "Own the discharge summaries." in text
    assert not Assessment.objects.filter(assessor_role=AssessorRole.SELF).exists()
    empty = client.post(URL, {"framework": rec.epas.slug, "client_key": key})
    assert empty.status_code == 400 and "at least one item" in empty.content.decode()


def test_only_the_programs_learners_self_assess(client: Client, rec: Record) -> None:
    for who, status in (
        ("learner", 200),
        ("learner2", 200),
        ("faculty", 403),
        ("director", 403),
        ("coordinator", 403),
        ("committee", 403),
        ("educator", 404),
        ("outsider", 404),
    ):
        client.force_login(getattr(rec.people, who))
        assert client.get(URL).status_code == status, who


def test_staff_see_the_self_assessment_and_a_supervisor_does_not(
    client: Client, rec: Record
) -> None:
    learner = rec.people.learner
    client.force_login(learner)
    post(client, rec, page_key(client.get(URL).content.decode()), **{f"level-{rec.pc1.pk}": "4"})
    record = reverse("records:learner", args=[rec.people.program.slug, learner.pk])
    client.force_login(rec.people.director)
    assert 'class="num">Self</th>' in client.get(record).content.decode()
    client.force_login(rec.people.faculty)  # supervises the learner: sees the evidence only
    page = client.get(record).content.decode()
    assert "PC1" in page and 'class="num">Self</th>' not in page


def test_the_committee_packet_shows_the_gap(client: Client, people: People) -> None:
    c = make_committee(people)
    rate(
        make_record(people),
        subject=people.learner,
        day=dt.date(2025, 10, 1),
        levels={c.pc1: Decimal("2")},
    )
    client.force_login(people.learner)
    key = page_key(client.get(URL).content.decode())
    client.post(URL, {"framework": "im-milestones-2", "client_key": key, f"level-{c.pc1.pk}": "4"})
    client.force_login(people.committee)
    packet = reverse("committees:prereview", args=[people.program.slug, c.cycle.pk, c.review.pk])
    text = client.get(packet).content.decode()
    assert "self-assessed 4 <strong>(+2 on the latest rating)</strong>" in text
