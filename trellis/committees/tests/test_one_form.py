"""Issue 15: the pre-review is one form per learner and the meeting screen starts from the
proposals, so accepting them all is one Save."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.committees.models import CommitteeLevel, EntrustmentDecision, ProposedLevel
from trellis.committees.proposals import ProposalInput, proposals_record
from trellis.committees.tests.factories import Committee, L, decide_all_and_sign, make_committee
from trellis.testing import People


@pytest.fixture
def c(people: People) -> Committee:
    return make_committee(people)


def prereview_url(c: Committee, review_pk: int | None = None) -> str:
    args = [c.people.program.slug, c.cycle.pk, review_pk or c.review.pk]
    return reverse("committees:prereview", args=args)


def meeting_url(c: Committee) -> str:
    return reverse("committees:meeting", args=[c.people.program.slug, c.cycle.pk, c.review.pk])


def full_post(c: Committee) -> dict[str, str]:
    return {
        f"i{c.pc1.pk}-level": "2.5",
        f"i{c.pc1.pk}-note": "Solid on the wards.",
        f"i{c.pc2.pk}-level": "nya",
        f"i{c.epa1.pk}-level": "3",
    }


def test_it_shows_every_item_in_one_form(client: Client, c: Committee) -> None:
    client.force_login(c.people.committee)
    page = client.get(prereview_url(c)).content.decode()
    assert page.count('<form method="post" class="prereview"') == 1
    assert f'name="i{c.pc1.pk}-level"' in page and f'name="i{c.epa1.pk}-level"' in page
    assert "Rows left blank have no proposal yet" in page


def test_it_folds_each_items_level_descriptors(client: Client, c: Committee) -> None:
    """The descriptors are on the page for every item, folded (no script needed to open
    them): the item's own descriptor, else the scale level's description (an EPA's)."""
    client.force_login(c.people.committee)
    page = client.get(prereview_url(c)).content.decode()
    pc1 = page.split(f'id="item-{c.pc1.pk}"')[1].split("</section>")[0]
    folded = pc1.split('<details class="descriptors">')[1].split("</details>")[0]
    assert 'Level descriptors<span class="visually-hidden"> for PC1</span>' in folded
    assert "Takes a full history but has trouble focusing it." in folded
    epa = page.split(f'id="item-{c.epa1.pk}"')[1].split("</section>")[0]
    assert "Observe only" in epa.split('<details class="descriptors">')[1]


def test_one_post_saves_every_proposal(client: Client, c: Committee) -> None:
    client.force_login(c.people.committee)
    r = client.post(prereview_url(c), full_post(c))
    assert r.status_code == 302
    got = {p.item_id: p for p in ProposedLevel.objects.filter(review=c.review)}
    assert set(got) == {c.pc1.pk, c.pc2.pk, c.epa1.pk}
    assert got[c.pc1.pk].level == L("2.5") and got[c.pc1.pk].note == "Solid on the wards."
    assert got[c.pc2.pk].not_yet_assessable and got[c.epa1.pk].level == L("3")
    assert AuditEvent.objects.filter(action="committee.level_propose").count() == 3
    page = client.get(prereview_url(c)).content.decode()
    assert "Saved 3 proposals" in page
    assert '<option value="2.5" selected>' in page  # pre-filled with the proposal


def test_an_error_row_reshows_every_typed_value_and_saves_nothing(
    client: Client, c: Committee
) -> None:
    client.force_login(c.people.committee)
    data = {**full_post(c), f"i{c.pc2.pk}-level": "", f"i{c.pc2.pk}-note": "Only a note"}
    r = client.post(prereview_url(c), data)
    assert r.status_code == 200
    page = r.content.decode()
    assert not ProposedLevel.objects.exists()
    assert "Choose a level to go with the note." in page
    assert '<option value="2.5" selected>' in page and 'value="Solid on the wards."' in page
    assert 'value="Only a note"' in page
    # The error sits on its own row.
    row = page.split(f'id="item-{c.pc2.pk}"')[1].split("</section>")[0]
    assert "Choose a level to go with the note." in row
    # A level off the scale is refused the same way.
    r = client.post(prereview_url(c), {**full_post(c), f"i{c.pc1.pk}-level": "2.25"})
    assert r.status_code == 200 and not ProposedLevel.objects.exists()


def test_resubmitting_the_same_post_creates_no_duplicates(client: Client, c: Committee) -> None:
    client.force_login(c.people.committee)
    for _ in range(3):
        assert client.post(prereview_url(c), full_post(c)).status_code == 302
    assert ProposedLevel.objects.filter(review=c.review).count() == 3
    assert AuditEvent.objects.filter(action="committee.level_propose").count() == 3
    # A change is a new row (the earlier proposal stays), the rest write nothing.
    client.post(prereview_url(c), {**full_post(c), f"i{c.pc1.pk}-level": "3"})
    assert ProposedLevel.objects.filter(review=c.review).count() == 4


def test_a_partial_pre_review_saves_only_what_was_chosen(client: Client, c: Committee) -> None:
    client.force_login(c.people.committee)
    assert client.post(prereview_url(c), {f"i{c.pc1.pk}-level": "2"}).status_code == 302
    assert list(ProposedLevel.objects.values_list("item_id", flat=True)) == [c.pc1.pk]


def test_the_meeting_form_starts_from_the_proposals(client: Client, c: Committee) -> None:
    proposals_record(
        review=c.review,
        proposals=[
            ProposalInput(c.pc1, L("2.5")),
            ProposalInput(c.pc2, None, True),
            ProposalInput(c.epa1, L("3")),
        ],
        acting_user=c.people.committee,
    )
    client.force_login(c.people.director)
    page = client.get(meeting_url(c)).content.decode()
    assert "3 values below are proposals from the pre-review, not yet decided" in page
    assert page.count("(proposed, not yet decided)") == 3
    # Accept all: post back exactly what the page shows.
    form = page.split('<form method="post" class="meeting"')[1]
    assert '<option value="2.5" selected>' in form and '<option value="nya" selected>' in form
    data = {
        f"level-{c.pc1.pk}": "2.5",
        f"level-{c.pc2.pk}": "nya",
        f"epa-{c.epa1.pk}": "3",
    }
    assert client.post(meeting_url(c), data).status_code == 302
    levels = {row.item_id: row for row in CommitteeLevel.objects.filter(review=c.review)}
    assert levels[c.pc1.pk].level == L("2.5") and levels[c.pc2.pk].not_yet_assessable
    assert EntrustmentDecision.objects.get(review=c.review).level == L("3")
    assert AuditEvent.objects.filter(action="committee.level_record").count() == 2
    assert AuditEvent.objects.filter(action="committee.entrustment_record").count() == 1
    after = client.get(meeting_url(c)).content.decode()
    assert "not yet decided" not in after


def test_changing_one_proposal_at_the_meeting_keeps_the_others(
    client: Client, c: Committee
) -> None:
    proposals_record(
        review=c.review,
        proposals=[ProposalInput(c.pc1, L("2.5")), ProposalInput(c.pc2, L("2"))],
        acting_user=c.people.committee,
    )
    client.force_login(c.people.director)
    data = {f"level-{c.pc1.pk}": "3", f"level-{c.pc2.pk}": "2"}
    assert client.post(meeting_url(c), data).status_code == 302
    levels = {row.item_id: row.level for row in CommitteeLevel.objects.filter(review=c.review)}
    assert levels == {c.pc1.pk: L("3"), c.pc2.pk: L("2")}


def test_the_one_form_keeps_its_permissions(client: Client, c: Committee) -> None:
    target = prereview_url(c)
    data = full_post(c)
    assert client.post(target, data).status_code == 302  # anonymous: to sign-in
    # A committee member who is not learner2's pre-reviewer reads but may not propose.
    client.force_login(c.people.committee)
    other = prereview_url(c, c.review2.pk)
    assert client.get(other).status_code == 200
    assert b"Save proposals" not in client.get(other).content
    assert client.post(other, data).status_code == 403
    # The director may propose for anyone; the coordinator may not.
    client.force_login(c.people.director)
    assert client.post(other, data).status_code == 302
    client.force_login(c.people.coordinator)
    assert client.post(target, data).status_code == 403
    for who in ("faculty", "learner2"):
        client.force_login(getattr(c.people, who))
        assert client.post(target, data).status_code == 403
    client.force_login(c.people.learner)  # their own review
    assert client.post(target, data).status_code == 403
    client.force_login(c.people.outsider)
    assert client.post(target, data).status_code == 404
    assert ProposedLevel.objects.filter(review=c.review).count() == 0
    # After sign-off nobody proposes.
    decide_all_and_sign(c)
    client.force_login(c.people.committee)
    assert client.post(target, data).status_code == 403


def observe(c: Committee, day: str, levels: dict) -> None:  # type: ignore[type-arg]
    import datetime as dt

    from trellis.assessments.models import Assessment, AssessmentStatus, FormVersion, Rating

    a = Assessment.objects.create(
        program=c.people.program,
        form_version=FormVersion.objects.get(form__slug="end-of-rotation", form__program=None),
        subject=c.people.learner,
        assessor=c.people.faculty,
        assessor_role="faculty",
        observed_on=dt.date.fromisoformat(day),
        status=AssessmentStatus.SUBMITTED,
    )
    for item, level in levels.items():
        Rating.objects.create(assessment=a, item=item, level=L(level))


def test_start_from_the_evidence_fills_suggestions_that_one_save_proposes(
    client: Client, c: Committee
) -> None:
    """A pre-reviewer who agrees with the evidence: open, Start from the evidence, Save
    (3 clicks). The suggestion is the median of the last three observed levels, snapped to
    the scale; nothing is proposed until the Save, and rows without evidence stay blank."""
    for day, level in (("2025-08-01", "1"), ("2025-09-01", "3"), ("2025-10-01", "2.5"),
                       ("2025-11-01", "2")):  # fmt: skip
        observe(c, day, {c.pc1: level})
    client.force_login(c.people.committee)
    plain = client.get(prereview_url(c)).content.decode()
    assert "Start from the evidence (1 suggested level)" in plain
    assert '<option value="2.5" selected>' not in plain  # a plain page fills nothing
    filled = client.get(prereview_url(c) + "?start=evidence").content.decode()
    assert "1 level filled in from the evidence" in filled
    pc1 = filled.split(f'id="item-{c.pc1.pk}"')[1].split("</section>")[0]
    # The last three are 3, 2.5 and 2: the median is 2.5 (the first, 1, is not weighed).
    assert '<option value="2.5" selected>' in pc1 and "suggested" in pc1
    pc2 = filled.split(f'id="item-{c.pc2.pk}"')[1].split("</section>")[0]
    assert "selected>" not in pc2.split("Proposed level")[1].split("</select>")[0].replace(
        '<option value="" selected>', ""
    )
    assert not ProposedLevel.objects.exists()
    r = client.post(prereview_url(c), {f"i{c.pc1.pk}-level": "2.5"})  # the form as filled
    assert r.status_code == 302
    assert [(p.item_id, p.level) for p in ProposedLevel.objects.all()] == [(c.pc1.pk, L("2.5"))]


def test_someone_who_reads_the_packet_gets_no_suggestions_to_fill(
    client: Client, c: Committee
) -> None:
    observe(c, "2025-10-01", {c.pc1: "3"})
    client.force_login(c.people.coordinator)  # reads; only the pre-reviewer proposes
    page = client.get(prereview_url(c) + "?start=evidence").content.decode()
    assert "Start from the evidence" not in page and "filled in from the evidence" not in page
