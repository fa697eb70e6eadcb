"""At-risk prediction: how often past learners at or below a level did not reach Level 4.

The ACGME method (the Milestones national reports' "predictive probability value"
tables; Holmboe, Yamazaki et al., milestone ratings and the attainment of Level 4 at
graduation): for each subcompetency, semiannual review occasion and rating threshold
(1.5 to 3.5), count the past learners whose level at that occasion was at or below the
threshold and how many of them ended training below Level 4. Then

    ppv = P(final < 4 | level <= t)      npv = P(final >= 4 | level > t)
    sensitivity = P(level <= t | final < 4)   specificity = P(level > t | final >= 4)

the crude odds ratio of the 2x2 table and the Mantel-Haenszel odds ratio pooled over
programs, so that the association is not an artefact of programs that rate low and
graduate low (learners are nested within programs).

A past learner on an item is one whose last rated occasion on it is the final occasion
of training: `training_occasions` when given, else the last occasion the learner's
program has in the data. The final level is the cell at that occasion; occasions before
it are predictors. Cells are those of `trellis.analytics.cells` (committee ratings when
there are any). One query counts the 2x2 tables per program; the statistics are Python.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.contingency_tables import StratifiedTable, Table2x2

from trellis.analytics.cells import cells_table
from trellis.analytics.engine import Engine
from trellis.analytics.facts import GRADUATION_TARGET

THRESHOLDS = (1.5, 2.0, 2.5, 3.0, 3.5)
COLUMNS = [
    "item",
    "occasion",
    "threshold",
    "n",
    "at_or_below",
    "not_reached",
    "at_or_below_not_reached",
    "programs",
    "ppv",
    "npv",
    "sensitivity",
    "specificity",
    "odds_ratio",
    "odds_ratio_adjusted",
]


def _max_occasion(engine: Engine) -> int:
    frame = engine.query(f"SELECT CAST(MAX(occasion) AS INTEGER) AS k FROM {cells_table(engine)}")
    value = frame["k"].iloc[0]
    return 0 if pd.isna(value) else int(value)


def counts_sql(engine: Engine, *, occasions: int, training_occasions: int | None = None) -> str:
    """The one counting query: per program x item, for each occasion k before the final
    one, n_k (past learners rated at k), nr_k (of them, final below Level 4), and per
    threshold t ab_k_t (at or below t at k) and abnr_k_t (at or below and not reached)."""
    ks = range(1, occasions + 1)
    wide = ", ".join(
        f"CAST(AVG(CASE WHEN occasion = {k} THEN level END) AS DOUBLE) AS l{k}" for k in ks
    )
    final = " ".join(f"WHEN {k} THEN l{k}" for k in ks)
    last = str(int(training_occasions)) if training_occasions else "program_last"
    below = f"final_level < {GRADUATION_TARGET}"
    sums = []
    for k in ks:
        rated = f"l{k} IS NOT NULL AND {k} < last_occasion"
        sums.append(f"CAST(SUM(CASE WHEN {rated} THEN 1 ELSE 0 END) AS BIGINT) AS n_{k}")
        sums.append(
            f"CAST(SUM(CASE WHEN {rated} AND {below} THEN 1 ELSE 0 END) AS BIGINT) AS nr_{k}"
        )
        for i, t in enumerate(THRESHOLDS):
            at = f"{rated} AND l{k} <= {t}"
            sums.append(f"CAST(SUM(CASE WHEN {at} THEN 1 ELSE 0 END) AS BIGINT) AS ab_{k}_{i}")
            sums.append(
                f"CAST(SUM(CASE WHEN {at} AND {below} THEN 1 ELSE 0 END) AS BIGINT) AS abnr_{k}_{i}"
            )
    cells = cells_table(engine)
    return (
        "WITH li AS (SELECT program, learner, item, MAX(occasion) AS last_occasion, "
        f"{wide} FROM {cells} GROUP BY program, learner, item), "
        f"programs AS (SELECT program, MAX(occasion) AS program_last FROM {cells} "
        "GROUP BY program), "
        f"past AS (SELECT li.*, CASE last_occasion {final} END AS final_level, "
        "p.program_last AS program_last FROM li "
        "JOIN programs p ON p.program = li.program) "
        f"SELECT program, item, {', '.join(sums)} FROM past "
        f"WHERE last_occasion = {last} GROUP BY program, item ORDER BY program, item"
    )


def ppv_counts(engine: Engine, *, training_occasions: int | None = None) -> pd.DataFrame:
    """The 2x2 counts per item x occasion x threshold x program (long form), rows with no
    past learner left out."""
    occasions = _max_occasion(engine)
    columns = [
        "item",
        "occasion",
        "threshold",
        "program",
        "n",
        "not_reached",
        "at_or_below",
        "at_or_below_not_reached",
    ]
    if occasions < 2:
        return pd.DataFrame(columns=columns)
    wide = engine.query(
        counts_sql(engine, occasions=occasions, training_occasions=training_occasions)
    )
    parts = []
    for k in range(1, occasions + 1):
        n = wide[f"n_{k}"].to_numpy(np.int64)
        keep = n > 0
        if not keep.any():
            continue
        for i, t in enumerate(THRESHOLDS):
            parts.append(
                pd.DataFrame(
                    {
                        "item": wide["item"].to_numpy()[keep],
                        "occasion": k,
                        "threshold": t,
                        "program": wide["program"].to_numpy()[keep],
                        "n": n[keep],
                        "not_reached": wide[f"nr_{k}"].to_numpy(np.int64)[keep],
                        "at_or_below": wide[f"ab_{k}_{i}"].to_numpy(np.int64)[keep],
                        "at_or_below_not_reached": wide[f"abnr_{k}_{i}"].to_numpy(np.int64)[keep],
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=columns)
    long = pd.concat(parts, ignore_index=True)
    long["occasion"] = long["occasion"].astype(np.int64)
    # Sort on integer codes (sorted factorisation): sorting millions of strings is slow.
    item_code = pd.factorize(long["item"], sort=True)[0]
    program_code = pd.factorize(long["program"], sort=True)[0]
    order = np.lexsort(
        (program_code, long["threshold"].to_numpy(), long["occasion"].to_numpy(), item_code)
    )
    return long.iloc[order].reset_index(drop=True)


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom else math.nan


def _finite(value: float) -> float:
    return float(value) if math.isfinite(value) else math.nan


def _statistics(a: int, b: int, c: int, d: int, strata: np.ndarray) -> dict[str, Any]:
    """One row's figures from its 2x2 table [[a, b], [c, d]] (rows: at or below the
    threshold or not; columns: did not reach Level 4 or did) and its program strata."""
    # Crude odds ratio with the Haldane-Anscombe correction: when any cell is zero, 0.5 is
    # added to every cell (statsmodels' own shift_zeros sets only the zero cells to 0.5,
    # which can turn the ratio's direction round). Null when a margin is empty.
    crude = math.nan
    if (a + b) and (c + d) and (a + c) and (b + d):
        cells = np.array([[a, b], [c, d]], dtype=np.float64)
        if cells.min() == 0:
            cells += 0.5
        crude = _finite(Table2x2(cells, shift_zeros=False).oddsratio)
    pooled = math.nan
    if strata.shape[2] > 1:
        # Mantel-Haenszel: sum(a d / n) / sum(b c / n) over programs, uncorrected (MH needs
        # no zero correction; undefined, so null, when either sum is zero).
        table = StratifiedTable(strata, shift_zeros=False)
        ad = (strata[0, 0] * strata[1, 1] / strata.sum(axis=(0, 1))).sum()
        bc = (strata[0, 1] * strata[1, 0] / strata.sum(axis=(0, 1))).sum()
        if ad > 0 and bc > 0:
            pooled = _finite(table.oddsratio_pooled)
    return {
        "ppv": _ratio(a, a + b),
        "npv": _ratio(d, c + d),
        "sensitivity": _ratio(a, a + c),
        "specificity": _ratio(d, b + d),
        "odds_ratio": crude,
        "odds_ratio_adjusted": pooled,
    }


def _wide(engine: Engine, *, training_occasions: int | None) -> tuple[pd.DataFrame, int]:
    occasions = _max_occasion(engine)
    if occasions < 2:
        return pd.DataFrame(), occasions
    sql = counts_sql(engine, occasions=occasions, training_occasions=training_occasions)
    return engine.query(sql), occasions


def ppv_table(engine: Engine, *, training_occasions: int | None = None) -> pd.DataFrame:
    """One row per item x occasion x threshold: n past learners rated at the occasion,
    at_or_below the threshold, not_reached Level 4 at graduation, at_or_below_not_reached,
    programs (strata), ppv, npv, sensitivity, specificity, odds_ratio (crude; 0.5 added
    to every cell when one is zero) and odds_ratio_adjusted (Mantel-Haenszel over
    programs; null with one program)."""
    wide, occasions = _wide(engine, training_occasions=training_occasions)
    rows = []
    items = wide["item"].to_numpy() if len(wide) else np.array([])
    column = {name: wide[name].to_numpy(np.int64) for name in wide.columns[2:]}
    for item in sorted(set(items.tolist())):
        mine = items == item
        for k in range(1, occasions + 1):
            n = column[f"n_{k}"][mine]
            keep = n > 0
            if not keep.any():
                continue
            n, nr = n[keep], column[f"nr_{k}"][mine][keep]
            for i, t in enumerate(THRESHOLDS):
                ab = column[f"ab_{k}_{i}"][mine][keep]
                a = column[f"abnr_{k}_{i}"][mine][keep]
                b, c = ab - a, nr - a
                d = n - ab - c
                strata = np.array([[a, b], [c, d]], dtype=np.float64)
                totals = (int(a.sum()), int(b.sum()), int(c.sum()), int(d.sum()))
                rows.append(
                    {
                        "item": item,
                        "occasion": k,
                        "threshold": t,
                        "n": int(n.sum()),
                        "at_or_below": int(ab.sum()),
                        "not_reached": int(nr.sum()),
                        "at_or_below_not_reached": totals[0],
                        "programs": int(keep.sum()),
                        **_statistics(*totals, strata),
                    }
                )
    table = pd.DataFrame(rows, columns=COLUMNS)
    for name in ("occasion", "n", "at_or_below", "not_reached", "at_or_below_not_reached"):
        table[name] = table[name].astype(np.int64)
    table["programs"] = table["programs"].astype(np.int64)
    return table.sort_values(["item", "occasion", "threshold"], ignore_index=True)


RiskIndex = dict[tuple[str, int], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]


def risk_index(table: pd.DataFrame) -> RiskIndex:
    """The table by (item, occasion) as arrays sorted by threshold (thresholds, at or
    below, of those not reached, ppv): `risk_lookup` over many learners then reads a few
    numbers per call instead of filtering the whole table (30 learners: 0.8 s to 10 ms)."""
    out: RiskIndex = {}
    ordered = table.sort_values(["item", "occasion", "threshold"])
    for (item, occasion), group in ordered.groupby(["item", "occasion"], sort=False):
        out[(str(item), int(str(occasion)))] = (
            group["threshold"].to_numpy(float),
            group["at_or_below"].to_numpy(np.int64),
            group["at_or_below_not_reached"].to_numpy(np.int64),
            group["ppv"].to_numpy(float),
        )
    return out


def risk_lookup(
    table: pd.DataFrame,
    *,
    item: str,
    occasion: int,
    level: float,
    min_past: int = 1,
    index: RiskIndex | None = None,
) -> dict[str, Any] | None:
    """For a current learner at `level` on `item` at review `occasion`: the row of the
    smallest threshold >= level with at least `min_past` past learners at or below it, as
    "of N past learners at or below this level at this point, x% did not reach Level 4"
    (a learner at 1.5 is also at or below 2, so when hardly anyone was ever as low as 1.5
    the figure for 2 speaks for them). None above the last threshold or with too few past
    learners. `index` (from `risk_index(table)`) answers the same, faster."""
    if index is None:
        index = risk_index(table[(table["item"] == item) & (table["occasion"] == occasion)])
    arrays = index.get((item, int(occasion)))
    if arrays is None:
        return None
    thresholds, at_or_below, not_reached, ppv = arrays
    hits = np.flatnonzero((thresholds >= level) & (at_or_below >= max(min_past, 1)))
    if not hits.size:
        return None
    first = int(hits[0])
    threshold, n, share = float(thresholds[first]), int(at_or_below[first]), float(ppv[first])
    return {
        "item": item,
        "occasion": int(occasion),
        "level": float(level),
        "threshold": threshold,
        "past_learners": n,
        "not_reached": int(not_reached[first]),
        "share": share,
        "text": (
            f"Of {n} past learners at or below Level {threshold:g} at review "
            f"{int(occasion)} on {item}, {share:.0%} did not reach Level "
            f"{GRADUATION_TARGET:g} by graduation."
        ),
    }


def _bands(table: pd.DataFrame) -> pd.DataFrame:
    """Per item x occasion, the learners in each level band (t - 0.5, t] (<= 1.5 for the
    first, > 3.5 for the last) with the prediction `risk_lookup` gives them."""
    out = []
    for (_item, _occasion), group in table.groupby(["item", "occasion"], sort=True):
        g = group.sort_values("threshold")
        ab = g["at_or_below"].to_numpy(np.int64)
        a = g["at_or_below_not_reached"].to_numpy(np.int64)
        n, nr = int(g["n"].iloc[0]), int(g["not_reached"].iloc[0])
        band_n = np.diff(np.r_[0, ab, n])
        band_nr = np.diff(np.r_[0, a, nr])
        above = (nr - a[-1]) / (n - ab[-1]) if n - ab[-1] else math.nan
        predicted = np.r_[g["ppv"].to_numpy(float), above]
        out.append(pd.DataFrame({"n": band_n, "not_reached": band_nr, "predicted": predicted}))
    if not out:
        return pd.DataFrame(columns=["n", "not_reached", "predicted"])
    bands = pd.concat(out, ignore_index=True)
    return bands[(bands["n"] > 0) & bands["predicted"].notna()]


def calibration(source: pd.DataFrame | Engine, *, bins: int = 10) -> pd.DataFrame:
    """Predicted against observed, for a calibration plot: each past learner-cell gets the
    figure `risk_lookup` would have shown (ppv at the smallest threshold >= its level, or
    1 - npv above 3.5); cells are binned by that prediction into `bins` equal-width bins of
    [0, 1]; per bin: n, mean predicted, observed share not reaching Level 4."""
    table = source if isinstance(source, pd.DataFrame) else ppv_table(source)
    bands = _bands(table)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(bands["predicted"].to_numpy(float), edges[1:-1]), 0, bins - 1)
    rows = []
    for k in range(bins):
        part = bands[index == k]
        n = int(part["n"].sum())
        rows.append(
            {
                "bin": k + 1,
                "lower": float(edges[k]),
                "upper": float(edges[k + 1]),
                "n": n,
                "predicted": float((part["predicted"] * part["n"]).sum() / n) if n else math.nan,
                "observed": float(part["not_reached"].sum() / n) if n else math.nan,
            }
        )
    frame = pd.DataFrame(rows)
    frame["n"] = frame["n"].astype(np.int64)
    return frame
