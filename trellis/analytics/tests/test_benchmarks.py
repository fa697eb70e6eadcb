"""Benchmark bands: percentiles by hand, small-cell suppression, positions, parity."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from trellis.analytics.benchmarks import (
    MINIMUM_GROUP,
    benchmarks,
    learner_position,
    program_position,
)
from trellis.analytics.engine import open_engine
from trellis.analytics.synthetic import write_synthetic
from trellis.analytics.tests.conftest import write_csv

HEADER = ["learner", "rater", "program", "item", "occasion", "level", "form_kind"]


def _hand(tmp_path: Path) -> Path:
    rows: list[list[object]] = []
    # PC1 at occasion 1: five learners in two programs, levels 1..5.
    for k, level in enumerate([1.0, 2.0, 3.0, 4.0, 5.0], start=1):
        rows.append([f"l{k}", "cc", "A" if k <= 3 else "B", "PC1", 1, level, "committee"])
    # MK1 at occasion 1: four learners only, to be suppressed.
    for k in range(1, 5):
        rows.append([f"l{k}", "cc", "A", "MK1", 1, 2.0, "committee"])
    # An observation the committee's rating overrules.
    rows.append(["l1", "r1", "A", "PC1", 1, 5.0, "observation"])
    return write_csv(tmp_path / "facts.csv", HEADER, rows)


def test_it_gives_percentile_bands_by_hand(tmp_path: Path) -> None:
    with open_engine(_hand(tmp_path)) as engine:
        frame = benchmarks(engine)
    pc1 = frame[frame["item"] == "PC1"].iloc[0]
    assert (pc1["n_learners"], pc1["n_programs"], pc1["suppressed"]) == (5, 2, False)
    assert [pc1[p] for p in ("p10", "p25", "p50", "p75", "p90")] == pytest.approx(
        [1.4, 2.0, 3.0, 4.0, 4.6]
    )


def test_it_suppresses_cells_under_five_learners(tmp_path: Path) -> None:
    assert MINIMUM_GROUP == 5
    with open_engine(_hand(tmp_path)) as engine:
        frame = benchmarks(engine)
    mk1 = frame[frame["item"] == "MK1"].iloc[0]
    assert mk1["n_learners"] == 4 and mk1["suppressed"]
    assert all(math.isnan(mk1[p]) for p in ("p10", "p25", "p50", "p75", "p90"))


def test_it_places_a_learner_by_mid_rank(tmp_path: Path) -> None:
    with open_engine(_hand(tmp_path)) as engine:
        frame = learner_position(engine, learner="l3")
    pc1 = frame[frame["item"] == "PC1"].iloc[0]
    assert (pc1["n"], pc1["below"], pc1["equal"]) == (5, 2, 1)
    assert pc1["percentile_rank"] == pytest.approx(50.0)
    assert math.isnan(frame[frame["item"] == "MK1"].iloc[0]["percentile_rank"])


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "facts.parquet"
    write_synthetic(path, programs=4, learners_per_program=12, seed=7)
    return path


def test_it_places_a_programs_median_in_the_band(small: Path) -> None:
    with open_engine(small) as engine:
        frame = program_position(engine, program="p0002")
        bands = benchmarks(engine)
    assert len(frame) == len(bands) == 22 * 6
    assert (frame["program"] == "p0002").all()
    shown = frame[frame["program_median"].notna()]
    assert len(shown) > 0 and shown["position"].notna().all()
    row = shown.iloc[0]
    assert row["p10"] <= row["p90"]
    inside = shown["position"].isin(["p10-p25", "p25-p50", "p50-p75", "p75-p90"])
    assert inside.mean() > 0.5
    # Occasions 5 and 6: only 8 learners of the program's 16 have them, still >= 5.
    assert (frame["program_learners"] >= 8).all()


def test_it_gives_the_same_bands_on_both_engines(small: Path, engines: list[str]) -> None:
    frames = []
    for name in engines:
        with open_engine(small, engine=name) as engine:
            frames.append(benchmarks(engine))
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=False, rtol=1e-9, atol=1e-9)
