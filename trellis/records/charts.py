"""Charts drawn on the server (matplotlib, Agg) so a page and its PDF show the same
picture. Each function returns PNG bytes; each chart has an alt-text function beside it
that states the key figures.

The expected band on a trajectory runs half a level under the expected level for the
learner's training year up to it: at or above the band is on track.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from trellis.assessments.evidence import ItemEvidence, LearnerEvidence
from trellis.lib.bounds import plausible_date
from trellis.lib.plotting import Figure
from trellis.records.exams import ExamCohort
from trellis.records.record import Period, latest_by_period

ROLE_STYLE = {
    "faculty": ("#1f5f8b", "o"),
    "resident": ("#7a4fa0", "s"),
    "nurse": ("#b35806", "^"),
    "peer": ("#2b7a3d", "D"),
    "self": ("#555555", "x"),
}
OTHER_STYLE = ("#333333", "v")
MAX_LEVEL = 5.0

# A record's charts are kept in the cache under a digest of exactly what they draw (the
# points, levels, periods and labels), so a new or changed rating draws afresh and
# nothing has to be invalidated. Change CHART_STYLE when a drawing changes.
CHART_STYLE = "2026-12-08"
CHART_CACHE_SECONDS = 7 * 24 * 3600


def _kept_png(kind: str, drawn: object, draw: Callable[[], bytes]) -> bytes:
    """The PNG of `draw()`, kept under a digest of `drawn`: what the chart shows."""
    digest = hashlib.sha256(repr((CHART_STYLE, kind, drawn)).encode()).hexdigest()
    key = f"trellis:chart:{kind}:{digest}"
    png = cache.get(key)
    if not isinstance(png, bytes):
        png = draw()
        cache.set(key, png, CHART_CACHE_SECONDS)
    return png


def _placed(ev: ItemEvidence) -> list[tuple[object, float, str]]:
    """The observations a trajectory places: dates a chart can place, with their level
    and the rater's role."""
    # A date stored before the date rules (year 1, say) would stop matplotlib's date
    # axis, and so the whole record page.
    return [
        (p.observed_on, float(p.level or 0), p.assessor_role)
        for p in ev.observed
        if not plausible_date(p.observed_on, years_ahead=20)
    ]


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


def _fmt(level: Decimal | None) -> str:
    return "none" if level is None else f"{level.normalize():f}"


def _draw_trajectory(  # type: ignore[no-untyped-def]
    ax, ev: ItemEvidence, *, compact: bool, y_labels: bool = True
) -> None:
    if ev.expected_level is not None:
        top = float(ev.expected_level)
        ax.axhspan(top - 0.5, top, color="#f2d48f", alpha=0.6, label="Expected", lw=0)
    roles: dict[str, list[tuple[object, float]]] = {}
    for day, level, role in _placed(ev):
        roles.setdefault(role, []).append((day, level))
    for role, pts in sorted(roles.items()):
        colour, marker = ROLE_STYLE.get(role, OTHER_STYLE)
        ax.plot(
            [d for d, _ in pts],
            [v for _, v in pts],
            marker=marker,
            color=colour,
            linestyle="-" if not compact else "",
            markersize=4 if compact else 6,
            label=role.capitalize(),
        )
    ax.set_ylim(0.5, MAX_LEVEL + 0.5)
    # Tick objects are most of the cost of a small multiple: level labels on the first
    # column only, and plain lines for the grid.
    ax.set_yticks([1, 2, 3, 4, 5] if y_labels else [])
    ax.hlines([1, 2, 3, 4, 5], 0, 1, transform=ax.get_yaxis_transform(), color="#dddddd", lw=0.5)
    ax.set_title(ev.item.code or ev.item.name[:20], fontsize=8 if compact else 11)
    if not roles:  # no dates to place: say so, rather than an axis of -0.04 to 0.04
        ax.set_xticks([])
        ax.text(
            0.5,
            0.5,
            "No observations yet",
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=6 if compact else 10,
            color="#555555",
        )
    if compact:
        ax.tick_params(labelsize=6)
        ax.set_xticks([])
    else:
        ax.set_ylabel("Level")
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        for label in ax.get_xticklabels():
            label.set_rotation(30)
            label.set_fontsize(8)


def trajectory_png(ev: ItemEvidence) -> bytes:
    def draw() -> bytes:
        fig = Figure(figsize=(6.4, 3.2), dpi=96, layout="constrained")
        _draw_trajectory(fig.add_subplot(), ev, compact=False)
        return _png(fig)

    drawn = (ev.item.code, ev.item.name[:20], ev.expected_level, _placed(ev))
    return _kept_png("trajectory", drawn, draw)


def trajectory_alt(ev: ItemEvidence) -> str:
    trend = (
        "no trend yet" if ev.trend_per_month is None else f"trend {ev.trend_per_month:+.2f} a month"
    )
    return (
        f"Trajectory of {ev.item}: {ev.count} observations, latest level "
        f"{_fmt(ev.latest_level)}, expected {_fmt(ev.expected_level)}, {trend}."
    )


