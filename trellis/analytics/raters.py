"""Rater analytics: how harsh each rater is once the learners they happened to rate are
taken into account, and how they use the scale.

Severity method (closed form at any size; the SQL does the heavy part): the model is
level = cell + rater + e, with each learner x item x occasion cell a fixed effect (so the
learner's ability, the item's difficulty and the learner's stage drop out, and a rater
who only sees strong learners is not mistaken for a lenient one) and raters random.

1. SQL gives, for cells rated by at least two raters, each rater's sum of residuals from
   the cell means, and for each pair of raters sharing cells sum_c n_cj n_ck / n_c.
2. The o:r one-way random effects ANOVA of the residuals (unbalanced, n0 coefficient;
   Searle, Casella & McCulloch, *Variance Components*, 1992, section 3.6) gives var_r and
   var_e, hence the shrinkage lambda = var_e / var_r (a plug-in, not REML).
3. Henderson's mixed model equations with the cells absorbed (Henderson, *Applications of
   Linear Models in Animal Breeding*, 1984, ch. 5) are a sparse rater x rater system
   (C + lambda I) u = residual sums, solved with scipy: u are the BLUPs (empirical-Bayes
   shrunken effects), severity = -u in levels (higher = harsher). A rater never sharing a
   cell with another gets the prior: severity 0, severity_se sqrt(var_r).

The tests check recovery on simulated raters with confounded assignment, and agreement with
the random rater intercepts of a statsmodels MixedLM (learner and rater crossed).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from trellis.analytics.cells import rated
from trellis.analytics.engine import Engine
from trellis.analytics.facts import COMMITTEE
from trellis.analytics.gstudy import one_way_components

COLUMNS = [
    "rater",
    "program",
    "n",
    "learners",
    "assessments",
    "mean_level",
    "sd_level",
    "severity",
    "severity_se",
    "compared",
    "not_observed_share",
    "straightline_share",
    "range_used",
    "mean_comment_chars",
]

_RATED = rated()
_OBS = f"SELECT * FROM facts WHERE COALESCE(form_kind, '') <> '{COMMITTEE}' AND rater IS NOT NULL"

_PROFILE_SQL = f"""
WITH obs AS ({_OBS}),
rated AS (SELECT * FROM obs WHERE {_RATED}),
base AS (
  SELECT rater, CAST(COUNT(DISTINCT learner) AS BIGINT) AS learners,
  CAST(COUNT(DISTINCT assessment) AS BIGINT) AS assessments,
  CAST(AVG(CASE WHEN COALESCE(not_observed, FALSE) THEN 1.0 ELSE 0.0 END) AS DOUBLE)
    AS not_observed_share
  FROM obs GROUP BY rater),
scale AS (
  SELECT rater, CAST(COUNT(*) AS BIGINT) AS n, CAST(AVG(level) AS DOUBLE) AS mean_level,
  CAST(STDDEV_SAMP(level) AS DOUBLE) AS sd_level,
  CAST(MAX(level) - MIN(level) AS DOUBLE) AS range_used
  FROM rated GROUP BY rater),
per_program AS (SELECT rater, COALESCE(program, '') AS program, COUNT(*) AS k
  FROM obs GROUP BY rater, COALESCE(program, '')),
home AS (SELECT rater, program FROM (
  SELECT rater, program, ROW_NUMBER() OVER (PARTITION BY rater ORDER BY k DESC, program)
  AS rn FROM per_program) ranked WHERE rn = 1),
form AS (
  SELECT o.rater, o.assessment, MAX(o.comment_chars) AS chars,
  COUNT(DISTINCT CASE WHEN {_RATED} THEN o.item END) AS items,
  MIN(CASE WHEN {_RATED} THEN o.level END) AS lo,
  MAX(CASE WHEN {_RATED} THEN o.level END) AS hi
  FROM obs o WHERE o.assessment IS NOT NULL GROUP BY o.rater, o.assessment),
forms AS (
  SELECT rater, CAST(AVG(CAST(chars AS DOUBLE)) AS DOUBLE) AS mean_comment_chars,
  CAST(SUM(CASE WHEN items >= 2 THEN 1 ELSE 0 END) AS BIGINT) AS multi,
  CAST(SUM(CASE WHEN items >= 2 AND lo = hi THEN 1 ELSE 0 END) AS BIGINT) AS straight
  FROM form GROUP BY rater)
SELECT b.rater AS rater, h.program AS program, CAST(COALESCE(s.n, 0) AS BIGINT) AS n,
  b.learners AS learners, b.assessments AS assessments, s.mean_level AS mean_level,
  s.sd_level AS sd_level, b.not_observed_share AS not_observed_share,
  s.range_used AS range_used, f.mean_comment_chars AS mean_comment_chars,
  CAST(COALESCE(f.multi, 0) AS BIGINT) AS multi,
  CAST(COALESCE(f.straight, 0) AS BIGINT) AS straight
FROM base b
JOIN home h ON h.rater = b.rater
LEFT JOIN scale s ON s.rater = b.rater
LEFT JOIN forms f ON f.rater = b.rater
ORDER BY b.rater
"""

_CELLS = f"""
WITH rated AS ({_OBS} AND {_RATED}),
cr AS (
  SELECT rater, learner, item, occasion, SUM(CAST(level AS DOUBLE)) AS s,
  SUM(CAST(level AS DOUBLE) * CAST(level AS DOUBLE)) AS s2, COUNT(*) AS n
  FROM rated GROUP BY rater, learner, item, occasion),
cell AS (
  SELECT learner, item, occasion, SUM(s) AS s, CAST(SUM(n) AS DOUBLE) AS n FROM cr
  GROUP BY learner, item, occasion HAVING COUNT(*) >= 2),
