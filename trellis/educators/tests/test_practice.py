from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from trellis.assessments.models import Assessment, AssessorRole
from trellis.educators.models import PeerInvitation
from trellis.educators.services import peer_invite
from trellis.educators.tests.setup import assess, items
from trellis.plans.models import Plan, ShareScope
from trellis.plans.services import share_grant, share_withdraw
from trellis.testing import People

pytestmark = pytest.mark.django_db

OWN_PAGES = ["educators:home", "educators:self-assess", "educators:plan-new", "educators:portfolio"]
OWN_POSTS = [
    "educators:share",
    "educators:coaching",
    "educators:peer-invite",
    "educators:portfolio-pdf",
]


def test_anonymous_is_sent_to_login(people: People, client: Client) -> None:
    for name in OWN_PAGES + OWN_POSTS:
        assert client.get(reverse(name)).status_code == 302, name


def test_people_without_a_practice_get_404(people: People, client: Client) -> None:
    for who in (people.outsider, people.learner, people.director):
        client.force_login(who)
        for name in OWN_PAGES:
            assert client.get(reverse(name)).status_code == 404, (who, name)
        for name in OWN_POSTS:
            assert client.post(reverse(name)).status_code == 404, (who, name)


def test_wrong_methods(people: People, client: Client) -> None:
    client.force_login(people.educator)
    for name in OWN_POSTS:
        assert client.get(reverse(name)).status_code == 405, name
    assert client.post(reverse("educators:home")).status_code == 405
    assert client.post(reverse("educators:portfolio")).status_code == 405


def test_educator_self_assesses_with_half_levels_and_sees_the_trajectory(
    people: People, client: Client
) -> None:
    client.force_login(people.educator)
    page = client.get(reverse("educators:self-assess"))
    assert page.status_code == 200
    first, second = items()[:2]
    assert first.code.encode() in page.content
    r = client.post(
        reverse("educators:self-assess"), {f"level-{first.pk}": "2.5", f"level-{second.pk}": "3"}
    )
    assert r.status_code == 302
    a = Assessment.objects.get(subject=people.educator)
    assert a.assessor == people.educator and a.assessor_role == AssessorRole.SELF
    assert sorted(str(r.level) for r in a.ratings.all()) == ["2.5", "3.0"]
    home = client.get(reverse("educators:home"))
    assert b"Self-assessments over time" in home.content and b"2.5" in home.content


def test_it_refuses_a_level_out_of_range(people: People, client: Client) -> None:
    client.force_login(people.educator)
    r = client.post(reverse("educators:self-assess"), {f"level-{items()[0].pk}": "7"})
    assert r.status_code == 400
    assert not Assessment.objects.filter(subject=people.educator).exists()


def test_educator_opens_a_plan(people: People, client: Client) -> None:
    client.force_login(people.educator)
    item = items()[0]
    r = client.post(
        reverse("educators:plan-new"),
        {
            "item": item.pk,
            "current_level": "2",
            "target_level": "3",
            "actions": "Run two bedside sessions with a structured debrief",
            "evidence": "A peer observation at level 3",
            "check_in_1": "2026-02-01",
        },
    )
    plan = Plan.objects.get(owner=people.educator)
    assert r.status_code == 302 and r["Location"] == reverse("plans:detail", args=[plan.pk])
    assert plan.check_ins.count() == 1 and plan.program == people.fd_program
    bad = client.post(
        reverse("educators:plan-new"),
        {"item": item.pk, "current_level": "3", "target_level": "2", "actions": "x"},
    )
    assert bad.status_code == 400
    typo = {"item": item.pk, "current_level": "2", "target_level": "3", "actions": "Read"}
    typo["check_in_1"] = "0201-02-01"
    r = client.post(reverse("educators:plan-new"), typo)
    assert r.status_code == 400 and b"0201-02-01 is before 1990-01-01" in r.content
    assert b"Read" in r.content and Plan.objects.filter(owner=people.educator).count() == 1


def test_shared_view_shows_only_what_is_shared_while_shared(people: People, client: Client) -> None:
    assess(people.educator, people)
    url = reverse("educators:shared", args=[people.educator.pk])
    for who in (people.fd_lead, people.faculty, people.outsider):
        client.force_login(who)
        assert client.get(url).status_code == 404, who
    share = share_grant(
        owner=people.educator,
        scope=ShareScope.SELF_ASSESSMENTS,
        grantee=people.fd_lead,
        acting_user=people.educator,
    )
    client.force_login(people.fd_lead)
    page = client.get(url)
    assert page.status_code == 200 and b"Self-assessments over time" in page.content
    assert b"Peer observations" not in page.content and b"What learners said" not in page.content
    client.force_login(people.faculty)
    assert client.get(url).status_code == 404  # shared with someone else
    share_withdraw(share=share, acting_user=people.educator)
    client.force_login(people.fd_lead)
    assert client.get(url).status_code == 404


