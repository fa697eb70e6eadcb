"""Realistic synthetic fact tables: pseudonymous, seeded, streamed in chunks.

The one generator of test and benchmark data for analytics. The model follows what
milestone studies report of ACGME Clinical Competency Committee ratings (half levels 1-5,
semiannual reviews, most graduates at Level 4 or above):

    latent(learner i, item j, month m) = BASE + program_p + ability_i - difficulty_j
                                         + (learner x item)_ij + GAIN * growth_i * m / T
                                         + noise

with T the months of training. `growth_i` is about 1 for most learners and 0.55-0.75 for
the slow share (SLOW_SHARE), who stay below Level 4 at graduation on most items; with the
other spreads about 5-15% of graduates end below Level 4 on a given subcompetency. The
committee's rating at each semiannual occasion (month 6, 12, ...) is the latent rounded to
a half level in 1..5, except on straight-lined learner-occasions (STRAIGHT_SHARE, one level
on every item). Optional observation rows come from raters of known severity (added to
the latent before rounding).

Cohorts start in July of consecutive years; the data stop at the end of the last
academic year, so the first cohorts have complete histories ("past learners") and the
later ones are in training. `synthetic_truth` replays the same draws and returns the
parameters, so tests can check that an analysis recovers them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from trellis.analytics.facts import COMMITTEE, SCHEMA

# ACGME Milestones 2.0 harmonised subcompetencies, 22 of them.
BASE_ITEMS = (
    *(f"PC{k}" for k in range(1, 8)),
    *(f"MK{k}" for k in range(1, 4)),
    *(f"SBP{k}" for k in range(1, 4)),
    *(f"PBLI{k}" for k in range(1, 3)),
    *(f"PROF{k}" for k in range(1, 5)),
    *(f"ICS{k}" for k in range(1, 4)),
)
FRAMEWORK = "ACGME Milestones 2.0"

BASE = 1.7  # latent level at the start of training
GAIN = 2.8  # latent gain over training for a learner of typical growth
SLOW_SHARE = 0.07  # learners who grow at 55-75% of the typical rate
STRAIGHT_SHARE = 0.065  # learner-occasions rated one level on every item
SD = {"program": 0.15, "ability": 0.3, "difficulty": 0.2, "interaction": 0.15, "noise": 0.22}
SD_GROWTH = 0.1
SD_SEVERITY = 0.35  # raters' severity (observation rows only)
SD_OBSERVATION = 0.35  # an observation's own error, beyond the latent
CHUNK_ROWS = 1_500_000  # rows per yielded table, about; bounds memory


@dataclass(frozen=True)
class Design:
    """The sizes of one synthetic table (see `synthetic_facts`)."""

    programs: int
    learners_per_program: int
    years: int
    items: int
    start_year: int
    cohorts: int
    seed: int
    observations_per_learner_item: int
    raters_per_program: int

    @property
    def per_cohort(self) -> int:
        return max(1, self.learners_per_program // self.years)

    @property
    def item_codes(self) -> list[str]:
        extra = [f"PC{k}" for k in range(8, 8 + max(0, self.items - len(BASE_ITEMS)))]
        return [*BASE_ITEMS, *extra][: self.items]

    def occasions_of(self, cohort: np.ndarray) -> np.ndarray:
        """Occasions observed for each cohort: all 2*years, or those up to the data's end."""
        return np.minimum(2 * self.years, 2 * (self.cohorts - cohort))

    @property
    def rows_per_program(self) -> int:
        cohort = np.arange(self.cohorts)
        occasions = int(self.occasions_of(cohort).sum()) * self.per_cohort
        learners = self.per_cohort * self.cohorts
        return self.items * (occasions + learners * self.observations_per_learner_item)

    @property
    def programs_per_chunk(self) -> int:
        return max(1, CHUNK_ROWS // max(1, self.rows_per_program))


def _design(**kw: Any) -> Design:
    years = int(kw.get("years", 3))
    learners = int(kw["learners_per_program"])
    design = Design(
        programs=int(kw["programs"]),
        learners_per_program=learners,
        years=years,
        items=int(kw.get("items", 22)),
        start_year=int(kw.get("start_year", 2019)),
        cohorts=int(kw.get("cohorts") or years + 1),
        seed=int(kw.get("seed", 0)),
        observations_per_learner_item=int(kw.get("observations_per_learner_item", 0)),
        raters_per_program=int(kw.get("raters_per_program") or max(3, learners // 2)),
    )
    if min(design.programs, design.learners_per_program, design.years, design.items) < 1:
        raise ValueError("programs, learners_per_program, years and items must be >= 1")
    return design


def _keys(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    return pa.array([f"{prefix}{n:0{width}d}" for n in numbers.tolist()], type=pa.string())


@dataclass
class _Block:
    """One chunk of programs: the parameters, drawn before any row."""

    programs: np.ndarray  # global program numbers (1-based)
    learner_program: np.ndarray  # global program number of each learner
    learner_number: np.ndarray  # global learner number (1-based)
    cohort: np.ndarray
    ability: np.ndarray
    growth: np.ndarray
    slow: np.ndarray
    interaction: np.ndarray  # learners x items
    straight: np.ndarray  # learners x 2*years, True where straight-lined
    severity: np.ndarray  # raters of the block's programs, in program order


def _global(design: Design) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([design.seed, 0])
    difficulty = rng.normal(0, SD["difficulty"], design.items)
    program_effect = rng.normal(0, SD["program"], design.programs)
    return difficulty, program_effect


def _block_params(design: Design, block: int) -> _Block:
    rng = np.random.default_rng([design.seed, 1, block])
    first = block * design.programs_per_chunk
    programs = np.arange(first, min(design.programs, first + design.programs_per_chunk)) + 1
    per_program = design.per_cohort * design.cohorts
    n = len(programs) * per_program
    learner_program = np.repeat(programs, per_program)
    cohort = np.tile(np.repeat(np.arange(design.cohorts), design.per_cohort), len(programs))
    slow = rng.random(n) < SLOW_SHARE
    growth = np.where(
        slow, rng.uniform(0.55, 0.75, n), np.clip(rng.normal(1.0, SD_GROWTH, n), 0.8, 1.3)
    )
    return _Block(
        programs=programs,
        learner_program=learner_program,
        learner_number=(first * per_program) + np.arange(n) + 1,
        cohort=cohort,
        ability=rng.normal(0, SD["ability"], n),
        growth=growth,
        slow=slow,
        interaction=rng.normal(0, SD["interaction"], (n, design.items)),
        straight=rng.random((n, 2 * design.years)) < STRAIGHT_SHARE,
        severity=rng.normal(0, SD_SEVERITY, len(programs) * design.raters_per_program),
    )


def _half(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 2.0) / 2.0, 1.0, 5.0)


def _latent(
    design: Design,
    b: _Block,
    ctx: tuple[np.ndarray, np.ndarray],
    learner: np.ndarray,
    item: np.ndarray,
    month: np.ndarray,
) -> np.ndarray:
    difficulty, program_effect = ctx
    return (
        BASE
        + program_effect[b.learner_program[learner] - 1]
        + b.ability[learner]
        - difficulty[item]
        + b.interaction[learner, item]
        + GAIN * b.growth[learner] * month / (12.0 * design.years)
    )


def _committee_rows(
    design: Design, b: _Block, ctx: tuple[np.ndarray, np.ndarray], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    occasions = design.occasions_of(b.cohort)
    lo_learner = np.repeat(np.arange(len(b.cohort)), occasions)
    starts = np.cumsum(occasions) - occasions
    lo_occasion = np.arange(len(lo_learner)) - np.repeat(starts, occasions) + 1
    learner = np.repeat(lo_learner, design.items)
    occasion = np.repeat(lo_occasion, design.items)
    item = np.tile(np.arange(design.items), len(lo_learner))
    month = 6 * occasion
    latent = _latent(design, b, ctx, learner, item, month)
    latent = latent + rng.normal(0, SD["noise"], len(latent))
    level = _half(latent)
    # Straight-lined learner-occasions: the learner's mean level on every item.
    straight = b.straight[lo_learner, lo_occasion - 1]
    means = _half(level.reshape(-1, design.items).mean(axis=1))
    level = np.where(np.repeat(straight, design.items), np.repeat(means, design.items), level)
    return {"learner": learner, "item": item, "month": month, "level": level, "rater": None}  # type: ignore[dict-item]


def _observation_rows(
    design: Design, b: _Block, ctx: tuple[np.ndarray, np.ndarray], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    k = design.observations_per_learner_item
    n = len(b.cohort)
    learner = np.repeat(np.arange(n), design.items * k)
    item = np.tile(np.repeat(np.arange(design.items), k), n)
    occasions = design.occasions_of(b.cohort)[learner]
    occasion = (rng.random(len(learner)) * occasions).astype(np.int64) + 1
    month = 6 * (occasion - 1) + rng.integers(1, 7, len(learner))
    program_slot = b.learner_program[learner] - b.programs[0]
    rater = program_slot * design.raters_per_program + rng.integers(
        0, design.raters_per_program, len(learner)
    )
    latent = _latent(design, b, ctx, learner, item, month) + b.severity[rater]
    level = _half(latent + rng.normal(0, SD_OBSERVATION, len(latent)))
    return {"learner": learner, "item": item, "month": month, "level": level, "rater": rater}


def _table(design: Design, b: _Block, rows: dict[str, np.ndarray], *, committee: bool) -> pa.Table:
    learner, item, month, level = rows["learner"], rows["item"], rows["month"], rows["level"]
    n = len(learner)
    occasion = (month - 1) // 6 + 1
    program = b.learner_program[learner]
    w_p = max(4, len(str(design.programs)))
    w_l = max(6, len(str(design.programs * design.per_cohort * design.cohorts)))
    w_r = max(5, len(str(design.programs * design.raters_per_program)))
    first_program = int(b.programs[0])
    program_keys = _keys("p", b.programs, w_p)
    program_index = pa.array(program - first_program)
    learner_keys = _keys("l", b.learner_number, w_l)
    cohort_year = design.start_year + b.cohort[learner]
    year_in = (occasion - 1) // 2
    academic = cohort_year + year_in
    half = (occasion - 1) % 2 + 1
    period_code = (academic - design.start_year) * 2 + half - 1
    last_year = design.start_year + design.cohorts + design.years
    periods = pa.array(
        [
            f"{y}-{(y + 1) % 100:02d} H{h}"
            for y in range(design.start_year, last_year)
            for h in (1, 2)
        ]
    )
    start_month = (cohort_year - 1970) * 12 + 6  # July of the cohort's first year
    if committee:
        day = (start_month + month).astype("datetime64[M]").astype("datetime64[D]") - 1
        rater = pc.take(_keys("c", b.programs, w_p), program_index)
        # One committee review form per learner-occasion: "m<learner>-<occasion>".
        forms = _keys("m", b.learner_number, w_l)
        assessment = pc.binary_join_element_wise(
            pc.take(forms, pa.array(learner)), pc.cast(pa.array(occasion), pa.string()), "-"
        )
        comment = np.zeros(n, dtype=np.int32)
    else:
        day = (start_month + month - 1).astype("datetime64[M]").astype("datetime64[D]") + 14
        numbers = (first_program - 1) * design.raters_per_program + np.arange(len(b.severity))
        rater = pc.take(_keys("r", numbers + 1, w_r), pa.array(rows["rater"]))
        per_learner = design.items * design.observations_per_learner_item
        first_row = (int(b.learner_number[0]) - 1) * per_learner + 1
        assessment = _keys("o", np.arange(n) + first_row, w_l + 4)
        comment = rng_comments(n, seed=design.seed + first_program)
    institution = _keys("i", (b.programs - 1) // 4 + 1, w_p)
    codes = pa.array(design.item_codes)
    columns: dict[str, Any] = {
        "learner": pc.take(learner_keys, pa.array(learner)),
        "rater": rater,
        "program": pc.take(program_keys, program_index),
        "institution": pc.take(institution, program_index),
        "assessment": assessment,
        "framework": pa.repeat(pa.scalar(FRAMEWORK), n),
        "item": pc.take(codes, pa.array(item)),
        "item_kind": pa.repeat(pa.scalar("subcompetency"), n),
        "training_year": pa.array((year_in + 1).astype(np.int16)),
        "month_in_training": pa.array(month.astype(np.int16)),
        "date": pa.array(day.astype("datetime64[D]"), type=pa.date32()),
        "period": pc.take(periods, pa.array(period_code)),
        "occasion": pa.array(occasion.astype(np.int16)),
        "assessor_role": pa.repeat(pa.scalar("committee" if committee else "faculty"), n),
        "form_kind": pa.repeat(pa.scalar(COMMITTEE if committee else "observation"), n),
        "level": pa.array(level.astype(np.float64)),
        "not_observed": pa.repeat(pa.scalar(False), n),
        "committee_level": pa.array(level.astype(np.float64))
        if committee
        else pa.nulls(n, pa.float64()),
        "comment_chars": pa.array(comment.astype(np.int32)),
    }
    return pa.table(columns, schema=SCHEMA)


def rng_comments(n: int, *, seed: int) -> np.ndarray:
    """Comment lengths of observations: most short, some long."""
    rng = np.random.default_rng([seed, 3])
    return np.where(rng.random(n) < 0.3, 0, rng.geometric(1 / 120, n)).astype(np.int32)


def synthetic_facts(
    *,
    programs: int,
    learners_per_program: int,
    years: int = 3,
    items: int = 22,
    start_year: int = 2019,
    cohorts: int | None = None,
    seed: int = 0,
    observations_per_learner_item: int = 0,
    raters_per_program: int | None = None,
) -> Iterator[pa.Table]:
    """The fact table in chunks of about CHUNK_ROWS rows (a block of whole programs each).

    `learners_per_program` is a program's size in training at one time (as ACGME counts
    it): each cohort has learners_per_program // years learners (at least one). `cohorts`
    (default years + 1) start in July of consecutive years from `start_year`; the data end
    with the academic year in which the last cohort finishes its first year, so the first
    cohorts are complete. Every learner-occasion has a committee rating on every item;
    `observations_per_learner_item` adds that many observation ratings per learner and
    item, at a random month of training so far, by one of the program's raters.
    """
    design = _design(
        programs=programs,
        learners_per_program=learners_per_program,
        years=years,
        items=items,
        start_year=start_year,
        cohorts=cohorts,
        seed=seed,
        observations_per_learner_item=observations_per_learner_item,
        raters_per_program=raters_per_program,
    )
    ctx = _global(design)
    blocks = -(-design.programs // design.programs_per_chunk)
    for block in range(blocks):
        b = _block_params(design, block)
        rng = np.random.default_rng([design.seed, 2, block])
        tables = [_table(design, b, _committee_rows(design, b, ctx, rng), committee=True)]
        if design.observations_per_learner_item:
            rows = _observation_rows(design, b, ctx, rng)
            tables.append(_table(design, b, rows, committee=False))
        yield pa.concat_tables(tables)


def write_synthetic(path: Path | str, **kw: Any) -> int:
    """Write `synthetic_facts(**kw)` to a Parquet file chunk by chunk (bounded memory);
    the number of rows written. The file appears whole or not at all."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    rows = 0
    with pq.ParquetWriter(partial, SCHEMA, compression="snappy") as writer:
        for table in synthetic_facts(**kw):
            writer.write_table(table, row_group_size=len(table))
            rows += len(table)
    partial.replace(path)
    return rows


@dataclass(frozen=True)
class Truth:
    """The simulated parameters behind a synthetic table."""

    learners: pd.DataFrame  # learner, program, cohort, ability, growth, slope_per_year, slow
    raters: pd.DataFrame  # rater, program, severity
    items: pd.DataFrame  # item, difficulty
    programs: pd.DataFrame  # program, effect
    straightlined: pd.DataFrame  # learner, occasion


def synthetic_truth(**kw: Any) -> Truth:
    """The parameters `synthetic_facts(**kw)` drew, replayed from the same seeds (draws the
    parameters only, no rows; meant for test-sized tables)."""
    design = _design(**kw)
    difficulty, effect = _global(design)
    w_p = max(4, len(str(design.programs)))
    w_l = max(6, len(str(design.programs * design.per_cohort * design.cohorts)))
    w_r = max(5, len(str(design.programs * design.raters_per_program)))
    learners, raters, straight = [], [], []
    blocks = -(-design.programs // design.programs_per_chunk)
    for block in range(blocks):
        b = _block_params(design, block)
        keys = [f"l{n:0{w_l}d}" for n in b.learner_number.tolist()]
        learners.append(
            pd.DataFrame(
                {
                    "learner": keys,
                    "program": [f"p{n:0{w_p}d}" for n in b.learner_program.tolist()],
                    "cohort": b.cohort,
                    "ability": b.ability,
                    "growth": b.growth,
                    "slope_per_year": GAIN * b.growth / design.years,
                    "slow": b.slow,
                    "occasions": design.occasions_of(b.cohort),
                }
            )
        )
        first = (int(b.programs[0]) - 1) * design.raters_per_program
        raters.append(
            pd.DataFrame(
                {
                    "rater": [f"r{first + k + 1:0{w_r}d}" for k in range(len(b.severity))],
                    "program": [
                        f"p{n:0{w_p}d}"
                        for n in np.repeat(b.programs, design.raters_per_program).tolist()
                    ],
                    "severity": b.severity,
                }
            )
        )
        rows, cols = np.nonzero(
            b.straight & (np.arange(2 * design.years) < design.occasions_of(b.cohort)[:, None])
        )
        straight.append(pd.DataFrame({"learner": [keys[r] for r in rows], "occasion": cols + 1}))
    return Truth(
        learners=pd.concat(learners, ignore_index=True),
        raters=pd.concat(raters, ignore_index=True),
        items=pd.DataFrame({"item": design.item_codes, "difficulty": difficulty}),
        programs=pd.DataFrame(
            {"program": [f"p{n:0{w_p}d}" for n in range(1, design.programs + 1)], "effect": effect}
        ),
        straightlined=pd.concat(straight, ignore_index=True),
    )