shared AS (
  SELECT cr.rater, cr.learner, cr.item, cr.occasion, CAST(cr.n AS DOUBLE) AS n, cr.s,
  cr.s2, c.s / c.n AS cell_mean, c.n AS cell_n
  FROM cr JOIN cell c ON c.learner = cr.learner AND c.item = cr.item
  AND c.occasion = cr.occasion)"""

# Per rater: ratings in shared cells, and the sum and sum of squares of their residuals
# from the cell means (the right-hand side of the absorbed normal equations).
_RESIDUAL_SQL = f"""{_CELLS}
SELECT rater, CAST(SUM(n) AS BIGINT) AS compared,
  CAST(SUM(s - n * cell_mean) AS DOUBLE) AS rhs,
  CAST(SUM(s2 - 2 * cell_mean * s + n * cell_mean * cell_mean) AS DOUBLE) AS ss
FROM shared GROUP BY rater ORDER BY rater
"""

# Pairs of raters sharing cells: sum over the cells of n_cj * n_ck / n_c (j = k included).
_PAIRS_SQL = f"""{_CELLS}
SELECT a.rater AS rater_a, b.rater AS rater_b,
  CAST(SUM(a.n * b.n / a.cell_n) AS DOUBLE) AS w
FROM shared a JOIN shared b ON a.learner = b.learner AND a.item = b.item
  AND a.occasion = b.occasion
GROUP BY a.rater, b.rater ORDER BY a.rater, b.rater
"""


def rater_components(residuals: pd.DataFrame) -> tuple[float, float]:
    """var_r and var_e from the o:r one-way random effects ANOVA of the rating residuals
    (columns compared, rhs, ss per rater), negative var_r set to 0."""
    n = residuals["compared"].to_numpy(dtype=float)
    total = residuals["rhs"].to_numpy(dtype=float)
    means = np.divide(total, n, out=np.zeros_like(total), where=n > 0)
    n_total = float(n.sum())
    grand = float(total.sum() / n_total) if n_total else 0.0
    c = one_way_components(
        n_groups=int((n > 0).sum()),
        n_total=int(n_total),
        sum_sq_sizes=float((n**2).sum()),
        ss_between=float((n * (means - grand) ** 2).sum()),
        ss_within=float((residuals["ss"].to_numpy(dtype=float) - n * means**2).sum()),
    )
    return c.var_p, c.var_residual


def severity_blup(residuals: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Rater effects as BLUPs of the model level = cell + rater + e, with the
    learner x item x occasion cells fixed and raters random (Henderson's mixed model
    equations with the cells absorbed): (C + lambda I) u = Z'My, where
    C_jk = [j = k] n_j - sum_c n_cj n_ck / n_c, Z'My is each rater's sum of residuals from
    the cell means and lambda = var_e / var_r. severity = -u; severity_se is
    sqrt(var_e / (C_jj + lambda)), the prediction error ignoring the off-diagonal terms."""
    from scipy.sparse import coo_matrix, identity
    from scipy.sparse.linalg import spsolve

    raters = residuals["rater"].to_numpy()
    index = {r: i for i, r in enumerate(raters)}
    var_r, var_e = rater_components(residuals)
    size = len(raters)
    if not (math.isfinite(var_r) and math.isfinite(var_e)) or var_r <= 0 or var_e <= 0:
        zero = np.zeros(size)
        return pd.DataFrame({"rater": raters, "severity": zero, "severity_se": zero})
    lam = var_e / var_r
    rows = pairs["rater_a"].map(index).to_numpy()
    cols = pairs["rater_b"].map(index).to_numpy()
    w = coo_matrix((pairs["w"].to_numpy(dtype=float), (rows, cols)), shape=(size, size))
    n = residuals["compared"].to_numpy(dtype=float)
    system = (-w.tocsr()) + coo_matrix((n, (np.arange(size), np.arange(size)))).tocsr()
    diagonal = system.diagonal()
    u = spsolve((system + lam * identity(size, format="csr")).tocsc(), residuals["rhs"])
    return pd.DataFrame(
        {
            "rater": raters,
            "severity": -np.atleast_1d(u),
            "severity_se": np.sqrt(var_e / (diagonal + lam)),
            "prior_se": math.sqrt(var_r),
        }
    )


def rater_severity(engine: Engine) -> pd.DataFrame:
    """One row per rater (observation rows only): volume, scale use, the share of their
    multi-item assessments that give one level to every item (straight-lining), and the
    severity adjusted for the learners they rated (method in the module docstring)."""
    profile = engine.query(_PROFILE_SQL)
    residuals = engine.query(_RESIDUAL_SQL)
    shrunk = severity_blup(residuals, engine.query(_PAIRS_SQL)) if len(residuals) else None
    frame = profile.merge(residuals[["rater", "compared"]], on="rater", how="left", sort=False)
    if shrunk is not None:
        prior = float(shrunk["prior_se"].iloc[0]) if "prior_se" in shrunk else 0.0
        frame = frame.merge(
            shrunk.drop(columns="prior_se", errors="ignore"), on="rater", how="left"
        )
        frame["severity"] = frame["severity"].fillna(0.0)
        frame["severity_se"] = frame["severity_se"].fillna(prior)
    else:
        frame["severity"] = float("nan")
        frame["severity_se"] = float("nan")
    frame["compared"] = frame["compared"].fillna(0).astype("int64")
    multi = frame["multi"].to_numpy(dtype=float)
    straight = frame["straight"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["straightline_share"] = np.where(multi > 0, straight / multi, np.nan)
    for column in ("n", "learners", "assessments"):
        frame[column] = frame[column].astype("int64")
    frame = frame.sort_values("rater", kind="stable").reset_index(drop=True)
    return frame[COLUMNS]
