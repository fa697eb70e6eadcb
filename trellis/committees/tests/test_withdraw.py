"""A proposal is withdrawn by its proposer (or the chair) before the committee decides its
item: the row stays, marked, with an audit event in the same transaction; the meeting no
longer starts from it; a repeated withdraw records nothing more."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.committees.models import ProposedLevel, ReviewStatus
from trellis.committees.proposals import ProposalInput, proposal_withdraw, proposals_record
from trellis.committees.rules import CommitteeError
from trellis.committees.services import committee_level_record
from trellis.committees.tests.factories import Committee, L, decide_all_and_sign, make_committee
from trellis.people.models import Role
from trellis.people.services import membership_add
from trellis.testing import People


@pytest.fixture
def c(people: People) -> Committee:
    return make_committee(people)


def propose(c: Committee) -> dict[int, ProposedLevel]:
    rows = proposals_record(
        review=c.review,
        proposals=[ProposalInput(c.pc1, L("2.5"), note="Steady."), ProposalInput(c.epa1, L("3"))],
        acting_user=c.people.committee,
    )
    return {row.item_id: row for row in rows}


def withdraw_url(c: Committee, proposal: ProposedLevel) -> str:
    args = [c.people.program.slug, c.cycle.pk, proposal.review_id, proposal.pk]
    return reverse("committees:proposal-withdraw", args=args)


def meeting_url(c: Committee) -> str:
    return reverse("committees:meeting", args=[c.people.program.slug, c.cycle.pk, c.review.pk])


def prereview_url(c: Committee) -> str:
    return reverse("committees:prereview", args=[c.people.program.slug, c.cycle.pk, c.review.pk])


def test_it_marks_the_proposal_withdrawn_and_audits_who_did_it(c: Committee) -> None:
    pc1 = propose(c)[c.pc1.pk]
    proposal_withdraw(proposal=pc1, acting_user=c.people.committee)
    pc1.refresh_from_db()
    assert pc1.withdrawn_at is not None and pc1.withdrawn_by == c.people.committee
    assert ProposedLevel.objects.filter(review=c.review).count() == 2  # nothing deleted
    event = AuditEvent.objects.get(action="committee.proposal_withdraw")
    assert event.actor == c.people.committee
    assert event.before == {"withdrawn_at": None, "withdrawn_by": None}
    assert event.after["withdrawn_by"] == c.people.committee.pk


def test_it_does_nothing_more_on_a_repeated_withdraw(c: Committee) -> None:
    pc1 = propose(c)[c.pc1.pk]
    proposal_withdraw(proposal=pc1, acting_user=c.people.committee)
    first = ProposedLevel.objects.get(pk=pc1.pk).withdrawn_at
    proposal_withdraw(proposal=pc1, acting_user=c.people.committee)
    assert ProposedLevel.objects.get(pk=pc1.pk).withdrawn_at == first
    assert AuditEvent.objects.filter(action="committee.proposal_withdraw").count() == 1


def test_it_lets_a_withdrawn_item_be_proposed_again(c: Committee) -> None:
    pc1 = propose(c)[c.pc1.pk]
    proposal_withdraw(proposal=pc1, acting_user=c.people.committee)
    # The same value again is a new proposal, not "unchanged" against the withdrawn row.
    again = proposals_record(
        review=c.review, proposals=[ProposalInput(c.pc1, L("2.5"))], acting_user=c.people.committee
    )
    assert len(again) == 1 and not again[0].is_withdrawn


def test_it_reopens_a_review_left_with_no_proposal(c: Committee) -> None:
    rows = propose(c)
    proposal_withdraw(proposal=rows[c.pc1.pk], acting_user=c.people.committee)
    c.review.refresh_from_db()
    assert c.review.status == ReviewStatus.PRE_REVIEWED  # the EPA is still proposed
    proposal_withdraw(proposal=rows[c.epa1.pk], acting_user=c.people.committee)
    c.review.refresh_from_db()
    assert c.review.status == ReviewStatus.PENDING


def test_it_refuses_another_members_withdrawal_but_lets_the_chair(c: Committee) -> None:
    pc1 = propose(c)[c.pc1.pk]
    for who in ("coordinator", "faculty"):
        with pytest.raises(CommitteeError, match="Only the proposer, or the chair"):
            proposal_withdraw(proposal=pc1, acting_user=getattr(c.people, who))
    proposal_withdraw(proposal=pc1, acting_user=c.people.director)
    pc1.refresh_from_db()
    assert pc1.withdrawn_by == c.people.director


def test_it_refuses_once_the_committee_has_decided_the_item(c: Committee) -> None:
    rows = propose(c)
    committee_level_record(
        review=c.review, item=c.pc1, level=L("2.5"), acting_user=c.people.director
    )
    with pytest.raises(CommitteeError, match="decided this already"):
        proposal_withdraw(proposal=rows[c.pc1.pk], acting_user=c.people.committee)
    assert not ProposedLevel.objects.get(pk=rows[c.pc1.pk].pk).is_withdrawn
    assert not AuditEvent.objects.filter(action="committee.proposal_withdraw").exists()


def test_it_refuses_a_proposal_a_later_one_replaced(c: Committee) -> None:
    old = propose(c)[c.pc1.pk]
    proposals_record(
        review=c.review, proposals=[ProposalInput(c.pc1, L("3"))], acting_user=c.people.committee
    )
    with pytest.raises(CommitteeError, match="later proposal"):
        proposal_withdraw(proposal=old, acting_user=c.people.committee)


def test_the_meeting_no_longer_starts_from_a_withdrawn_proposal(
    client: Client, c: Committee
) -> None:
    pc1 = propose(c)[c.pc1.pk]
    client.force_login(c.people.committee)
    assert client.post(withdraw_url(c, pc1)).status_code == 302
    prereview = client.get(prereview_url(c)).content.decode()
    assert "Withdrew the proposal for PC1" in prereview
    level = prereview.split(f'name="i{c.pc1.pk}-level"')[1].split("</select>")[0]
    assert '<option value="2.5" selected>' not in level
    page = client.get(meeting_url(c)).content.decode()
    assert "1 value below is a proposal" in page  # the EPA's alone
    row = page.split(f'name="level-{c.pc1.pk}"')[1].split("</select>")[0]
    assert '<option value="2.5" selected>' not in row


def test_a_repeated_withdraw_post_says_so_and_records_nothing(client: Client, c: Committee) -> None:
    pc1 = propose(c)[c.pc1.pk]
    client.force_login(c.people.committee)
    client.post(withdraw_url(c, pc1))
    r = client.post(withdraw_url(c, pc1), follow=True)
    assert "already withdrawn" in r.content.decode()
    assert AuditEvent.objects.filter(action="committee.proposal_withdraw").count() == 1


def test_the_withdraw_endpoint_keeps_its_permissions(client: Client, c: Committee) -> None:
    pc1 = propose(c)[c.pc1.pk]
    target = withdraw_url(c, pc1)
    assert client.post(target).status_code == 302  # anonymous: to sign-in
    assert "/accounts/login/" in client.post(target)["Location"]
    client.force_login(c.people.committee)
    assert client.get(target).status_code == 405
    # A member of the committee's pages who did not propose it, faculty, learners: 403.
    for who in ("coordinator", "faculty", "learner2"):
        client.force_login(getattr(c.people, who))
        assert client.post(target).status_code == 403, who
    client.force_login(c.people.learner)  # the learner reviewed
    assert client.post(target).status_code == 403
    client.force_login(c.people.outsider)
    assert client.post(target).status_code == 404
    # A proposal of another review, under this review's address: 404.
    client.force_login(c.people.committee)
    other = reverse(
        "committees:proposal-withdraw",
        args=[c.people.program.slug, c.cycle.pk, c.review2.pk, pc1.pk],
    )
    assert client.post(other).status_code == 404
    assert not ProposedLevel.objects.get(pk=pc1.pk).is_withdrawn
    client.force_login(c.people.director)
    assert client.post(target).status_code == 302
    assert ProposedLevel.objects.get(pk=pc1.pk).withdrawn_by == c.people.director


def test_a_second_committee_member_may_not_withdraw_a_colleagues_proposal(
    client: Client, c: Committee, people: People
) -> None:
    pc1 = propose(c)[c.pc1.pk]
    membership_add(
        person=people.faculty,
        program=people.program,
        role=Role.COMMITTEE,
        start_date=dt.date(2025, 7, 1),
        acting_user=None,
    )
    client.force_login(people.faculty)
    assert client.post(withdraw_url(c, pc1)).status_code == 403
    assert not ProposedLevel.objects.get(pk=pc1.pk).is_withdrawn


def test_it_refuses_after_sign_off(client: Client, c: Committee) -> None:
    pc1 = propose(c)[c.pc1.pk]
    decide_all_and_sign(c)
    client.force_login(c.people.committee)
    r = client.post(withdraw_url(c, pc1), follow=True)
    assert "signed off" in r.content.decode()
    assert not ProposedLevel.objects.get(pk=pc1.pk).is_withdrawn


def test_a_withdrawn_note_is_never_shared_with_the_learner(client: Client, c: Committee) -> None:
    pc1 = propose(c)[c.pc1.pk]  # with the note "Steady."
    proposal_withdraw(proposal=pc1, acting_user=c.people.committee)
    decide_all_and_sign(c)
    c.cycle.share_prereview_notes = True
    c.cycle.save()
    client.force_login(c.people.learner)
    page = client.get(reverse("committees:mine", args=[c.people.program.slug]))
    assert b"Steady." not in page.content


def test_the_pre_review_page_offers_withdraw_only_to_who_may(client: Client, c: Committee) -> None:
    pc1 = propose(c)[c.pc1.pk]
    button = f'form="withdraw-{pc1.pk}"'
    client.force_login(c.people.committee)
    page = client.get(prereview_url(c)).content.decode()
    assert button in page and f'action="{withdraw_url(c, pc1)}"' in page
    client.force_login(c.people.coordinator)
    assert button not in client.get(prereview_url(c)).content.decode()
    # Once the committee has decided the item, the page no longer offers it.
    committee_level_record(
        review=c.review, item=c.pc1, level=L("2.5"), acting_user=c.people.director
    )
    client.force_login(c.people.committee)
    assert button not in client.get(prereview_url(c)).content.decode()
