"""The synthetic generator: schema, a consistent timeline, the model's shares, the truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from trellis.analytics import synthetic
from trellis.analytics.facts import SCHEMA
from trellis.analytics.synthetic import synthetic_facts, synthetic_truth, write_synthetic

SMALL = {"programs": 4, "learners_per_program": 12, "seed": 3, "observations_per_learner_item": 3}


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return pa.concat_tables(list(synthetic_facts(**SMALL)))


def test_it_yields_the_fact_schema_with_readable_keys(table: pa.Table) -> None:
    assert table.schema == SCHEMA
    frame = table.to_pandas()
    assert frame["program"].str.fullmatch(r"p\d{4}").all()
    assert frame["learner"].str.fullmatch(r"l\d{6}").all()
    observed = frame[frame["form_kind"] == "observation"]
    assert observed["rater"].str.fullmatch(r"r\d{5}").all()
    assert sorted(frame["item"].unique())[:3] == ["ICS1", "ICS2", "ICS3"]
    assert frame["item"].nunique() == 22
    assert frame["level"].between(1, 5).all()
    assert ((frame["level"] * 2) % 1 == 0).all()


def test_it_keeps_the_timeline_consistent(table: pa.Table) -> None:
    frame = table.to_pandas()
    month, occasion = frame["month_in_training"], frame["occasion"]
    assert (occasion == (month - 1) // 6 + 1).all()
    assert (frame["training_year"] == (occasion + 1) // 2).all()
    committee = frame[frame["form_kind"] == "committee"]
    assert (committee["month_in_training"] == 6 * committee["occasion"]).all()
    assert (committee["committee_level"] == committee["level"]).all()
    assert (committee["rater"] == "c" + committee["program"].str[1:]).all()
    assert frame.loc[frame["form_kind"] == "observation", "committee_level"].isna().all()
    # One committee rating per learner x item x occasion; dates follow the occasions.
    assert not committee.duplicated(["learner", "item", "occasion"]).any()
    first = committee[committee["learner"] == committee["learner"].iloc[0]]
    assert first.groupby("occasion")["date"].first().is_monotonic_increasing


def test_it_has_past_learners_with_complete_histories_and_current_ones(table: pa.Table) -> None:
    frame = table.to_pandas()
    last = frame[frame["form_kind"] == "committee"].groupby("learner")["occasion"].max()
    # cohorts = years + 1 = 4: two complete (6 occasions), then 4 and 2.
    assert sorted(last.value_counts().to_dict().items()) == [(2, 16), (4, 16), (6, 32)]


def test_it_models_slow_learners_and_straight_lining(table: pa.Table) -> None:
    frame = table.to_pandas()
    committee = frame[frame["form_kind"] == "committee"]
    final = committee[committee["occasion"] == 6]
    below = final.groupby("item")["level"].apply(lambda x: (x < 4).mean())
    assert 0.03 < below.mean() < 0.2
    truth = synthetic_truth(**SMALL)
    learners = truth.learners.set_index("learner")
    share = final.groupby("learner")["level"].apply(lambda x: (x < 4).mean())
    joined = learners.join(share.rename("below"), how="inner")
    assert (
        joined.loc[joined["slow"], "below"].mean() > 2 * joined.loc[~joined["slow"], "below"].mean()
    )
    # Every straight-lined learner-occasion of the truth has one level on all items.
    flat = committee.groupby(["learner", "occasion"])["level"].nunique()
    marked = truth.straightlined.set_index(["learner", "occasion"]).index
    assert len(marked) > 0
    assert (flat.loc[marked] == 1).all()
    assert 0.03 < len(marked) / len(flat) < 0.12


def test_it_lets_rater_severity_be_recovered(table: pa.Table) -> None:
    frame = table.to_pandas()
    observed = frame[frame["form_kind"] == "observation"]
    committee = frame[frame["form_kind"] == "committee"]
    cell = committee.set_index(["learner", "item", "occasion"])["level"]
    base = cell.reindex(
        list(zip(observed["learner"], observed["item"], observed["occasion"], strict=True))
    )
    residual = observed["level"].to_numpy() - base.to_numpy()
    means = observed.assign(residual=residual).groupby("rater")["residual"].mean()
    severity = synthetic_truth(**SMALL).raters.set_index("rater")["severity"]
    assert np.corrcoef(means, severity.loc[means.index])[0, 1] > 0.7


def test_it_is_deterministic_in_the_seed() -> None:
    one = pa.concat_tables(list(synthetic_facts(programs=2, learners_per_program=6, seed=1)))
    two = pa.concat_tables(list(synthetic_facts(programs=2, learners_per_program=6, seed=1)))
    other = pa.concat_tables(list(synthetic_facts(programs=2, learners_per_program=6, seed=2)))
    assert one.equals(two)
    assert not one.equals(other)


def test_it_streams_whole_programs_in_chunks_to_parquet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(synthetic, "CHUNK_ROWS", 800)  # one program a chunk
    chunks = list(synthetic_facts(programs=5, learners_per_program=6))
    assert len(chunks) == 5
    programs = [set(c.column("program").to_pylist()) for c in chunks]
    assert all(len(p) == 1 for p in programs)
    path = tmp_path / "facts.parquet"
    rows = write_synthetic(path, programs=5, learners_per_program=6)
    assert rows == sum(len(c) for c in chunks) == pq.ParquetFile(path).metadata.num_rows
    assert pq.ParquetFile(path).metadata.num_row_groups == 5
    assert not (tmp_path / "facts.parquet.partial").exists()


def test_it_refuses_an_empty_design() -> None:
    with pytest.raises(ValueError, match="must be >= 1"):
        next(synthetic_facts(programs=0, learners_per_program=6))
