"""Growth curves: each learner's milestone trajectory and how reliably it is measured.

Method: a linear mixed model per program (Raudenbush & Bryk, Hierarchical Linear Models,
ch. 6; statsmodels MixedLM, REML),

    level_ij = (b0 + u0_i) + (b1 + u1_i) * years_ij + e_ij,

on each learner's mean level at each month in training, with a random intercept and slope
per learner. Time is in years (month_in_training / 12) so the slope reads "levels a year".
A learner's points are the committee's ratings once the committee has rated them at two
months or more; before that (a first-year resident, a program new to Trellis) they are
the learner's observed workplace ratings, so a curve rests on more than one point.

Reliabilities (Willett 1989; Raudenbush & Bryk): for learner i with n_i points at times
t_ij and SS_i = sum (t_ij - mean t_i)^2,

    growth rate:   tau11 / (tau11 + sigma2 / SS_i)
    growth curve:  v_T / (v_T + sigma2 * (1/n_i + (T - mean t_i)^2 / SS_i)),
                   v_T = tau00 + 2 T tau01 + T^2 tau11,

the reliability of the learner's own OLS slope and of the OLS-predicted level at the end
of training T, each averaged over the program's learners with SS_i > 0. The anchors are
the figures a published family medicine milestone growth-curve study reported.

A learner is `falling_behind` when the model's predicted level at the end of training
(BLUP intercept + slope * T) is below Level 4: one rule, against the graduation target
itself, so it reads the same in every program (a bottom-decile slope rule would flag a
tenth of every program, however well it does). T is the program's length: the last month
in training its data reach, rounded up to whole years and at least three (the shortest
residency), so a program whose learners are all still in training is projected to the
end of training and not to today.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from trellis.analytics.cells import RATED
from trellis.analytics.engine import Engine
from trellis.analytics.facts import COMMITTEE, GRADUATION_TARGET

# Published anchors, family medicine milestones: reliability of the growth rate and of
# the growth curve. A program's figures are read against these.
FAMILY_MEDICINE_GROWTH_RATE_RELIABILITY = 0.63
FAMILY_MEDICINE_GROWTH_CURVE_RELIABILITY = 0.91
MINIMUM_LEARNERS = 3  # fewer learners than this: no model is fitted
SHORTEST_TRAINING_YEARS = 3

PROGRAM_COLUMNS = [
    "program",
    "learners",
    "points",
    "training_years",
    "intercept",
    "slope",
    "var_intercept",
    "var_slope",
    "cov_intercept_slope",
    "residual",
    "growth_rate_reliability",
    "growth_curve_reliability",
    "converged",
]
LEARNER_COLUMNS = [
    "program",
    "learner",
    "intercept",
    "slope",
    "predicted_final",
    "falling_behind",
    "n_points",
    "last_month",
    "last_level",
]


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def points(engine: Engine, *, program: str | None = None) -> pd.DataFrame:
    """Learner x month mean levels: program, learner, month, level, n. Committee ratings
    for a learner the committee has rated at two months or more, else observations."""
    where = RATED + " AND month_in_training IS NOT NULL"
    if program is not None:
        where += f" AND program = {_quote(program)}"
    frame = engine.query(f"""
        WITH pts AS (
          SELECT program, learner, CAST(month_in_training AS INTEGER) AS month,
            COALESCE(form_kind, '') = '{COMMITTEE}' AS committee,
            CAST(AVG(level) AS DOUBLE) AS level, CAST(COUNT(*) AS BIGINT) AS n
          FROM facts WHERE {where}
          GROUP BY program, learner, month_in_training, COALESCE(form_kind, '') = '{COMMITTEE}'),
        source AS (
          SELECT program, learner,
            COUNT(DISTINCT CASE WHEN committee THEN month END) >= 2 AS committee
          FROM pts GROUP BY program, learner)
        SELECT p.program, p.learner, p.month, p.level, p.n
        FROM pts p JOIN source s ON s.program = p.program AND s.learner = p.learner
        WHERE p.committee = s.committee
        ORDER BY p.program, p.learner, p.month
    """)
    frame["month"] = frame["month"].astype(np.int64)
    frame["n"] = frame["n"].astype(np.int64)
    return frame


def training_length(last_month: int) -> int:
    """The program's length in years, from the last month in training its data reach."""
    return max(SHORTEST_TRAINING_YEARS, math.ceil(last_month / 12))


