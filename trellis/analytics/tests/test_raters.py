"""Rater severity: recovery of known severities, the adjustment, MixedLM agreement."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from trellis.analytics.engine import open_engine
from trellis.analytics.raters import rater_severity
from trellis.analytics.tests.test_gstudy import table

HEADER = ["learner", "rater", "item", "occasion", "level", "assessment", "comment_chars", "program"]


def simulate(
    *,
    seed: int,
    learners: int = 60,
    raters: int = 30,
    per_occasion: int = 6,
    confound: float = 0.0,
) -> tuple[pd.DataFrame, pd.Series]:
    """Known abilities and severities; each learner is rated at two occasions by
    `per_occasion` raters on five items. With `confound` > 0 the harsh raters are drawn
    mostly to the strong learners, so their raw means look lenient."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(0, 0.6, learners)
    severity = rng.normal(0, 0.5, raters)
    difficulty = rng.normal(0, 0.3, 5)
    za = (ability - ability.mean()) / ability.std()
    zs = (severity - severity.mean()) / severity.std()
    rows, n = [], 0
    for p in range(learners):
        weight = np.exp(confound * za[p] * zs)
        for occasion in (1, 2):
            for r in rng.choice(raters, size=per_occasion, replace=False, p=weight / weight.sum()):
                n += 1
                for k in range(5):
                    x = 3 + ability[p] + 0.5 * (occasion - 1) - difficulty[k] - severity[r]
                    level = float(np.clip(np.round((x + rng.normal(0, 0.5)) * 2) / 2, 1, 5))
                    rows.append(
                        [
                            f"L{p:03d}",
                            f"R{r:03d}",
                            f"I{k}",
                            occasion,
                            level,
                            f"A{n:05d}",
                            int(rng.integers(0, 300)),
                            "em",
                        ]
                    )
    truth = pd.Series(severity, index=[f"R{r:03d}" for r in range(raters)])
    return pd.DataFrame(rows, columns=HEADER), truth


def _severities(frame: pd.DataFrame, path: Path, engine: str = "duckdb") -> pd.DataFrame:
    frame.to_csv(path, index=False)
    with open_engine(path, engine=engine) as e:
        return rater_severity(e).set_index("rater")


@pytest.mark.parametrize("confound", [0.0, 2.0])
def test_it_recovers_known_severities(tmp_path: Path, confound: float) -> None:
    frame, truth = simulate(seed=7, confound=confound)
    out = _severities(frame, tmp_path / "sim.csv")
    adjusted = np.corrcoef(truth[out.index], out["severity"])[0, 1]
    naive = np.corrcoef(truth[out.index], -out["mean_level"])[0, 1]
    print(f"confound={confound}: adjusted r={adjusted:.3f}, naive r={naive:.3f}")
    assert adjusted >= 0.9
    assert (out["severity_se"] > 0).all() and (out["severity_se"] < 0.5).all()
    if confound:
        # Harsh raters drawn to strong learners: raw means hide them; the adjustment does not.
        assert naive < 0.7
        assert adjusted - naive > 0.3


def test_it_agrees_with_mixedlm_rater_intercepts(tmp_path: Path) -> None:
    frame, _ = simulate(seed=11, learners=30, raters=15, per_occasion=4, confound=1.0)
    out = _severities(frame, tmp_path / "small.csv")
    data = frame.assign(cell=frame["learner"] + frame["item"] + frame["occasion"].astype(str))
    model = sm.MixedLM.from_formula(
        "level ~ C(cell)",
        groups=np.ones(len(data)),
        vc_formula={"rater": "0 + C(rater)"},
        data=data,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(reml=True)
    effects = fit.random_effects[1]
    blup = pd.Series(
        effects.to_numpy(), index=[name.split("[")[-1].rstrip("]") for name in effects.index]
    )
    r = np.corrcoef(-blup[out.index], out["severity"])[0, 1]
    print(f"MixedLM agreement r={r:.4f}")
    assert r > 0.95


def test_it_profiles_how_each_rater_uses_the_scale() -> None:
    def row(rater: str, assessment: str, item: str, level: float | None, **kw: object) -> dict:
        return {
            "learner": "L1",
            "rater": rater,
            "program": "em",
            "assessment": assessment,
            "item": item,
            "occasion": 1,
            "level": level,
            "not_observed": False,
            "form_kind": "observation",
            "comment_chars": 10,
        } | kw

    rows = [
        row("a", "f1", "i1", 2.0),
        row("a", "f1", "i2", 2.0),  # straight-lined
        row("a", "f2", "i1", 1.0, comment_chars=30),
        row("a", "f2", "i2", 2.5, comment_chars=30),
        row("a", "f2", "i3", None, not_observed=True, comment_chars=30),
        row("a", "f3", "i1", 5.0, learner="L2", comment_chars=50),  # one item: not counted
        row("b", "f4", "i1", 3.0, program="im"),
        row("b", "f4", "i2", 3.0, program="im"),
        row("a", "c1", "i1", 9.0, form_kind="committee"),  # committee rows are left out
    ]
    with open_engine(table(rows)) as e:
        out = rater_severity(e).set_index("rater")
    a = out.loc["a"]
    assert (a["program"], a["n"], a["learners"], a["assessments"]) == ("em", 5, 2, 3)
    assert a["mean_level"] == pytest.approx(12.5 / 5)
    assert a["range_used"] == 4.0
    assert a["not_observed_share"] == pytest.approx(1 / 6)
    assert a["straightline_share"] == pytest.approx(1 / 2)
    assert a["mean_comment_chars"] == pytest.approx(30.0)
    assert out.loc["b", "program"] == "im" and out.loc["b", "straightline_share"] == 1.0
    # a and b rated L1 on i1 and i2 at occasion 1: a was lower on average, so harsher.
    assert out.loc["a", "compared"] == 4 and out.loc["a", "severity"] > out.loc["b", "severity"]


def test_it_gives_the_same_answers_on_both_engines(tmp_path: Path, engines: list[str]) -> None:
    frame, _ = simulate(seed=5, learners=20, raters=10, per_occasion=3, confound=1.0)
    duck, spark = (
        _severities(frame, tmp_path / f"{e}.csv", engine=e).reset_index() for e in engines
    )
    assert len(duck) == 10
    pd.testing.assert_frame_equal(duck, spark, check_exact=False, rtol=1e-9, atol=1e-9)