def test_share_to_an_office_is_only_for_self_assessments(people: People, client: Client) -> None:
    client.force_login(people.educator)
    r = client.post(
        reverse("educators:share"),
        {"what": "portfolio", "audience": f"office:{people.fd_program.pk}"},
    )
    assert r.status_code == 302
    assert not people.educator.shares_granted.exists()
    client.post(
        reverse("educators:share"),
        {"what": "self_assessments", "audience": f"user:{people.fd_lead.pk}"},
    )
    assert people.educator.shares_granted.get().grantee == people.fd_lead
    # cannot share with someone outside the institution
    client.post(
        reverse("educators:share"),
        {"what": "self_assessments", "audience": f"user:{people.outsider.pk}"},
    )
    assert people.educator.shares_granted.count() == 1


def test_peer_observation_is_for_the_invited_colleague_and_private_to_the_educator(
    people: People, client: Client
) -> None:
    client.force_login(people.educator)
    client.post(
        reverse("educators:peer-invite"),
        {"colleague": people.faculty.pk, "session": "Morning report"},
    )
    inv = PeerInvitation.objects.get()
    url = reverse("educators:peer", args=[inv.token])
    for who in (people.fd_lead, people.outsider, people.educator):
        client.force_login(who)
        assert client.get(url).status_code == 404, who
    client.force_login(people.faculty)
    assert client.get(url).status_code == 200
    item = items()[0]
    assert (
        client.post(url, {f"level-{item.pk}": "3", "comment": "Clear objectives"}).status_code
        == 302
    )
    inv.refresh_from_db()
    assert inv.assessment is not None and inv.assessment.subject == people.educator
    assert b"Observation recorded" in client.get(url).content
    client.force_login(people.educator)
    assert b"Clear objectives" in client.get(reverse("educators:home")).content
    client.force_login(people.fd_lead)
    assert client.get(reverse("educators:shared", args=[people.educator.pk])).status_code == 404


def test_peer_invite_refuses_an_outsider(people: People) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        peer_invite(
            educator=people.educator,
            program=people.fd_program,
            colleague=people.outsider,
            session="x",
            acting_user=people.educator,
        )


def test_portfolio_pdf_only_for_its_owner_on_request(people: People, client: Client) -> None:
    assess(people.educator, people, day=dt.date(2026, 1, 5))
    client.force_login(people.educator)
    r = client.post(reverse("educators:portfolio-pdf"))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    # nobody can print someone else's: the URL names no person, and outsiders get 404
    client.force_login(people.outsider)
    assert client.post(reverse("educators:portfolio-pdf")).status_code == 404


def test_coaching_opt_in(people: People, client: Client) -> None:
    client.force_login(people.educator)
    client.post(reverse("educators:coaching"), {"opted_in": "1"})
    assert people.educator.coaching_preference.opted_in
    client.post(reverse("educators:coaching"), {"opted_in": "0"})
    people.educator.coaching_preference.refresh_from_db()
    assert not people.educator.coaching_preference.opted_in


def test_learners_are_not_offered_as_colleagues(people: People) -> None:
    from trellis.educators.services import colleague_choices

    offered = colleague_choices(educator=people.educator)
    assert people.faculty in offered and people.fd_lead in offered
    assert people.learner not in offered and people.outsider not in offered


def test_the_next_self_assessment_starts_from_the_last_and_an_error_keeps_the_note(
    people: People, client: Client
) -> None:
    client.force_login(people.educator)
    first, second, third = items()[:3]
    url = reverse("educators:self-assess")
    client.post(url, {f"level-{first.pk}": "2.5", f"level-{second.pk}": "3"})
    html = client.get(url).content.decode()
    assert f'name="level-{first.pk}" value="2.5" checked' in html
    assert f'name="level-{second.pk}" value="3" checked' in html
    assert f'name="level-{third.pk}" value="" checked' in html  # never placed: "Not now"
    assert "starts on your last self-assessment" in html
    assert "Last time: <strong>Between 2 and 3</strong>" in html
    assert "Last time: <strong>Level 3</strong>" in html
    # Every item's levels are a row of choices, what they look like folded (issue 15: the
    # first self-assessment spelled them all out, 14,517 px on a phone)
    assert html.count('<details class="level-descriptors">') == len(items())
    assert '<details class="level-descriptors" open' not in html
    r = client.post(
        url, {f"level-{first.pk}": "3", f"level-{second.pk}": "9", "note": "Run a journal club"}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "Run a journal club</textarea>" in html
    assert f'name="level-{first.pk}" value="3" checked' in html  # as posted, not as before
