"""The analytics pages, every door: the program's (director and committee; named raters
for the director alone), a rater's own pattern (peers only as medians of 5 or more), the
charts, and the insight on the learner record and the committee's meeting screen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from trellis.analytics.synthetic import write_synthetic
from trellis.committees.models import ReviewCycle
from trellis.committees.services import committee_level_record
from trellis.committees.tests.factories import L, decide_all_and_sign, make_committee
from trellis.frameworks.models import Item
from trellis.people.models import Membership, Role, User
from trellis.records.tests.factories import Record, make_record, rate
from trellis.testing import People, add_member, make_user

PAGES = ("analytics", "calibration-png", "benchmarks-png")


def colleagues(people: People, rec: Record, *, count: int, ratings: int = 6) -> list[User]:
    """Faculty who each rate both learners `ratings` times on PC1 and PC2."""
    today = dt.date.today()
    made = []
    for k in range(count):
        person = make_user(f"colleague{k}@riverside.test", f"Colleague{k}", "Rater")
        add_member(person, people.program, Role.FACULTY)
        made.append(person)
        for j in range(ratings):
            for learner, base in ((people.learner, 1.5), (people.learner2, 3.0)):
                bump = Decimal("0.5") if (j + k) % 3 == 0 else Decimal(0)
                day = today - dt.timedelta(days=3 + j)
                levels = {rec.pc1: Decimal(str(base)) + bump, rec.pc2: Decimal(str(base))}
                rate(rec, subject=learner, assessor=person, day=day, levels=levels)
    return made


def make_world(people: People, history: Path) -> Record:
    """A record, six colleagues rating both learners, a signed-off committee that put
    Lena at 1.5 on PC1-PC3 and Luis at 3 on PC1, and a 40-program consortium history at
    `history`."""
    rec = make_record(people)
    colleagues(people, rec, count=6)
    c = make_committee(people)
    for code in ("PC1", "PC2", "PC3"):
        item = Item.objects.get(framework__slug="im-milestones-2", code=code)
        committee_level_record(
            review=c.review, item=item, level=L("1.5"), acting_user=people.committee
        )
    committee_level_record(review=c.review2, item=c.pc1, level=L("3"), acting_user=people.committee)
    decide_all_and_sign(c)
    write_synthetic(history, programs=40, learners_per_program=9, cohorts=6, seed=5)
    rec.history = history  # type: ignore[attr-defined]
    return rec


@pytest.fixture
def world(people: People, tmp_path: Path) -> Record:
    return make_world(people, tmp_path / "consortium.parquet")


def page(people: People, name: str) -> str:
    return reverse(f"records:{name}", args=[people.program.slug])


def test_the_director_sees_every_figure_and_the_named_raters(
    client: Client, people: People, world: Record
) -> None:
    client.force_login(people.director)
    with override_settings(TRELLIS_ANALYTICS_HISTORY=str(world.history)):  # type: ignore[attr-defined]
        response = client.get(page(people, "analytics"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Is the evidence enough?" in html
        assert "pooled history of 41 programs" in html
        assert "Reliability of the evidence" in html and '<th scope="row">PC1</th>' in html
        assert "Colleague0 Rater" in html and "Severity" in html  # the rater table
        assert "published national figure is about 6.5% of residents" in html
        for name in ("calibration-png", "benchmarks-png"):
            png = client.get(page(people, name) + "?review=1")
            assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert 'alt="Calibration of the risk figures, by bin: predicted' in html


def test_the_committee_sees_the_page_without_named_raters(
    client: Client, people: People, world: Record
) -> None:
    client.force_login(people.committee)
    response = client.get(page(people, "analytics"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reliability of the evidence" in html
    assert "Colleague0 Rater" not in html and 'id="raters-h"' not in html


@pytest.mark.parametrize("who", ["coordinator", "faculty", "learner", "educator", "fd_lead"])
def test_other_members_may_not_open_the_program_analytics(
    client: Client, people: People, world: Record, who: str
) -> None:
    client.force_login(getattr(people, who))
    for name in PAGES:
        status = client.get(page(people, name)).status_code
        assert status in (403, 404), (who, name, status)
        if who in ("coordinator", "faculty", "learner"):
            assert status == 403


def test_outsiders_get_404_and_anonymous_users_sign_in(
    client: Client, people: People, world: Record
) -> None:
    for name in (*PAGES, "my-pattern"):
        assert client.get(page(people, name)).status_code == 302
    client.force_login(people.outsider)
    for name in (*PAGES, "my-pattern"):
        assert client.get(page(people, name)).status_code == 404
    client.force_login(people.director)
    assert client.post(page(people, "analytics")).status_code == 405


def test_a_rater_sees_their_own_pattern_against_five_peers(
    client: Client, people: People, world: Record
) -> None:
    client.force_login(people.faculty)
    response = client.get(page(people, "my-pattern"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "My rating pattern" in html
    assert "Colleagues (median of 6)" in html
    # Everyone rated the same two learners alike: no severity tells them apart.
    assert "your severity is no different from your colleagues" in html
    for k in range(6):
        assert f"Colleague{k}" not in html


def test_under_five_peers_no_comparison_is_shown(client: Client, people: People) -> None:
    rec = make_record(people)
    colleagues(people, rec, count=4)
    client.force_login(people.faculty)
    html = client.get(page(people, "my-pattern")).content.decode()
    assert "Fewer than 5 colleagues" in html and "median of" not in html


def test_learners_may_not_see_rating_patterns(client: Client, people: People) -> None:
    make_record(people)
    client.force_login(people.learner)
    assert client.get(page(people, "my-pattern")).status_code == 403


def test_the_record_shows_sufficiency_and_staff_see_the_risk(
    client: Client, people: People, world: Record
) -> None:
    url = reverse("records:learner", args=[people.program.slug, people.learner.pk])
    with override_settings(TRELLIS_ANALYTICS_HISTORY=str(world.history)):  # type: ignore[attr-defined]
        client.force_login(people.director)
        html = client.get(url).content.decode()
        assert "Enough evidence?" in html
        assert "Evidence sufficient:" in html or "Not yet:" in html
        assert "past learners at or below 1.5 at this point" in html
        client.force_login(people.learner)
        own = client.get(url).content.decode()
        assert "Enough evidence?" in own
        assert "past learners" not in own


def test_the_meeting_screen_shows_enough_and_risk(
    client: Client, people: People, world: Record
) -> None:
    cycle = ReviewCycle.objects.get(program=people.program)
    # The observations are from the last weeks: the cycle under review covers them.
    today = dt.date.today()
    cycle.period_start, cycle.period_end = today - dt.timedelta(days=180), today
    cycle.save(update_fields=["period_start", "period_end"])
    review = cycle.reviews.get(learner=people.learner)
    url = reverse("committees:meeting", args=[people.program.slug, cycle.pk, review.pk])
    client.force_login(people.committee)
    with override_settings(TRELLIS_ANALYTICS_HISTORY=str(world.history)):  # type: ignore[attr-defined]
        html = client.get(url).content.decode()
    assert "Enough? Risk?" in html
    assert "items not yet sufficient" in html
    assert "adjusted for rater severity" in html
    assert "past learners at or below 1.5" in html


def test_the_program_view_flags_only_the_learner_at_risk(
    client: Client, people: People, world: Record
) -> None:
    # Lena is a third-year now, so her committee's 1.5 on PC1-PC3 last December came in
    # her second year (review 3): hardly any past learner was that low then, and of those
    # at or below 2 nearly none reached Level 4. Luis's 3 at his first review is no cause
    # for concern.
    Membership.objects.filter(person=people.learner, program=people.program).update(training_year=3)
    client.force_login(people.director)
    url = reverse("records:program", args=[people.program.slug])
    with override_settings(TRELLIS_ANALYTICS_HISTORY=str(world.history)):  # type: ignore[attr-defined]
        response = client.get(url)
    rows = {r.learner.pk: r for r in response.context["overview"].rows}
    assert rows[people.learner.pk].flags[0] == "At risk on 3: PC1, PC2, PC3"
    assert not any(f.startswith("At risk") for f in rows[people.learner2.pk].flags)
    assert "At risk on 3: PC1, PC2, PC3" in response.content.decode()
    assert "Program analytics" in response.content.decode()


def test_a_raters_standing_counts_ties_half() -> None:
    import pandas as pd

    from trellis.records.views_analytics import _peer_summary

    raters = pd.DataFrame(
        {
            "rater": ["me", "a", "b", "c", "d", "e"],
            "n": [20] * 6,
            "severity": [0.3, -0.2, 0.0, 0.3, 0.5, 0.1],
            "mean_level": [2.0] * 6,
        }
    )
    summary = _peer_summary(raters, "me")
    assert summary is not None and summary["peers"] == 5
    assert summary["harsher_than"] == pytest.approx(3.5 / 5) and not summary["all_equal"]
    assert "medians" in summary and summary["medians"]["severity"] == pytest.approx(0.1)
    assert "medians" not in (_peer_summary(raters.iloc[:5], "me") or {})  # four peers
