"""Straight-lining: counted by hand, recovered from the synthetic table, both engines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from trellis.analytics.engine import open_engine
from trellis.analytics.straightlining import NATIONAL_STRAIGHTLINING, straightlining
from trellis.analytics.synthetic import STRAIGHT_SHARE, write_synthetic
from trellis.analytics.tests.test_gstudy import table


def rows(
    program: str, learner: str, occasion: int, levels: list[float | None], **kw: object
) -> list[dict[str, object]]:
    return [
        {
            "learner": learner,
            "rater": "c",
            "program": program,
            "item": f"i{k}",
            "occasion": occasion,
            "level": level,
            "not_observed": level is None,
            "form_kind": "committee",
        }
        | kw
        for k, level in enumerate(levels)
    ]


def test_it_counts_learner_occasions_with_one_level_on_every_item() -> None:
    facts = [
        *rows("em", "a", 1, [2.0, 2.0, 2.0]),  # straight-lined
        *rows("em", "a", 2, [2.0, 2.5, 3.0]),
        *rows("em", "b", 1, [3.0, 3.0, None]),  # the not-observed item does not count
        *rows("em", "b", 2, [3.5]),  # one item: nothing to straight-line
        *rows("im", "c", 1, [1.0, 2.0]),
        # An observation row beside committee rows: the committee's ratings are what counts.
        *rows("im", "c", 2, [4.0, 4.0], form_kind="observation", rater="r1"),
    ]
    with open_engine(table(facts)) as engine:
        out = straightlining(engine).set_index("program")
    assert out.loc["em", ["learner_occasions", "straightlined"]].tolist() == [3, 2]
    assert out.loc["em", "share"] == pytest.approx(2 / 3)
    assert out.loc["im", ["learner_occasions", "straightlined"]].tolist() == [1, 0]
    assert (out["national_share"] == NATIONAL_STRAIGHTLINING).all()


def test_a_program_of_observations_alone_is_read_from_its_observations() -> None:
    facts = rows("fm", "a", 1, [2.0, 2.0], form_kind="observation", rater="r1")
    with open_engine(table(facts)) as engine:
        out = straightlining(engine)
    assert out[["program", "learner_occasions", "straightlined"]].values.tolist() == [["fm", 1, 1]]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sl") / "facts.parquet"
    write_synthetic(path, programs=30, learners_per_program=12, seed=3)
    return path


def test_it_recovers_the_simulated_share(synthetic: Path) -> None:
    with open_engine(synthetic) as engine:
        out = straightlining(engine)
    pooled = out["straightlined"].sum() / out["learner_occasions"].sum()
    # The generator straight-lines STRAIGHT_SHARE of learner-occasions; a few more come
    # out level by chance (rounding to half levels).
    assert STRAIGHT_SHARE - 0.015 < pooled < STRAIGHT_SHARE + 0.03


def test_it_gives_the_same_shares_on_both_engines(synthetic: Path, engines: list[str]) -> None:
    results = []
    for name in engines:
        with open_engine(synthetic, engine=name) as engine:
            results.append(straightlining(engine).sort_values("program", ignore_index=True))
    pd.testing.assert_frame_equal(results[0], results[1], check_dtype=False)
