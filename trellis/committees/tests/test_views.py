"""Every committee page, for every kind of caller: the happy path, anonymous, a member
without the right (403), an outsider (404) and the wrong method (405)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.committees.models import CommitteeLevel, CycleStatus, Decision, ProposedLevel
from trellis.committees.services import committee_level_record
from trellis.committees.tests.factories import Committee, L, decide_all_and_sign, make_committee
from trellis.people.models import Membership, Role
from trellis.testing import People


@pytest.fixture
def c(people: People) -> Committee:
    return make_committee(people)


def url(c: Committee, name: str, review: bool = False) -> str:
    slug = c.people.program.slug
    if name in ("cycles", "cycle-new", "mine"):
        return reverse(f"committees:{name}", args=[slug])
    if review:
        return reverse(f"committees:{name}", args=[slug, c.cycle.pk, c.review.pk])
    return reverse(f"committees:{name}", args=[slug, c.cycle.pk])


# (url name, is a review page, method, who may, a member who may not)
PAGES = [
    ("cycles", False, "get", "committee", "faculty"),
    ("cycle-new", False, "get", "coordinator", "committee"),
    ("cycle", False, "get", "committee", "learner"),
    ("cycle-signoff", False, "get", "director", "coordinator"),
    ("prereview", True, "get", "committee", "faculty"),
    ("meeting", True, "get", "committee", "learner2"),
]


@pytest.mark.parametrize(("name", "review", "method", "allowed", "denied"), PAGES)
def test_it_guards_every_page(
    client: Client, c: Committee, name: str, review: bool, method: str, allowed: str, denied: str
) -> None:
    target = url(c, name, review)
    assert client.get(target).status_code == 302  # anonymous: to the sign-in page
    client.force_login(getattr(c.people, allowed))
    assert client.get(target).status_code == 200
    assert client.put(target).status_code == 405
    client.force_login(getattr(c.people, denied))
    assert client.get(target).status_code == 403
    client.force_login(c.people.outsider)
    assert client.get(target).status_code == 404


def test_it_creates_a_cycle(client: Client, c: Committee) -> None:
    client.force_login(c.people.coordinator)
    r = client.post(
        url(c, "cycle-new"),
        {
            "name": "2026 Fall",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "meeting_date": "2026-07-10",
        },
    )
    assert r.status_code == 302
    client.force_login(c.people.committee)
    assert client.post(url(c, "cycle-new"), {"name": "X"}).status_code == 403


def test_it_assigns_pre_reviewers(client: Client, c: Committee) -> None:
    client.force_login(c.people.coordinator)
    data = {f"r{c.review.pk}": str(c.people.director.pk), f"r{c.review2.pk}": ""}
    assert client.post(url(c, "cycle"), data).status_code == 302
    c.review.refresh_from_db()
    assert c.review.pre_reviewer == c.people.director
    client.force_login(c.people.committee)
    assert client.post(url(c, "cycle"), data).status_code == 403


def test_it_starts_the_meeting(client: Client, c: Committee) -> None:
    client.force_login(c.people.coordinator)
    assert client.get(url(c, "cycle-meeting")).status_code == 405
    assert client.post(url(c, "cycle-meeting")).status_code == 302
    c.cycle.refresh_from_db()
    assert c.cycle.status == CycleStatus.MEETING
    client.force_login(c.people.committee)
    assert client.post(url(c, "cycle-meeting")).status_code == 403
    client.force_login(c.people.outsider)
    assert client.post(url(c, "cycle-meeting")).status_code == 404


def test_it_lets_the_pre_reviewer_propose(client: Client, c: Committee) -> None:
    client.force_login(c.people.committee)
    page = client.get(url(c, "prereview", True))
    assert b"PC1" in page.content and b"Propose" in page.content
    r = client.post(
        url(c, "prereview", True),
        {"item": c.pc1.pk, f"i{c.pc1.pk}-level": "2.5", f"i{c.pc1.pk}-note": "Solid."},
    )
    assert r.status_code == 302
    assert ProposedLevel.objects.get(review=c.review).level == L("2.5")
    # Not the assigned pre-reviewer of learner2 (the director is).
    other = reverse("committees:prereview", args=[c.people.program.slug, c.cycle.pk, c.review2.pk])
    assert client.post(other, {"item": c.pc1.pk, f"i{c.pc1.pk}-level": "2"}).status_code == 403


def test_it_records_the_meeting_with_one_save(client: Client, c: Committee) -> None:
    client.force_login(c.people.committee)
    data = {
        f"level-{c.pc1.pk}": "2.5",
        f"level-{c.pc2.pk}": "nya",
        f"epa-{c.epa1.pk}": "3",
        "outcome": "advance",
        "rationale": "On track.",
    }
    r = client.post(url(c, "meeting", True), data)
    assert r.status_code == 302, r.content
    levels = {row.item_id: row for row in CommitteeLevel.objects.filter(review=c.review)}
    assert levels[c.pc1.pk].level == L("2.5") and levels[c.pc2.pk].not_yet_assessable
    assert Decision.objects.get(review=c.review).outcome == "advance"
    # The coordinator keeps the minutes but does not vote.
    client.force_login(c.people.coordinator)
    assert client.post(url(c, "meeting", True), data).status_code == 403


def test_it_refuses_the_meeting_form_after_sign_off(client: Client, c: Committee) -> None:
    decide_all_and_sign(c)
    client.force_login(c.people.committee)
    r = client.post(url(c, "meeting", True), {f"level-{c.pc1.pk}": "3"}, follow=True)
    assert b"signed off" in r.content
    assert not CommitteeLevel.objects.filter(review=c.review).exists()


def test_it_signs_off(client: Client, c: Committee) -> None:
    client.force_login(c.people.director)
    r = client.post(url(c, "cycle-signoff"), follow=True)
    assert b"Every learner needs a decision" in r.content
    for review in (c.review, c.review2):
        Decision.objects.create(
            review=review, outcome="advance", rationale="x", recorded_by=c.people.director
        )
    assert client.post(url(c, "cycle-signoff")).status_code == 302
    c.cycle.refresh_from_db()
    assert c.cycle.is_locked
    client.force_login(c.people.coordinator)
    assert client.post(url(c, "cycle-signoff")).status_code == 403


def test_it_records_a_correction(client: Client, c: Committee) -> None:
    committee_level_record(
        review=c.review, item=c.pc1, level=L("2"), acting_user=c.people.committee
    )
    decide_all_and_sign(c)
    target = url(c, "correct", True)
    client.force_login(c.people.committee)
    assert client.get(target).status_code == 403
    client.force_login(c.people.outsider)
    assert client.get(target).status_code == 404
    client.force_login(c.people.director)
    assert client.get(target).status_code == 200
    assert client.put(target).status_code == 405
    r = client.post(target, {"what": str(c.pc1.pk), "level": "3", "reason": "Minutes misread"})
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="committee.level_correct").exists()


def test_it_exports_a_signed_off_cycle(client: Client, c: Committee) -> None:
    target = url(c, "cycle-export")
    client.force_login(c.people.coordinator)
    assert client.get(target).status_code == 404  # not signed off yet
    committee_level_record(
        review=c.review, item=c.pc1, level=L("2.5"), acting_user=c.people.committee
    )
    decide_all_and_sign(c)
    # Not yet: ADS matches the file by the program's number and each resident's ACGME ID.
    refused = client.get(target)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "ADS program number" in page and "An ACGME ID for Lena Park" in page
    lena = Membership.objects.get(person=c.people.learner, program=c.people.program)
    links = set(re.findall(r'href="([^"#]+)(?:#[^"]*)?"', page))
    assert reverse("people:acgme", args=[c.people.program.slug]) in links
    assert f'#acgme-{lena.pk}"' in page
    for who in ("coordinator", "director"):
        client.force_login(getattr(c.people, who))
        for link in links - {"#main"}:
            assert client.get(link).status_code == 200, (who, link)
    client.post(
        reverse("people:acgme", args=[c.people.program.slug]),
        {"ads_number": "1409921001", f"acgme-{lena.pk}": "2611223"},
    )
    r = client.get(target)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert b"PC1" in r.content and b"1409921001" in r.content and b"2611223" in r.content
    assert client.post(target).status_code == 405
    client.force_login(c.people.committee)
    assert client.get(target).status_code == 403
    client.force_login(c.people.outsider)
    assert client.get(target).status_code == 404
    client.logout()
    assert client.get(target).status_code == 302


def test_it_shows_a_learner_their_own_signed_off_levels(client: Client, c: Committee) -> None:
    committee_level_record(
        review=c.review, item=c.pc1, level=L("2.5"), acting_user=c.people.committee
    )
    target = url(c, "mine")
    client.force_login(c.people.learner)
    assert b"2.5" not in client.get(target).content  # not final before sign-off
    decide_all_and_sign(c)
    page = client.get(target)
    assert page.status_code == 200 and b"2.5" in page.content and b"On track." in page.content
    assert client.post(target).status_code == 405
    client.force_login(c.people.outsider)
    assert client.get(target).status_code == 404
    client.logout()
    assert client.get(target).status_code == 302


def test_it_shares_pre_review_notes_only_when_the_program_chooses(
    client: Client, c: Committee
) -> None:
    from trellis.committees.proposals import level_propose

    level_propose(
        review=c.review,
        item=c.pc1,
        level=L("2"),
        note="Great bedside manner",
        acting_user=c.people.committee,
    )
    decide_all_and_sign(c)
    client.force_login(c.people.learner)
    assert b"Great bedside manner" not in client.get(url(c, "mine")).content
    c.cycle.share_prereview_notes = True
    c.cycle.save()
    assert b"Great bedside manner" in client.get(url(c, "mine")).content


def test_the_cycle_page_and_meeting_screen_take_a_fixed_number_of_queries(
    client: Client, c: Committee, django_assert_max_num_queries: Any
) -> None:
    from trellis.testing import add_member, make_user

    client.force_login(c.people.committee)
    with django_assert_max_num_queries(20):
        assert client.get(url(c, "cycle")).status_code == 200
    for n in range(5):
        person = make_user(f"extra{n}@riverside.test", "Extra", f"Learner{n}")
        add_member(person, c.people.program, Role.LEARNER, training_year=1)
    c.cycle.reviews.create(learner=person, training_year=1)
    with django_assert_max_num_queries(20):
        assert client.get(url(c, "cycle")).status_code == 200
    # One query of each is the learner's self-assessed levels, shown beside the evidence.
    with django_assert_max_num_queries(37):  # the first view also builds the fact table
        assert client.get(url(c, "meeting", True)).status_code == 200
    with django_assert_max_num_queries(31):  # later ones read the analytics from the cache
        assert client.get(url(c, "meeting", True)).status_code == 200
