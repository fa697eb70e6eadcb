"""Analytics pages: the program's (director and committee) and a rater's own pattern.

Every figure is the analytics' over the program's fact table (`committees.analytics`);
these views only map pseudonyms back to the people this viewer may see and render.
Named raters appear to the program director alone; a faculty member sees their own
pattern against their peers, and only where there are at least PEER_MINIMUM peers.
"""

from __future__ import annotations

import statistics
from typing import Any

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trellis.analytics.growth import (
    FAMILY_MEDICINE_GROWTH_CURVE_RELIABILITY,
    FAMILY_MEDICINE_GROWTH_RATE_RELIABILITY,
    MINIMUM_LEARNERS,
)
from trellis.analytics.ppv import calibration
from trellis.analytics.straightlining import NATIONAL_STRAIGHTLINING
from trellis.assessments.comment_quality import comment_quality
from trellis.committees.analytics import (
    RISK_MIN_ITEMS,
    RISK_MIN_PAST,
    ProgramAnalytics,
    keyed_raters,
    program_analytics,
    program_flags,
)
from trellis.committees.facts import program_key, rater_key
from trellis.people.access import viewer
from trellis.people.models import User
from trellis.people.selectors import was_learner_of
from trellis.records import analytics_charts
from trellis.records.access import get_records_for

PEER_MINIMUM = 5
RATER_MINIMUM_RATINGS = 10


