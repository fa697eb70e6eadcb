"""PPV at-risk table: hand-counted 2x2 tables, Mantel-Haenszel, past learners, parity."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trellis.analytics.engine import open_engine
from trellis.analytics.ppv import THRESHOLDS, calibration, ppv_table, risk_lookup
from trellis.analytics.synthetic import write_synthetic
from trellis.analytics.tests.conftest import write_csv

HEADER = ["learner", "rater", "program", "item", "occasion", "level", "form_kind"]
# (occasion 1 level, final level at occasion 2). At threshold 2.0 program A counts
# a = 2 (L1, L3), b = 1 (L2), c = 1 (L6), d = 2 (L4, L5).
PROGRAM_A = [(1.5, 3.5), (2.0, 4.0), (2.0, 3.0), (3.0, 4.5), (3.0, 4.0), (2.5, 3.5)]
# Program B at 2.0: a = 1, b = 1, c = 0, d = 2.
PROGRAM_B = [(1.5, 3.0), (2.0, 4.0), (3.0, 4.0), (3.0, 4.5)]


def _rows(program: str, learners: list[tuple[float, float]]) -> list[list[object]]:
    rows: list[list[object]] = []
    for k, (first, final) in enumerate(learners, start=1):
        who = f"{program}{k}"
        rows.append([who, "cc", program, "PC1", 1, first, "committee"])
        rows.append([who, "cc", program, "PC1", 2, final, "committee"])
    return rows


def _hand(tmp_path: Path, *, two_programs: bool = False) -> Path:
    rows = _rows("A", PROGRAM_A)
    # A current learner (no final review yet) and an observation the committee overrules.
    rows.append(["A9", "cc", "A", "PC1", 1, 1.0, "committee"])
    rows.append(["A1", "r1", "A", "PC1", 1, 5.0, "observation"])
    if two_programs:
        rows += _rows("B", PROGRAM_B)
    return write_csv(tmp_path / "facts.csv", HEADER, rows)


def _row(table: pd.DataFrame, threshold: float) -> pd.Series:
    return table[(table["occasion"] == 1) & (table["threshold"] == threshold)].iloc[0]


def test_it_counts_the_two_by_two_table_by_hand(tmp_path: Path) -> None:
    with open_engine(_hand(tmp_path)) as engine:
        table = ppv_table(engine)
    assert list(table["threshold"]) == list(THRESHOLDS)  # occasion 1 only: 2 is the final
    row = _row(table, 2.0)
    assert (row["n"], row["at_or_below"], row["not_reached"]) == (6, 3, 3)
    assert row["at_or_below_not_reached"] == 2
    assert row["ppv"] == pytest.approx(2 / 3)
    assert row["npv"] == pytest.approx(2 / 3)
    assert row["sensitivity"] == pytest.approx(2 / 3)
    assert row["specificity"] == pytest.approx(2 / 3)
    assert row["odds_ratio"] == pytest.approx(4.0)
    assert math.isnan(row["odds_ratio_adjusted"])  # one program: nothing to pool


def test_it_adds_a_half_to_every_cell_when_one_is_zero(tmp_path: Path) -> None:
    with open_engine(_hand(tmp_path)) as engine:
        row = _row(ppv_table(engine), 1.5)
    # a = 1 (L1), b = 0, c = 2 (L3, L6), d = 3: (1.5 * 3.5) / (0.5 * 2.5).
    assert row["ppv"] == 1.0
    assert row["odds_ratio"] == pytest.approx(4.2)
    # Everyone at or below 3.5: the "above" margin is empty, so no odds ratio.
    assert math.isnan(_row(ppv_table_of(tmp_path), 3.5)["odds_ratio"])


def ppv_table_of(tmp_path: Path) -> pd.DataFrame:
    with open_engine(tmp_path / "facts.csv") as engine:
        return ppv_table(engine)


def test_it_pools_programs_by_mantel_haenszel(tmp_path: Path) -> None:
    with open_engine(_hand(tmp_path, two_programs=True)) as engine:
        row = _row(ppv_table(engine), 2.0)
    assert (row["n"], row["programs"]) == (10, 2)
    # (2*2/6 + 1*2/4) / (1*1/6 + 1*0/4) = 7.
    assert row["odds_ratio_adjusted"] == pytest.approx(7.0)
    # Crude: a = 3, b = 2, c = 1, d = 4 -> 6.
    assert row["odds_ratio"] == pytest.approx(6.0)


def test_it_counts_only_learners_who_completed_training(tmp_path: Path) -> None:
    path = _hand(tmp_path)
    with open_engine(path) as engine:
        assert _row(ppv_table(engine), 1.0 + 0.5)["n"] == 6  # A9 (level 1.0) left out
        assert ppv_table(engine, training_occasions=3).empty  # nobody reached occasion 3


def test_it_looks_up_a_current_learners_risk(tmp_path: Path) -> None:
    table = ppv_table_of(_hand(tmp_path).parent)
    found = risk_lookup(table, item="PC1", occasion=1, level=1.8)
    assert found is not None
    assert found["threshold"] == 2.0
    assert (found["past_learners"], found["not_reached"]) == (3, 2)
    assert found["text"] == (
        "Of 3 past learners at or below Level 2 at review 1 on PC1, 67% did not reach "
        "Level 4 by graduation."
    )
    assert risk_lookup(table, item="PC1", occasion=1, level=4.0) is None
    assert risk_lookup(table, item="MK1", occasion=1, level=2.0) is None


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ppv") / "facts.parquet"
    write_synthetic(path, programs=4, learners_per_program=12, seed=5)
    return path


def test_it_predicts_the_simulated_slow_learners(small: Path) -> None:
    with open_engine(small) as engine:
        table = ppv_table(engine)
    assert set(table["occasion"]) == {1, 2, 3, 4, 5}
    base = (table["not_reached"] / table["n"]).mean()
    late_low = table[(table["occasion"] == 4) & (table["threshold"] == 3.0)]
    assert late_low["ppv"].mean() > 2 * base
    assert (table["n"] == 32).all()  # 2 complete cohorts x 4 learners x 4 programs


def test_it_calibrates_predicted_against_observed(small: Path) -> None:
    with open_engine(small) as engine:
        table = ppv_table(engine)
        frame = calibration(engine)
    assert list(frame.columns) == ["bin", "lower", "upper", "n", "predicted", "observed"]
    # Every past learner-cell is in one bin.
    cells = table.drop_duplicates(["item", "occasion"])["n"].sum()
    assert frame["n"].sum() == cells
    used = frame[frame["n"] >= 20]
    assert np.corrcoef(used["predicted"], used["observed"])[0, 1] > 0.8


def test_it_gives_the_same_table_on_both_engines(small: Path, engines: list[str]) -> None:
    tables = []
    for name in engines:
        with open_engine(small, engine=name) as engine:
            tables.append(ppv_table(engine))
    pd.testing.assert_frame_equal(tables[0], tables[1], check_exact=False, rtol=1e-9, atol=1e-9)
