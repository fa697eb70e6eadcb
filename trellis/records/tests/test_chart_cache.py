"""A record's charts are drawn once for what they show and drawn again when it changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from trellis.records import charts
from trellis.records.record import learner_record
from trellis.records.tests.factories import Record, make_record, rate
from trellis.testing import People


@pytest.fixture
def rec(people: People) -> Record:
    cache.clear()
    return make_record(people)


def _draws(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the PNGs matplotlib renders (each still rendered)."""
    drawn: list[int] = []
    render = charts._png

    def counting(fig):  # type: ignore[no-untyped-def]
        drawn.append(1)
        return render(fig)

    monkeypatch.setattr(charts, "_png", counting)
    return drawn


def _all(rec: Record) -> list[bytes]:
    record = learner_record(program=rec.people.program, learner=rec.people.learner)
    ev = record.evidence
    item = ev.for_item(rec.pc1.pk)
    assert item is not None
    return [
        charts.trajectories_png(ev),
        charts.trajectories_png(ev, phone=True),
        charts.heatmap_png(ev, record.periods),
        charts.heatmap_png(ev, record.periods, phone=True),
        charts.trajectory_png(item),
    ]


def test_unchanged_evidence_is_drawn_once(rec: Record, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = _draws(monkeypatch)
    first = _all(rec)
    assert len(drawn) == 5 and all(png.startswith(b"\x89PNG") for png in first)
    assert len(set(first)) == 5  # desktop and phone are kept apart
    assert _all(rec) == first and len(drawn) == 5  # a new record of the same evidence


def test_a_new_rating_draws_the_charts_again(rec: Record, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _all(rec)
    drawn = _draws(monkeypatch)
    rate(rec, subject=rec.people.learner, day=dt.date.today(), levels={rec.pc1: Decimal("4")})
    after = _all(rec)
    assert len(drawn) == 5
    assert all(a != b for a, b in zip(after, before, strict=True))


@pytest.mark.parametrize("phone", [True, False])
def test_the_small_multiples_say_what_they_draw_and_when(rec: Record, phone: bool) -> None:
    """Issue 15: on a phone the panels had neither a legend nor a time axis: a band and dots
    with no word for either. Now a legend names the expected band and each rater's role
    shown, and every panel with observations is labelled with its first and last month."""
    ev = learner_record(program=rec.people.program, learner=rec.people.learner).evidence
    shown = [e for e in ev.subcompetencies if e.count]
    fig = charts.trajectories_figure(shown, columns=2 if phone else 6, phone=phone)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()][:2] == ["Expected", "Faculty"]
    days = sorted(p.observed_on for e in shown for p in e.observed)
    months = [f"{days[0]:%b %y}", f"{days[-1]:%b %y}"]
    assert months[0] != months[1]
    for ax in fig.axes:
        assert [t.get_text() for t in ax.get_xticklabels()] == months
