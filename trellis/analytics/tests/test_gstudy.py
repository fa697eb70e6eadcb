"""G study: Brennan's published p x i example, the unbalanced designs, both engines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from trellis.analytics.engine import open_engine
from trellis.analytics.facts import FactError
from trellis.analytics.gstudy import gstudy, observations_needed
from trellis.analytics.tests.conftest import write_csv

# Brennan, R. L. (2001). Generalizability Theory. Springer. Synthetic Data Set No. 4
# (Table 3.2, p. 73), 10 persons x 12 items, analysed as a p x i design on p. 182.
# Rows are persons, columns items 1-12 (the same scores are shipped as `synthetic4` in the
# R package gt4ireval and as `Brennan.3.2` in gtheory). Published figures:
#   Table 6.2, p. 182: MS(p) = 10.2963, MS(i) = 11.6273, MS(pi) = 2.7872;
#                      var(p) = .6258, var(i) = .8840, var(pi,e) = 2.7872
#   Table 6.5, p. 198: for n'_i = 12, Erho2 = .729, Phi = .672
BRENNAN_SYNTHETIC_4 = [
    [5, 6, 5, 5, 5, 3, 4, 5, 6, 7, 3, 3],
    [9, 3, 7, 7, 7, 5, 5, 5, 7, 7, 5, 2],
    [3, 4, 3, 3, 5, 3, 3, 5, 6, 5, 1, 6],
    [7, 5, 5, 3, 3, 1, 4, 3, 5, 3, 3, 5],
    [9, 2, 9, 7, 7, 7, 3, 7, 2, 7, 5, 3],
    [3, 4, 3, 5, 3, 3, 6, 3, 4, 5, 1, 2],
    [7, 3, 7, 7, 7, 5, 5, 7, 5, 5, 5, 4],
    [5, 8, 5, 7, 7, 5, 5, 4, 3, 2, 1, 1],
    [9, 9, 8, 8, 6, 6, 6, 5, 5, 8, 1, 1],
    [4, 4, 4, 3, 3, 5, 6, 5, 5, 7, 1, 1],
]


def _pxi_table(scores: list[list[int]], occasion: int = 1) -> list[dict[str, object]]:
    return [
        {
            "learner": f"p{p + 1:02d}",
            "rater": "r1",
            "item": f"i{i + 1:02d}",
            "occasion": occasion,
            "level": float(v),
        }
        for p, row in enumerate(scores)
        for i, v in enumerate(row)
    ]


def table(rows: list[dict[str, object]]) -> pa.Table:
    """Every row with every key (Arrow infers the schema from the first row)."""
    keys = list(dict.fromkeys(k for r in rows for k in r))
    return pa.Table.from_pylist([{k: r.get(k) for k in keys} for r in rows])


def _run(rows: list[dict[str, object]], engine: str = "duckdb", **kw: object) -> pd.DataFrame:
    with open_engine(table(rows), engine=engine) as e:
        return gstudy(e, **kw)  # type: ignore[arg-type]


def test_it_reproduces_brennans_synthetic_data_set_4() -> None:
    out = _run(_pxi_table(BRENNAN_SYNTHETIC_4))
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["design"], row["item"], row["occasion"]) == ("p x i", "*", 1)
    assert (row["n_learners"], row["n_facet"]) == (10, 12.0)
    assert round(row["var_p"], 4) == 0.6258
    assert round(row["var_facet"], 4) == 0.8840
    assert round(row["var_residual"], 4) == 2.7872
    assert round(row["g"], 3) == 0.729
    assert round(row["phi"], 3) == 0.672
    # D study: .6258 / (.6258 + 2.7872 / n) reaches .7 at n = 11 and .8 at n = 18.
    assert (row["needed_g70"], row["needed_g80"]) == (11, 18)
    assert not row["truncated"]


def test_it_keeps_only_learners_with_every_item_and_averages_repeated_cells() -> None:
    rows = _pxi_table(BRENNAN_SYNTHETIC_4)
    # An extra learner missing item 12 is left out; a repeated cell counts as its mean.
    rows += [r | {"learner": "p99"} for r in _pxi_table([[1] * 11])]
    rows += [rows[0] | {"level": 3.0}, rows[0] | {"level": 7.0}]  # p01 i01: mean of 5, 3, 7
    out = _run(rows).iloc[0]
    assert out["n_learners"] == 10
    assert round(out["var_p"], 4) == 0.6258


def test_it_prefers_committee_rows_and_splits_occasions() -> None:
    rows = _pxi_table(BRENNAN_SYNTHETIC_4, occasion=2)
    rows = [r | {"form_kind": "committee"} for r in rows]
    noise = [r | {"form_kind": "observation", "level": 1.0} for r in _pxi_table([[9] * 12])]
    out = _run(rows + noise)
    assert out["occasion"].tolist() == [2]
    assert round(out.iloc[0]["var_p"], 4) == 0.6258


def test_it_truncates_a_negative_component_and_flags_it() -> None:
    # Items identical in mean: var(i) estimates negative and is set to 0.
    out = _run(_pxi_table([[1, 2], [2, 1], [3, 3]])).iloc[0]
    assert out["var_facet"] == 0.0
    assert out["truncated"]


def test_it_estimates_the_nested_design_by_one_way_anova() -> None:
    scores = {"a": [1.0, 2.0, 2.0], "b": [3.0, 4.0], "c": [4.0, 5.0, 5.0, 4.0], "d": [2.0]}
    rows = [
        {"learner": p, "rater": f"r{k}", "item": "it", "occasion": 1, "level": v}
        for p, vs in scores.items()
        for k, v in enumerate(vs)
    ]
    rows.append(rows[0] | {"level": 9.0, "not_observed": True})
    rows.append(rows[0] | {"level": 9.0, "form_kind": "committee"})
    out = _run(rows, design="o:p").iloc[0]
    # The textbook formulas, independently.
    groups = [np.array(v) for v in scores.values()]
    y = np.concatenate(groups)
    big_n, a = len(y), len(groups)
    ms_b = sum(len(g) * (g.mean() - y.mean()) ** 2 for g in groups) / (a - 1)
    ms_w = sum(((g - g.mean()) ** 2).sum() for g in groups) / (big_n - a)
    n0 = (big_n - sum(len(g) ** 2 for g in groups) / big_n) / (a - 1)
    var_p = (ms_b - ms_w) / n0
    assert out["design"] == "o:p" and out["item"] == "it" and pd.isna(out["occasion"])
    assert out["n_learners"] == 4 and out["n_facet"] == pytest.approx(10 / 4)
    assert out["var_p"] == pytest.approx(var_p, rel=1e-12)
    assert out["var_residual"] == pytest.approx(ms_w, rel=1e-12)
    assert out["g"] == pytest.approx(var_p / (var_p + ms_w / 2.5), rel=1e-12)
    assert out["needed_g80"] == observations_needed(var_p, ms_w, 0.8)


def _crossed(seed: int = 3) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    ability, severity = rng.normal(0, 1.0, 40), rng.normal(0, 0.5, 12)
    rows: list[dict[str, object]] = []
    for p in range(40):
        for r in rng.choice(12, size=5, replace=False):
            for item in ("a", "b"):
                level = 3 + ability[p] - severity[r] + rng.normal(0, 0.5)
                rows.append(
                    {
                        "learner": f"p{p:02d}",
                        "rater": f"r{r:02d}",
                        "item": item,
                        "occasion": 1 + p % 2,
                        "level": float(np.clip(round(level, 1), 0, 9)),
                        "assessment": f"a{p}-{r}",
                    }
                )
    return rows


def test_it_fits_learner_by_rater_with_crossed_components() -> None:
    out = _run(_crossed(), design="p x r", item="a")
    assert out["item"].tolist() == ["a"]
    row = out.iloc[0]
    assert row["n_learners"] == 40 and row["n_facet"] == pytest.approx(5.0)
    # Simulated with var_p = 1, var_r = .25, var_e = .25.
    assert 0.5 < row["var_p"] < 1.6
    assert 0.05 < row["var_facet"] < 0.6
    assert 0.15 < row["var_residual"] < 0.4
    assert row["phi"] < row["g"]
    assert observations_needed(row["var_p"], row["var_residual"], 0.8) == row["needed_g80"]


def test_it_counts_the_observations_a_dependable_decision_needs() -> None:
    assert observations_needed(1.0, 1.0, 0.5) == 1
    assert observations_needed(1.0, 1.0, 0.8) == 4
    assert observations_needed(0.2, 1.0, 0.7) == 12  # .7 * 1 / (.3 * .2) = 11.67
    assert observations_needed(0.0, 1.0, 0.7) is None
    with pytest.raises(ValueError):
        observations_needed(1.0, 1.0, 1.0)


def test_it_refuses_bad_input(tmp_path: Path) -> None:
    header = ["learner", "rater", "item", "level"]
    with (
        pytest.raises(FactError, match="missing column"),
        open_engine(write_csv(tmp_path / "a.csv", header, [["p", "r", "i", 2]])),
    ):
        pass
    header = ["learner", "rater", "item", "occasion", "level"]
    bad = write_csv(tmp_path / "b.csv", header, [["p", "r", "i", 1, 2], ["p", "r", "j", 1, "x"]])
    with pytest.raises(FactError, match="column level"), open_engine(bad):
        pass
    with open_engine(table(_pxi_table([[1, 2]]))) as e:
        with pytest.raises(ValueError, match="unknown design"):
            gstudy(e, design="p x q")
        with pytest.raises(ValueError):
            gstudy(e, item="i01")


def test_it_gives_the_same_answers_on_both_engines(engines: list[str]) -> None:
    rows = _crossed() + _pxi_table(BRENNAN_SYNTHETIC_4, occasion=3)
    results: dict[str, list[pd.DataFrame]] = {}
    for engine in engines:
        with open_engine(table(rows), engine=engine) as e:
            results[engine] = [gstudy(e, design=d) for d in ("p x i", "o:p", "p x r")]
    for duck, spark in zip(results["duckdb"], results["spark"], strict=True):
        assert len(duck) > 0
        pd.testing.assert_frame_equal(duck, spark, check_exact=False, rtol=1e-9, atol=1e-9)
