"""Server-drawn analytics charts (matplotlib, Agg): the risk calibration plot and the
benchmark bands. Each has an alt-text function beside it stating the key figures. Text
from data is drawn with mathtext off, so an item code can never be read as markup."""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg

from trellis.lib.plotting import Figure

ACCENT = "#0b6b66"
MUTED = "#6b7a83"


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    if frame is None or frame.empty:
        return pd.DataFrame(columns=["predicted", "observed", "n"])
    return frame[(frame["n"] > 0) & frame["predicted"].notna()]


def calibration_png(frame: pd.DataFrame) -> bytes:
    """Predicted risk (x) against the share that did not reach Level 4 (y), per bin,
    point area by n; the diagonal is perfect calibration."""
    fig = Figure(figsize=(5.2, 4.0), dpi=110)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color=MUTED, linestyle="--", linewidth=1, label="Perfect calibration")
    shown = _shown(frame)
    if len(shown):
        sizes = [max(12.0, 300.0 * math.sqrt(n / shown["n"].max())) for n in shown["n"]]
        ax.scatter(shown["predicted"], shown["observed"], s=sizes, color=ACCENT, alpha=0.8,
                   label="Past learners (area: n)")  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Predicted share not reaching Level 4", parse_math=False)
    ax.set_ylabel("Observed share", parse_math=False)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _png(fig)


def calibration_alt(frame: pd.DataFrame) -> str:
    shown = _shown(frame)
    if shown.empty:
        return "Calibration plot: no past learners to calibrate against yet."
    parts = [
        f"predicted {p:.0%}, observed {o:.0%} (n={int(n)})"
        for p, o, n in zip(shown["predicted"], shown["observed"], shown["n"], strict=True)
    ]
    return "Calibration of the risk figures, by bin: " + "; ".join(parts) + "."


def benchmarks_png(bands: pd.DataFrame, program: pd.DataFrame | None, *, occasion: int) -> bytes:
    """Box plots of the pooled levels per item at one review occasion (whiskers p10 and
    p90, box p25-p75, line the median), with the program's median as a dot."""
    rows = bands[(bands["occasion"] == occasion) & bands["p50"].notna()].sort_values("item")
    fig = Figure(figsize=(max(5.0, 0.42 * len(rows) + 1.5), 3.8), dpi=110)
    ax = fig.add_subplot()
    stats: list[dict[str, Any]] = [
        {"label": str(r.item), "whislo": r.p10, "q1": r.p25, "med": r.p50, "q3": r.p75,
         "whishi": r.p90, "fliers": []}
        for r in rows.itertuples(index=False)
    ]  # fmt: skip
    if stats:
        ax.bxp(stats, showfliers=False, patch_artist=True,
               boxprops={"facecolor": "#e4f2f0", "edgecolor": ACCENT},
               medianprops={"color": ACCENT})  # fmt: skip
        if program is not None and len(program):
            medians = dict(zip(program["item"], program["program_p50"], strict=False))
            xs = [i + 1 for i, s in enumerate(stats) if medians.get(s["label"]) is not None]
            ys = [medians[s["label"]] for s in stats if medians.get(s["label"]) is not None]
            ax.scatter(xs, ys, color="#b42318", zorder=3, s=22, label="This program (median)")
            ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_ylim(0.5, 5.5)
    ax.set_ylabel("Milestone level", parse_math=False)
    ax.set_title(f"Review {occasion}: pooled levels (p10-p90)", fontsize=10, parse_math=False)
    for label in ax.get_xticklabels():
        label.set_parse_math(False)
        label.set_rotation(90)
    fig.tight_layout()
    return _png(fig)


def benchmarks_alt(bands: pd.DataFrame, *, occasion: int) -> str:
    rows = bands[(bands["occasion"] == occasion) & bands["p50"].notna()].sort_values("item")
    if rows.empty:
        return f"Benchmarks at review {occasion}: no group large enough to show."
    parts = [f"{r.item} median {r.p50:g} (p25 {r.p25:g}, p75 {r.p75:g})" for r in rows.itertuples()]
    return f"Benchmarks at review {occasion}: " + "; ".join(parts) + "."
