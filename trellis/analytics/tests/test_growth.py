"""Growth curves: simulated slopes recovered, slow learners flagged, parity, small programs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trellis.analytics.engine import open_engine
from trellis.analytics.growth import (
    FAMILY_MEDICINE_GROWTH_CURVE_RELIABILITY,
    FAMILY_MEDICINE_GROWTH_RATE_RELIABILITY,
    growth,
)
from trellis.analytics.synthetic import synthetic_truth, write_synthetic
from trellis.analytics.tests.conftest import write_csv

DESIGN = {"programs": 3, "learners_per_program": 30, "seed": 1}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("growth") / "facts.parquet"
    write_synthetic(path, **DESIGN)
    return path


@pytest.fixture(scope="module")
def fitted(small: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with open_engine(small) as engine:
        return growth(engine)


def test_it_recovers_the_simulated_slopes(fitted: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    programs, learners = fitted
    assert list(programs["program"]) == ["p0001", "p0002", "p0003"]
    assert programs["converged"].all()
    truth = synthetic_truth(**DESIGN).learners
    joined = learners.merge(truth, on=["program", "learner"])
    assert len(joined) == len(truth) == 120
    assert np.corrcoef(joined["slope"], joined["slope_per_year"])[0, 1] > 0.7
    # Mean slope close to the simulated one (levels a year).
    assert programs["slope"].mean() == pytest.approx(truth["slope_per_year"].mean(), abs=0.15)


def test_it_flags_the_slow_learners_better_than_chance(
    fitted: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    _, learners = fitted
    truth = synthetic_truth(**DESIGN).learners
    joined = learners.merge(truth, on=["program", "learner"])
    flagged = joined[joined["falling_behind"]]
    assert joined["slow"].sum() >= 5
    assert flagged["slow"].mean() > 2.5 * joined["slow"].mean()  # precision vs base rate
    assert joined.loc[joined["slow"], "falling_behind"].mean() > 0.5  # recall
    assert (learners["falling_behind"] == (learners["predicted_final"] < 4.0)).all()
    assert (learners["n_points"] >= 1).all() and learners["last_level"].between(1, 5).all()


def test_it_reports_reliabilities_beside_the_anchors(
    fitted: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    programs, _ = fitted
    assert programs["growth_rate_reliability"].between(0.2, 1).all()
    assert programs["growth_curve_reliability"].between(0.5, 1).all()
    assert (programs["growth_curve_reliability"] > programs["growth_rate_reliability"]).all()
    assert (FAMILY_MEDICINE_GROWTH_RATE_RELIABILITY, FAMILY_MEDICINE_GROWTH_CURVE_RELIABILITY) == (
        0.63,
        0.91,
    )


def test_it_fits_one_program_when_asked(small: Path) -> None:
    with open_engine(small) as engine:
        programs, learners = growth(engine, program="p0002")
    assert list(programs["program"]) == ["p0002"]
    assert set(learners["program"]) == {"p0002"}


def test_it_leaves_a_program_too_small_to_fit_without_figures(tmp_path: Path) -> None:
    header = ["learner", "rater", "program", "item", "occasion", "month_in_training", "level"]
    rows = [
        [who, "r", "tiny", "PC1", k, 6 * k, 1.5 + 0.5 * k + (0.5 if who == "b" else 0)]
        for who in ("a", "b")
        for k in (1, 2, 3)
    ]
    with open_engine(write_csv(tmp_path / "f.csv", header, rows)) as engine:
        programs, learners = growth(engine)
    assert programs.loc[0, "learners"] == 2
    assert not programs.loc[0, "converged"]
    assert np.isnan(programs.loc[0, "growth_rate_reliability"])
    assert learners.empty


def test_it_gives_the_same_curves_on_both_engines(small: Path, engines: list[str]) -> None:
    results = []
    for name in engines:
        with open_engine(small, engine=name) as engine:
            results.append(growth(engine, program="p0001"))
    for one, two in zip(results[0], results[1], strict=True):
        pd.testing.assert_frame_equal(one, two, check_exact=False, rtol=1e-9, atol=1e-9)