def _reliabilities(
    data: pd.DataFrame, *, cov: np.ndarray, sigma2: float, end: float
) -> tuple[float, float]:
    stats = data.groupby("learner")["years"].agg(["count", "mean", "var"])
    ss = stats["var"].fillna(0.0) * (stats["count"] - 1)
    ok = ss > 0
    if not ok.any():
        return math.nan, math.nan
    ss, n, mean = ss[ok], stats["count"][ok], stats["mean"][ok]
    tau00, tau01, tau11 = float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])
    rate = tau11 / (tau11 + sigma2 / ss)
    v_end = tau00 + 2 * end * tau01 + end**2 * tau11
    curve = v_end / (v_end + sigma2 * (1 / n + (end - mean) ** 2 / ss))
    return float(rate.mean()), float(curve.mean())


def _fit(data: pd.DataFrame) -> Any:
    model = smf.mixedlm("level ~ years", data, groups=data["learner"], re_formula="~years")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return model.fit(reml=True, method=["lbfgs", "powell"])
        except (np.linalg.LinAlgError, ValueError):
            return None


def _program(name: str, data: pd.DataFrame) -> tuple[dict[str, Any], pd.DataFrame]:
    data = data.assign(years=data["month"] / 12.0)
    end = float(training_length(int(data["month"].max())))
    summary: dict[str, Any] = dict.fromkeys(PROGRAM_COLUMNS, math.nan)
    summary.update(
        program=name,
        learners=int(data["learner"].nunique()),
        points=len(data),
        training_years=end,
        converged=False,
    )
    last = data.groupby("learner").agg(
        n_points=("month", "size"), last_month=("month", "max"), last_level=("level", "last")
    )
    result = None
    if summary["learners"] >= MINIMUM_LEARNERS and data["month"].nunique() >= 2:
        result = _fit(data)
    if result is None:
        return summary, pd.DataFrame()
    b0, b1 = (float(v) for v in result.fe_params.iloc[:2])
    cov = np.asarray(result.cov_re, dtype=float)
    sigma2 = float(result.scale)
    rate, curve = _reliabilities(data, cov=cov, sigma2=sigma2, end=end)
    summary.update(
        intercept=b0,
        slope=b1,
        var_intercept=float(cov[0, 0]),
        var_slope=float(cov[1, 1]),
        cov_intercept_slope=float(cov[0, 1]),
        residual=sigma2,
        growth_rate_reliability=rate,
        growth_curve_reliability=curve,
        converged=bool(result.converged),
    )
    effects = pd.DataFrame(
        {k: np.asarray(v, dtype=float)[:2] for k, v in result.random_effects.items()}
    ).T
    learners = last.join(effects.rename(columns={0: "u0", 1: "u1"}), how="left")
    learners["intercept"] = b0 + learners["u0"].fillna(0.0)
    learners["slope"] = b1 + learners["u1"].fillna(0.0)
    learners["predicted_final"] = learners["intercept"] + learners["slope"] * end
    learners["falling_behind"] = learners["predicted_final"] < GRADUATION_TARGET
    learners["program"] = name
    learners = learners.reset_index().rename(columns={"index": "learner"})
    return summary, learners[LEARNER_COLUMNS]


def growth(engine: Engine, *, program: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(programs, learners): per program the fixed effects, variance components and the
    two reliabilities (against the family medicine anchors); per learner the BLUP
    intercept and slope (levels a year), the predicted level at the end of training,
    `falling_behind` (predicted below Level 4) and the evidence (points, last level).
    Programs too small to fit (< MINIMUM_LEARNERS) have null figures and no learner rows."""
    data = points(engine, program=program)
    summaries, learners = [], []
    for name, group in data.groupby("program", sort=True):
        summary, rows = _program(str(name), group.reset_index(drop=True))
        summaries.append(summary)
        if len(rows):
            learners.append(rows)
    programs = pd.DataFrame(summaries, columns=PROGRAM_COLUMNS)
    for column in ("learners", "points"):
        programs[column] = programs[column].astype(np.int64)
    programs["converged"] = programs["converged"].astype(bool)
    people = (
        pd.concat(learners, ignore_index=True)
        if learners
        else pd.DataFrame(columns=LEARNER_COLUMNS)
    )
    people = people.sort_values(["program", "learner"], ignore_index=True)
    for column in ("n_points", "last_month"):
        people[column] = people[column].astype(np.int64)
    people["falling_behind"] = people["falling_behind"].astype(bool)
    return programs, people
