"""The academic year's turn: a preview, then every learner up a year and the final year
graduated; a second turn for the same year (a double submit, the command run again)
changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.people.models import CohortPromotion, Membership, Role
from trellis.people.services import PromotionRefused, cohort_promote, promotion_plan
from trellis.testing import People, add_member, make_user

LAST_DAY = dt.date(2026, 6, 30)


@pytest.fixture
def cohort(people: People) -> People:
    """Lena in year 1 and Luis in year 2 (the fixture), Greta in her final year 3, and
    Ned, whose membership starts after the turn."""
    add_member(
        make_user("greta@riverside.test", "Greta", "Hale"),
        people.program,
        Role.LEARNER,
        training_year=3,
    )
    add_member(
        make_user("ned@riverside.test", "Ned", "Ito"),
        people.program,
        Role.LEARNER,
        training_year=1,
        start=dt.date(2026, 7, 1),
    )
    return people


def year_of(email: str) -> tuple[int | None, dt.date | None]:
    m = Membership.objects.get(person__email=email, role=Role.LEARNER)
    return m.training_year, m.end_date


def test_the_plan_shows_who_moves_and_who_graduates(cohort: People) -> None:
    plan = promotion_plan(program=cohort.program, last_day=LAST_DAY)
    assert [(m.membership.person.email, m.to_year) for m in plan.moves] == [
        ("learner2@riverside.test", 3),
        ("learner@riverside.test", 2),
    ]
    assert [m.person.email for m in plan.graduates] == ["greta@riverside.test"]
    assert plan.refusal == ""
    assert year_of("learner@riverside.test") == (1, None)  # a preview writes nothing


def test_it_promotes_and_graduates_once(cohort: People) -> None:
    turn = cohort_promote(program=cohort.program, last_day=LAST_DAY, acting_user=cohort.director)
    assert (turn.promoted, turn.graduated) == (2, 1)
    assert year_of("learner@riverside.test") == (2, None)
    assert year_of("learner2@riverside.test") == (3, None)
    assert year_of("greta@riverside.test") == (3, LAST_DAY)
    assert year_of("ned@riverside.test") == (1, None)
    assert (
        AuditEvent.objects.filter(action="membership.training_year", actor=cohort.director).count()
        == 2
    )
    assert AuditEvent.objects.filter(action="membership.end").count() == 1
    assert AuditEvent.objects.get(action="program.promote").after == {
        "last_day": "2026-06-30",
        "promoted": 2,
        "graduated": 1,
    }
    events = AuditEvent.objects.count()
    for again in (LAST_DAY, LAST_DAY + dt.timedelta(days=1), LAST_DAY - dt.timedelta(days=30)):
        with pytest.raises(PromotionRefused, match="already turned"):
            cohort_promote(program=cohort.program, last_day=again, acting_user=cohort.director)
    assert year_of("learner@riverside.test") == (2, None)
    assert AuditEvent.objects.count() == events
    assert CohortPromotion.objects.count() == 1
    # A year later the next turn runs.
    nxt = cohort_promote(program=cohort.program, last_day=dt.date(2027, 6, 30), acting_user=None)
    assert (nxt.promoted, nxt.graduated) == (2, 1)  # Lena and Ned up; Luis graduates
    assert year_of("learner2@riverside.test") == (3, dt.date(2027, 6, 30))


def test_the_page_previews_confirms_and_a_double_submit_is_harmless(
    client: Client, cohort: People
) -> None:
    client.force_login(cohort.coordinator)
    page = reverse("people:promote", args=["im-residency"])
    preview = client.post(page, {"last_day": "2026-06-30"})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Greta Hale" in body and "Lena Park" in body
    assert 'name="confirm" value="yes"' in body
    assert year_of("learner@riverside.test") == (1, None)

    done = client.post(page, {"last_day": "2026-06-30", "confirm": "yes"})
    assert done["Location"] == reverse("people:roster", args=["im-residency"])
    assert year_of("learner@riverside.test") == (2, None)
    second = client.post(page, {"last_day": "2026-06-30", "confirm": "yes"})
    assert second.status_code == 409
    assert "already turned its year on 2026-06-30" in second.content.decode()
    assert 'name="confirm"' not in second.content.decode()
    assert year_of("learner@riverside.test") == (2, None)
    assert CohortPromotion.objects.get().actor == cohort.coordinator
    assert client.post(page, {"last_day": "not a date"}).status_code == 400


def test_the_command_previews_applies_and_refuses_a_second_run(cohort: People) -> None:
    out = io.StringIO()
    args = ["promote", "--program", "im-residency", "--last-day", "2026-06-30"]
    call_command("people", *args, "--dry-run", stdout=out)
    assert "graduates greta@riverside.test: year 3, ends 2026-06-30" in out.getvalue()
    assert "Would be: 2 moved up, 1 graduated" in out.getvalue()
    assert year_of("learner@riverside.test") == (1, None)
    out = io.StringIO()
    call_command("people", *args, stdout=out)
    assert "im-residency turned on 2026-06-30: 2 moved up, 1 graduated" in out.getvalue()
    with pytest.raises(CommandError, match="already turned"):
        call_command("people", *args, stdout=io.StringIO())
    assert year_of("learner@riverside.test") == (2, None)
