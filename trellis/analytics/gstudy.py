"""Generalizability theory: how much of the spread in ratings is the learner, how much the
item, the rater or the occasion, and how many ratings a dependable decision needs.

Method: the random-effects ANOVA estimators of Cronbach et al. (1972) as set out in
Brennan, *Generalizability Theory* (Springer, 2001): chapter 3 for the balanced p x i
design (expected mean squares, Erho2 and Phi, eq. 2.35-2.36 and section 4.1), section 7.1
and Searle, Casella & McCulloch, *Variance Components* (1992) section 3.6 for the
unbalanced one-way (o:p) design with its n0 coefficient, and REML (statsmodels MixedLM,
crossed variance components in one group) for the unbalanced p x r design.

The sums of squares come from totals computed in SQL (for p x i: the sums of squared
scores, of squared learner totals and of squared item totals; levels are small numbers,
so the closed form keeps about twelve significant digits on tens of millions of cells),
so only a few numbers per occasion or item reach Python.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from trellis.analytics.cells import cells_table, rated
from trellis.analytics.engine import Engine
from trellis.analytics.facts import COMMITTEE, FactError

DESIGNS = ("p x i", "o:p", "p x r")
TARGETS = (0.7, 0.8)
# The p x r fit pulls its cell rows into memory: a program's worth, not a consortium's.
MAX_PXR_CELLS = 50_000

COLUMNS = [
    "design",
    "item",
    "occasion",
    "n_learners",
    "n_facet",
    "var_p",
    "var_facet",
    "var_residual",
    "g",
    "phi",
    "needed_g70",
    "needed_g80",
    "truncated",
]


def observed(prefix: str = "") -> str:
    """SQL predicate for rated observation rows (workplace-based assessments, not the
    committee's judgement)."""
    return f"COALESCE({prefix}form_kind, '') <> '{COMMITTEE}' AND {rated(prefix)}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def observations_needed(var_p: float, var_error: float, target: float) -> int | None:
    """D-study (Brennan 2001, section 4.1): the smallest n with
    var_p / (var_p + var_error / n) >= target; None when there is no universe-score
    variance to find."""
    if not 0 < target < 1:
        raise ValueError("target is a coefficient between 0 and 1")
    if not (math.isfinite(var_p) and math.isfinite(var_error)) or var_p <= 0:
        return None
    if var_error <= 0:
        return 1

    def coefficient(n: int) -> float:
        return var_p / (var_p + var_error / n)

    n = max(1, math.ceil(target * var_error / ((1 - target) * var_p)))
    while coefficient(n) < target:
        n += 1
    while n > 1 and coefficient(n - 1) >= target:
        n -= 1
    return n


@dataclass(frozen=True)
class Components:
    """Variance components of one analysis, and the facet count coefficients use."""

    n_learners: int
    n_facet: float
    var_p: float
    var_facet: float
    var_residual: float
    truncated: bool


def _truncate(*values: float) -> tuple[list[float], bool]:
    """Negative estimates are set to 0 (Brennan 2001, section 3.4) and flagged."""
    kept = [max(v, 0.0) if math.isfinite(v) else v for v in values]
    return kept, any(math.isfinite(v) and v < 0 for v in values)


def pxi_components(*, n_p: int, n_i: int, ss_p: float, ss_i: float, ss_pi: float) -> Components:
    """Balanced p x i, one score per cell: EMS equations of Brennan (2001) table 3.1."""
    nan = float("nan")
    if n_p < 2 or n_i < 2:
        return Components(n_p, float(n_i), nan, nan, nan, False)
    ms_p = ss_p / (n_p - 1)
    ms_i = ss_i / (n_i - 1)
    ms_pi = ss_pi / ((n_p - 1) * (n_i - 1))
    (var_p, var_i, var_pi), truncated = _truncate((ms_p - ms_pi) / n_i, (ms_i - ms_pi) / n_p, ms_pi)
    return Components(n_p, float(n_i), var_p, var_i, var_pi, truncated)


def one_way_components(
    *, n_groups: int, n_total: int, sum_sq_sizes: float, ss_between: float, ss_within: float
) -> Components:
    """Unbalanced one-way random effects ANOVA (Searle et al. 1992, section 3.6): var_group =
    (MS_between - MS_within) / n0 with n0 = (N - sum n_j^2 / N) / (a - 1)."""
    nan = float("nan")
    mean_size = n_total / n_groups if n_groups else nan
    if n_groups < 2 or n_total <= n_groups:
        return Components(n_groups, mean_size, nan, nan, nan, False)
    ms_b = ss_between / (n_groups - 1)
    ms_w = ss_within / (n_total - n_groups)
    n0 = (n_total - sum_sq_sizes / n_total) / (n_groups - 1)
    (var_g, var_w), truncated = _truncate((ms_b - ms_w) / n0, ms_w)
    return Components(n_groups, mean_size, var_g, nan, var_w, truncated)


def _row(design: str, item: str, occasion: int | None, c: Components) -> dict[str, object]:
    relative = c.var_residual
    absolute = c.var_residual + (c.var_facet if math.isfinite(c.var_facet) else 0.0)
    valid = c.n_facet > 0 and math.isfinite(c.var_p) and c.var_p + relative > 0
    g = c.var_p / (c.var_p + relative / c.n_facet) if valid else float("nan")
    phi = c.var_p / (c.var_p + absolute / c.n_facet) if valid else float("nan")
    needed = [observations_needed(c.var_p, relative, t) for t in TARGETS]
    return {
        "design": design,
        "item": item,
        "occasion": occasion,
        "n_learners": c.n_learners,
        "n_facet": c.n_facet,
        "var_p": c.var_p,
        "var_facet": c.var_facet,
        "var_residual": c.var_residual,
        "g": g,
        "phi": phi,
        "needed_g70": needed[0],
        "needed_g80": needed[1],
        "truncated": c.truncated,
    }


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["occasion"] = frame["occasion"].astype("Int64")
    for column in ("n_learners", "needed_g70", "needed_g80"):
        frame[column] = frame[column].astype("Int64")
    for column in ("n_facet", "var_p", "var_facet", "var_residual", "g", "phi"):
        frame[column] = frame[column].astype("float64")
    frame["truncated"] = frame["truncated"].astype(bool)
    return frame


def _pxi_sql(engine: Engine) -> str:
    """Per occasion, from the cells of learners rated on every item there: n_p, n_i, the
    total T, the sum of squared scores Q and the sums of squared learner (P) and item (I)
    totals, which give the sums of squares in closed form (`_pxi`). One grouping per
    facet over the shared cells table; the item totals of the few incomplete learners
    are subtracted rather than the complete ones joined."""
    cells = cells_table(engine)
    return f"""
WITH items AS (SELECT occasion, COUNT(DISTINCT item) AS n_i FROM {cells} GROUP BY occasion),
per_learner AS (
  SELECT occasion, learner, COUNT(*) AS k, SUM(level) AS s, SUM(level * level) AS q
  FROM {cells} GROUP BY occasion, learner),
complete AS (
  SELECT p.occasion, p.learner, p.s, p.q, n.n_i FROM per_learner p
  JOIN items n ON n.occasion = p.occasion WHERE p.k = n.n_i),
partial AS (
  SELECT p.occasion, p.learner FROM per_learner p
  JOIN items n ON n.occasion = p.occasion WHERE p.k < n.n_i),
all_items AS (SELECT occasion, item, SUM(level) AS s FROM {cells} GROUP BY occasion, item),
partial_items AS (
  SELECT c.occasion, c.item, SUM(c.level) AS s FROM {cells} c
  JOIN partial k ON k.occasion = c.occasion AND k.learner = c.learner
  GROUP BY c.occasion, c.item),
per_item AS (
  SELECT a.occasion, a.item, a.s - COALESCE(b.s, 0) AS s FROM all_items a
  LEFT JOIN partial_items b ON b.occasion = a.occasion AND b.item = a.item),
learners AS (
  SELECT occasion, CAST(COUNT(*) AS BIGINT) AS n_p, MAX(n_i) AS n_i,
  CAST(SUM(s) AS DOUBLE) AS total, CAST(SUM(q) AS DOUBLE) AS sum_sq,
  CAST(SUM(s * s) AS DOUBLE) AS learner_sq
  FROM complete GROUP BY occasion),
item_totals AS (
  SELECT occasion, CAST(SUM(s * s) AS DOUBLE) AS item_sq FROM per_item GROUP BY occasion)
SELECT l.occasion AS occasion, l.n_p AS n_p, CAST(l.n_i AS BIGINT) AS n_i, l.total AS total,
  l.sum_sq AS sum_sq, l.learner_sq AS learner_sq, i.item_sq AS item_sq
FROM learners l JOIN item_totals i ON i.occasion = l.occasion
ORDER BY l.occasion
"""


def _pxi(engine: Engine) -> pd.DataFrame:
    rows = []
    for rec in engine.query(_pxi_sql(engine)).to_dict("records"):
        n_p, n_i = int(rec["n_p"]), int(rec["n_i"])
        correction = float(rec["total"]) ** 2 / (n_p * n_i)
        learner_part = float(rec["learner_sq"]) / n_i
        item_part = float(rec["item_sq"]) / n_p
        c = pxi_components(
            n_p=n_p,
            n_i=n_i,
            ss_p=max(learner_part - correction, 0.0),
            ss_i=max(item_part - correction, 0.0),
            ss_pi=max(float(rec["sum_sq"]) - learner_part - item_part + correction, 0.0),
        )
        rows.append(_row("p x i", "*", int(rec["occasion"]), c))
    return _frame(rows)


def _item_filter(item: str | None) -> str:
    return "" if item is None else f" AND item = {_literal(item)}"


def _op_sql(item: str | None) -> str:
    return f"""
WITH obs AS (
  SELECT item, learner, CAST(level AS DOUBLE) AS level FROM facts
  WHERE {observed()}{_item_filter(item)}),
grp AS (
  SELECT item, learner, CAST(COUNT(*) AS BIGINT) AS n, AVG(level) AS m,
  CAST(COALESCE(VAR_SAMP(level), 0) * (COUNT(*) - 1) AS DOUBLE) AS ss
  FROM obs GROUP BY item, learner),
gm AS (SELECT item, AVG(level) AS m FROM obs GROUP BY item)
SELECT g.item AS item, CAST(COUNT(*) AS BIGINT) AS n_groups,
  CAST(SUM(g.n) AS BIGINT) AS n_total,
  CAST(SUM(CAST(g.n AS DOUBLE) * CAST(g.n AS DOUBLE)) AS DOUBLE) AS sum_sq_sizes,
  CAST(SUM(g.n * (g.m - t.m) * (g.m - t.m)) AS DOUBLE) AS ss_between,
  CAST(SUM(g.ss) AS DOUBLE) AS ss_within
FROM grp g JOIN gm t ON t.item = g.item
GROUP BY g.item
ORDER BY g.item
"""


def _op(engine: Engine, item: str | None) -> pd.DataFrame:
    rows = []
    for rec in engine.query(_op_sql(item)).to_dict("records"):
        c = one_way_components(
            n_groups=int(rec["n_groups"]),
            n_total=int(rec["n_total"]),
            sum_sq_sizes=float(rec["sum_sq_sizes"]),
            ss_between=float(rec["ss_between"]),
            ss_within=float(rec["ss_within"]),
        )
        rows.append(_row("o:p", str(rec["item"]), None, c))
    return _frame(rows)


def pxr_components(cells: pd.DataFrame) -> Components:
    """Unbalanced p x r (columns learner, rater, score; one score per cell) by REML:
    statsmodels MixedLM with learner and rater as crossed variance components of a single
    group (the statsmodels documentation's recipe for crossed random effects)."""
    n_p = int(cells["learner"].nunique())
    n_r = int(cells["rater"].nunique())
    mean_raters = len(cells) / n_p if n_p else float("nan")
    nan = float("nan")
    if n_p < 2 or n_r < 2 or len(cells) <= n_p + n_r:
        return Components(n_p, mean_raters, nan, nan, nan, False)
    data = cells.assign(one=1)
    model = sm.MixedLM.from_formula(
        "score ~ 1",
        groups="one",
        vc_formula={"learner": "0 + C(learner)", "rater": "0 + C(rater)"},
        data=data,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(reml=True, method=["lbfgs", "powell"])
    vc = dict(zip(model.exog_vc.names, np.asarray(fit.vcomp, dtype=float), strict=True))
    (var_p, var_r, var_pr), truncated = _truncate(vc["learner"], vc["rater"], float(fit.scale))
    return Components(n_p, mean_raters, var_p, var_r, var_pr, truncated)


def _pxr(engine: Engine, item: str | None) -> pd.DataFrame:
    where = f"{observed()} AND rater IS NOT NULL{_item_filter(item)}"
    cell_sql = (
        "SELECT item, learner, rater, AVG(CAST(level AS DOUBLE)) AS score FROM facts "
        f"WHERE {where} GROUP BY item, learner, rater"
    )
    count = engine.query(f"SELECT CAST(COUNT(*) AS BIGINT) AS n FROM ({cell_sql}) c")
    if int(count["n"].iloc[0]) > MAX_PXR_CELLS:
        raise FactError(
            f"p x r fits at most {MAX_PXR_CELLS} learner x rater cells: "
            "run it per program, or per item"
        )
    cells = engine.query(f"{cell_sql} ORDER BY item, learner, rater")
    # The engines may differ in the last bit of a mean; the fit should not.
    cells["score"] = cells["score"].astype(float).round(10)
    rows = [
        _row("p x r", str(name), None, pxr_components(group.reset_index(drop=True)))
        for name, group in cells.groupby("item", sort=True)
    ]
    return _frame(rows)


def gstudy(engine: Engine, *, design: str = "p x i", item: str | None = None) -> pd.DataFrame:
    """One row per occasion (p x i) or item (o:p, p x r): the variance components, g
    (Erho2) and phi for the facet count observed, and the D-study counts needed for
    g >= 0.7 and 0.8. `item` limits a per-item design to one item."""
    if design not in DESIGNS:
        raise ValueError(f"unknown design {design!r}: choose one of {', '.join(DESIGNS)}")
    if design == "p x i":
        if item is not None:
            raise ValueError("p x i crosses every item; give item only to o:p or p x r")
        return _pxi(engine)
    if design == "o:p":
        return _op(engine, item)
    return _pxr(engine, item)