def _png(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    return [
        {str(k): (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _occasion(request: HttpRequest, analytics: ProgramAnalytics) -> int | None:
    bands = analytics.benchmarks
    if bands is None or bands.empty:
        return None
    shown = sorted({int(o) for o in bands.loc[bands["p50"].notna(), "occasion"]})
    raw = request.GET.get("review", "")
    if raw.isdigit() and int(raw) in shown:
        return int(raw)
    return shown[0] if shown else None


def _program_medians(analytics: ProgramAnalytics, occasion: int) -> pd.DataFrame:
    rows = analytics.committee
    if rows.empty:
        return pd.DataFrame(columns=["item", "program_p50", "learners"])
    at = rows[rows["occasion"] == occasion]
    return (
        at.groupby("item")["level"]
        .agg(program_p50="median", learners="count")
        .reset_index()
        .sort_values("item")
    )


def _learner_rows(program: Any, analytics: ProgramAnalytics) -> list[dict[str, Any]]:
    ids = sorted(set(was_learner_of(program=program).values_list("person_id", flat=True)))
    people = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    flags = program_flags(program=program, learner_ids=ids)
    return [
        {"learner": people[pk], "flags": flags[pk]}
        for pk in sorted(ids, key=lambda pk: (people[pk].last_name, people[pk].first_name, pk))
        if flags[pk].flagged
    ]


def _rater_rows(program: Any, analytics: ProgramAnalytics) -> list[dict[str, Any]]:
    raters = analytics.raters
    if raters is None or raters.empty:
        return []
    ids = list(User.objects.filter(memberships__program=program).values_list("pk", flat=True))
    ids += list(program.assessments.values_list("assessor_id", flat=True).distinct())
    names = keyed_raters(user_ids=sorted({i for i in ids if i}))
    people = {u.pk: u for u in User.objects.filter(pk__in=names.values())}
    rows = []
    for row in _records(raters.sort_values("severity", ascending=False)):
        pk = names.get(row["rater"])
        row["person"] = people.get(pk) if pk else None
        rows.append(row)
    return rows


@login_required
@require_GET
def program_page(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    access.require(access.sees_analytics, "Program analytics are for the director and committee")
    analytics = program_analytics(program=access.program)
    occasion = _occasion(request, analytics)
    lines = _records(analytics.straightlining)
    here = program_key(program=access.program)
    return render(
        request,
        "records/analytics.html",
        {
            "program": access.program,
            "a": analytics,
            "gstudy": _records(analytics.gstudy),
            "flagged": _learner_rows(access.program, analytics),
            "history_rows": f"{analytics.history_rows:,}",
            "growth": _records(analytics.growth_programs),
            "anchors": {
                "rate": FAMILY_MEDICINE_GROWTH_RATE_RELIABILITY,
                "curve": FAMILY_MEDICINE_GROWTH_CURVE_RELIABILITY,
                "minimum": MINIMUM_LEARNERS,
            },
            "straightlining": [r for r in lines if r.get("program") == here] or lines,
            "national": NATIONAL_STRAIGHTLINING,
            "min_past": RISK_MIN_PAST,
            "min_items": RISK_MIN_ITEMS,
            "raters": _rater_rows(access.program, analytics) if access.sees_raters else None,
            "calibration_alt": analytics_charts.calibration_alt(calibration(analytics.ppv))
            if not analytics.ppv.empty
            else analytics_charts.calibration_alt(pd.DataFrame()),
            "occasion": occasion,
            "occasions": sorted({int(o) for o in analytics.benchmarks["occasion"]})
            if not analytics.benchmarks.empty
            else [],
            "benchmarks_alt": analytics_charts.benchmarks_alt(
                analytics.benchmarks, occasion=occasion
            )
            if occasion
            else "",
        },
    )


@login_required
@require_GET
def calibration_png(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    access.require(access.sees_analytics, "Program analytics are for the director and committee")
    analytics = program_analytics(program=access.program)
    frame = calibration(analytics.ppv) if not analytics.ppv.empty else pd.DataFrame()
    return _png(analytics_charts.calibration_png(frame))


@login_required
@require_GET
def benchmarks_png(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    access.require(access.sees_analytics, "Program analytics are for the director and committee")
    analytics = program_analytics(program=access.program)
    occasion = _occasion(request, analytics)
    if occasion is None:
        raise Http404("No benchmarks yet")
    medians = _program_medians(analytics, occasion)
    return _png(analytics_charts.benchmarks_png(analytics.benchmarks, medians, occasion=occasion))


RATER_MINIMUM_COMMENTS = 5  # a colleague's share counts in the median from this many


def _peer_summary(raters: pd.DataFrame, me: str) -> dict[str, Any] | None:
    """The rater's own row and the peers' medians; None under PEER_MINIMUM peers."""
    if raters is None or raters.empty or me not in set(raters["rater"]):
        return None
    peers = raters[(raters["rater"] != me) & (raters["n"] >= RATER_MINIMUM_RATINGS)]
    mine = raters[raters["rater"] == me].iloc[0]
    out: dict[str, Any] = {"me": _records(raters[raters["rater"] == me])[0], "peers": len(peers)}
    if len(peers) < PEER_MINIMUM:
        return out
    columns = ["severity", "mean_level", "sd_level", "not_observed_share",
               "straightline_share", "mean_comment_chars"]  # fmt: skip
    out["medians"] = {c: float(peers[c].median()) for c in columns if c in peers}
    # Mid-rank on severities rounded as shown: a tie counts half, so equal raters read
    # "harsher than 50%", not 0% or 100% on a difference of 1e-17.
    theirs, own = peers["severity"].round(2), round(float(mine["severity"]), 2)
    out["harsher_than"] = float(((theirs < own) + 0.5 * (theirs == own)).mean())
    out["all_equal"] = bool((theirs == own).all())
    return out


@login_required
@require_GET
def my_pattern(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    access.require(access.rates, "Rating patterns are for the program's raters")
    analytics = program_analytics(program=access.program)
    summary = _peer_summary(analytics.raters, rater_key(user_id=access.user.pk))
    return render(
        request,
        "records/my_pattern.html",
        {
            "program": access.program,
            "summary": summary,
            "minimum": PEER_MINIMUM,
            "next_steps": _next_steps(access.program, access.user.pk),
        },
    )


def _next_steps(program: Any, me: int) -> dict[str, Any] | None:
    """The rater's share of commented assessments that suggest a next step, and (from
    PEER_MINIMUM colleagues up) their colleagues' median; None before any comment."""
    quality = comment_quality(program=program)
    mine = quality.rater(me)
    if mine is None:
        return None
    others = sorted(
        r.percent
        for r in quality.raters
        if r.key != me and r.commented >= RATER_MINIMUM_COMMENTS and r.percent is not None
    )
    median = statistics.median(others) if len(others) >= PEER_MINIMUM else None
    return {"mine": mine, "median": median, "peers": len(others), "since": quality.start}