# For a phone the charts are drawn for a screen about 360 px wide (a font of f points then
# shows at about f * 360 / (72 * width in inches) pixels), at twice the density.
PHONE_COLUMNS = 2
PHONE_DPI = 192
PHONE_PERIODS = 4
PHONE_HEAT_WIDTH = 3.6


def trajectories_png(evidence: LearnerEvidence, *, columns: int = 6, phone: bool = False) -> bytes:
    """Small multiples: one panel per subcompetency that has observations (two a row on a
    phone, where the six of a desktop would shrink to unreadable)."""
    columns = PHONE_COLUMNS if phone else columns
    shown = [e for e in evidence.subcompetencies if e.count] or evidence.subcompetencies[:1]
    drawn = (
        columns,
        phone,
        [(e.item.code, e.item.name[:20], e.expected_level, _placed(e)) for e in shown],
    )
    return _kept_png("trajectories", drawn, lambda: _trajectories(shown, columns, phone))


def _trajectories(shown: list[ItemEvidence], columns: int, phone: bool) -> bytes:
    return _png(trajectories_figure(shown, columns=columns, phone=phone))


def trajectories_figure(shown: list[ItemEvidence], *, columns: int, phone: bool) -> Figure:
    """The small multiples, with a legend (the expected band, the raters' roles) and each
    panel's time axis labelled with the first and last month, so a phone's picture reads
    without the desktop's hover or a second chart."""
    rows = max(1, -(-len(shown) // columns))
    # No layout engine: with dozens of panels it costs seconds; fixed margins do (inches:
    # a legend above, the level labels on the left, the first and last month below each
    # panel).
    height = rows * 1.45 + 0.5
    fig = Figure(figsize=(columns * 1.45, height), dpi=PHONE_DPI if phone else 96)
    left = 0.3 / (columns * 1.45)
    fig.subplots_adjust(
        left=left,
        right=1 - 0.2 / (columns * 1.45),
        bottom=0.25 / height,
        top=1 - 0.5 / height,
        wspace=0.35,
        hspace=0.6,
    )
    days = [day for ev in shown for day, _, _ in _placed(ev) if isinstance(day, date)]
    span = (min(days), max(days)) if days else None  # one time axis for every panel
    roles: set[str] = set()
    for i, ev in enumerate(shown):
        ax = fig.add_subplot(rows, columns, i + 1)
        _draw_trajectory(ax, ev, compact=True, y_labels=i % columns == 0)
        roles.update(role for _, _, role in _placed(ev))
        if span is not None and _placed(ev):
            start, end = (mdates.date2num(d) for d in span)
            pad = max(1.0, (end - start) * 0.06)
            ax.set_xlim(start - pad, end + pad)
            ax.set_xticks([start, end], [f"{d:%b %y}" for d in span] if end > start else [""] * 2)
            ax.tick_params(axis="x", labelsize=6, length=2, pad=1)
    fig.legend(
        handles=_legend_handles(roles),
        loc="upper center",
        ncol=len(roles) + 1,
        fontsize=7,
        frameon=False,
        handlelength=1.2,
        columnspacing=0.8,
        borderaxespad=0.2,
    )
    return fig


def _legend_handles(roles: set[str]) -> list[object]:
    """What a small multiple draws: the band of the expected level, a marker per rater's
    role shown."""
    handles: list[object] = [Patch(color="#f2d48f", alpha=0.6, label="Expected", lw=0)]
    for role in sorted(roles):
        colour, marker = ROLE_STYLE.get(role, OTHER_STYLE)
        handles.append(
            Line2D(
                [],
                [],
                color=colour,
                marker=marker,
                linestyle="",
                markersize=4,
                label=role.capitalize(),
            )
        )
    return handles


def trajectories_alt(evidence: LearnerEvidence) -> str:
    subs = evidence.subcompetencies
    below = [e.item.code for e in subs if e.below_expected]
    seen = sum(1 for e in subs if e.count)
    text = f"Trajectories of {seen} of {len(subs)} subcompetencies with observations"
    return text + (f"; below expected: {', '.join(below)}." if below else "; none below expected.")


# Level bands: none, <2, <3, <4, <5, 5
HEAT_COLOURS = ListedColormap(["#f4f4f4", "#fde0c5", "#facba6", "#9ecae1", "#4292c6", "#08519c"])


def _band(level: Decimal | None) -> int:
    return 0 if level is None else min(5, max(1, int(level)))


def heatmap_png(evidence: LearnerEvidence, periods: list[Period], *, phone: bool = False) -> bytes:
    """Items by period, the latest level in each cell. On a phone: the last PHONE_PERIODS
    periods, drawn narrow with type that reads at phone width."""
    if phone:
        periods = periods[-PHONE_PERIODS:]
    items = evidence.subcompetencies
    levels = [latest_by_period(e, periods) for e in items]
    drawn = (phone, [e.item.code for e in items], [p.label for p in periods], levels)
    return _kept_png("heatmap", drawn, lambda: _heatmap(items, levels, periods, phone))


def _heatmap(
    items: list[ItemEvidence],
    levels: list[list[Decimal | None]],
    periods: list[Period],
    phone: bool,
) -> bytes:
    grid = [[_band(v) for v in row] or [0] for row in levels] or [[0]]
    label, cell, title = (8, 7, 9) if phone else (6, 5, 9)
    height = max(2.0, (0.24 if phone else 0.18) * len(items) + 1.0)
    width = PHONE_HEAT_WIDTH if phone else max(4.0, 0.9 * len(periods) + 2.0)
    fig = Figure(figsize=(width, height), dpi=PHONE_DPI if phone else 96)
    # Fixed margins in inches (codes on the left, rotated period labels below): a layout
    # engine would cost most of the drawing time.
    fig.subplots_adjust(
        left=0.6 / width, right=1 - 0.1 / width, bottom=0.65 / height, top=1 - 0.3 / height
    )
    ax = fig.add_subplot()
    ax.imshow(grid, cmap=HEAT_COLOURS, vmin=0, vmax=5, aspect="auto", interpolation="nearest")
    ax.set_yticks(range(len(items)), [e.item.code for e in items], fontsize=label)
    ax.set_xticks(range(len(periods)), [p.label for p in periods], fontsize=label, rotation=30)
    for r, row in enumerate(levels):
        for c, v in enumerate(row):
            if v is not None:
                ax.text(
                    c,
                    r,
                    f"{v.normalize():f}",
                    ha="center",
                    va="center",
                    fontsize=cell,
                    color="white" if v >= 4 else "black",
                )
    ax.set_title("Latest level per period", fontsize=title)
    return _png(fig)


def heatmap_alt(evidence: LearnerEvidence, periods: list[Period]) -> str:
    if not periods:
        return "Heat map of latest levels: no observations yet."
    last = [
        f"{e.item.code} {_fmt(v[-1])}"
        for e in evidence.subcompetencies
        if (v := latest_by_period(e, periods)) and v[-1] is not None
    ]
    return (
        f"Heat map of latest levels for {len(evidence.subcompetencies)} subcompetencies over "
        f"{len(periods)} periods ({periods[0].label} to {periods[-1].label}). "
        f"In the last period: {', '.join(last) or 'no observations'}."
    )


def exam_cohort_png(cohort: ExamCohort, *, item_code: str, phone: bool = False) -> bytes:
    """The cohort's exam scores against their committee level on one item, the record's
    learner marked. Points on one level are spread a little sideways, by learner, so a
    cluster shows its size. On a phone: narrow, with type that reads at phone width."""
    drawn = (
        phone,
        item_code,
        cohort.name,
        cohort.taken_on,
        cohort.score_label,
        cohort.points,
        cohort.subject,
    )
    return _kept_png("exam-cohort", drawn, lambda: _exam_cohort(cohort, item_code, phone))


def _spread(learner_id: int) -> float:
    return ((learner_id * 7919) % 11 - 5) * 0.02


def _exam_cohort(cohort: ExamCohort, item_code: str, phone: bool) -> bytes:
    size, dpi = ((PHONE_HEAT_WIDTH, 3.0), PHONE_DPI) if phone else ((6.4, 3.4), 96)
    fig = Figure(figsize=size, dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    others = [p for p in cohort.points if p is not cohort.subject]
    if others:
        ax.scatter(
            [float(p.level) + _spread(p.learner_id) for p in others],
            [p.score for p in others],
            s=22,
            color="#8a8a8a",
            alpha=0.8,
            label="Other learners",
        )
    if cohort.subject is not None:
        ax.scatter(
            [float(cohort.subject.level)],
            [cohort.subject.score],
            s=90,
            marker="D",
            color="#1f5f8b",
            edgecolors="black",
            label="This learner",
            zorder=3,
        )
    ax.set_xlim(0.5, MAX_LEVEL + 0.5)
    ax.set_xticks([1, 2, 3, 4, 5])
    if cohort.max_score:
        ax.set_ylim(0, 100)
    ax.set_xlabel(f"Committee level on {item_code}", fontsize=9)
    ax.set_ylabel(cohort.score_label, fontsize=9)
    ax.set_title(f"{cohort.name}, {cohort.taken_on:%d %b %Y}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return _png(fig)


def exam_cohort_alt(cohort: ExamCohort, *, item_code: str) -> str:
    rho = cohort.spearman
    relation = "" if rho is None else f"; Spearman's rank correlation {rho:.2f}"
    mine = (
        ""
        if cohort.subject is None
        else f"; this learner: score {cohort.subject.score:.0f} at level "
        f"{_fmt(cohort.subject.level)}"
    )
    return (
        f"{cohort.name} scores of {len(cohort.points)} learners against their committee "
        f"level on {item_code}{relation}{mine}."
    )
