"""National-report benchmarks: percentile bands of levels per subcompetency and occasion.

The ACGME Milestones National Report's box plots: for each item x review occasion, the
10th, 25th, 50th, 75th and 90th percentiles (linear interpolation, `percentile_cont`) of
the learners' levels across all programs, with the number of learners and programs behind
them. Levels are cells (`trellis.analytics.cells`: committee ratings when there are any).
`n_learners` counts learner-program pairs (a learner rated in two programs counts in each).
A cell with fewer than MINIMUM_GROUP learners is suppressed: its figures are null, so no
report shows what so few learners scored (the usual small-cell rule of education
statistics). A program's median and a learner's percentile rank are read against the band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trellis.analytics.cells import cells_sql
from trellis.analytics.engine import Engine

MINIMUM_GROUP = 5
PERCENTILES = {"p10": 0.1, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p90": 0.9}
BANDS = list(PERCENTILES)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _percentiles(engine: Engine) -> str:
    """All five percentiles in one ordered aggregate (linear interpolation between the
    closest ranks, as percentile_cont), as an array `bands`."""
    fractions = ", ".join(str(p) for p in PERCENTILES.values())
    if engine.name == "spark":
        return f"percentile(level, array({fractions})) AS bands"
    return f"quantile_cont(level, [{fractions}]) AS bands"


def benchmarks(engine: Engine) -> pd.DataFrame:
    """Per item x occasion: n_learners, n_programs, suppressed, p10, p25, p50, p75, p90
    (null when suppressed: fewer than MINIMUM_GROUP learners)."""
    frame = engine.query(
        f"SELECT item, CAST(occasion AS INTEGER) AS occasion, "
        "CAST(COUNT(*) AS BIGINT) AS n_learners, "
        f"CAST(COUNT(DISTINCT program) AS BIGINT) AS n_programs, {_percentiles(engine)} "
        f"FROM ({cells_sql(engine)}) cells GROUP BY item, occasion ORDER BY item, occasion"
    )
    bands = pd.DataFrame(
        [list(map(float, v)) for v in frame.pop("bands")], columns=BANDS, index=frame.index
    )
    frame = pd.concat([frame, bands], axis=1)
    for column in ("occasion", "n_learners", "n_programs"):
        frame[column] = frame[column].astype(np.int64)
    suppressed = frame["n_learners"] < MINIMUM_GROUP
    frame.insert(4, "suppressed", suppressed.astype(bool))
    frame.loc[suppressed, BANDS] = np.nan
    return frame


def _position(value: float, band: pd.Series) -> str | None:
    if pd.isna(value) or band[BANDS].isna().any():
        return None
    for name, label in (("p10", "below p10"), ("p25", "p10-p25"), ("p50", "p25-p50")):
        if value < band[name]:
            return label
    for name, label in (("p75", "p50-p75"), ("p90", "p75-p90")):
        if value <= band[name]:
            return label
    return "above p90"


def program_position(engine: Engine, *, program: str) -> pd.DataFrame:
    """Per item x occasion: the program's median level and learners (median null under
    MINIMUM_GROUP learners) beside the national band, and where the median falls in it."""
    mine = engine.query(
        "SELECT item, CAST(occasion AS INTEGER) AS occasion, "
        "CAST(COUNT(*) AS BIGINT) AS program_learners, "
        "CAST(percentile_cont(0.5) WITHIN GROUP (ORDER BY level) AS DOUBLE) AS program_median "
        f"FROM ({cells_sql(engine, where=f'program = {_quote(program)}')}) cells "
        "GROUP BY item, occasion ORDER BY item, occasion"
    )
    mine["occasion"] = mine["occasion"].astype(np.int64)
    mine["program_learners"] = mine["program_learners"].astype(np.int64)
    mine.loc[mine["program_learners"] < MINIMUM_GROUP, "program_median"] = np.nan
    frame = mine.merge(benchmarks(engine), on=["item", "occasion"], how="left")
    frame["position"] = [
        _position(value, band)
        for value, (_, band) in zip(frame["program_median"], frame.iterrows(), strict=True)
    ]
    frame.insert(0, "program", program)
    return frame.sort_values(["item", "occasion"], ignore_index=True)


def learner_position(engine: Engine, *, learner: str) -> pd.DataFrame:
    """Per item x occasion the learner has a level on: the level, the learners in the cell
    (n) and the learner's percentile rank in it, mid-rank for ties: 100 * (below + equal
    / 2) / n (null when n < MINIMUM_GROUP)."""
    cells = cells_sql(engine)
    frame = engine.query(
        f"WITH cells AS ({cells}), mine AS (SELECT item, occasion, level FROM cells "
        f"WHERE learner = {_quote(learner)}) "
        "SELECT m.item, CAST(m.occasion AS INTEGER) AS occasion, m.level, "
        "CAST(COUNT(*) AS BIGINT) AS n, "
        "CAST(SUM(CASE WHEN c.level < m.level THEN 1 ELSE 0 END) AS BIGINT) AS below, "
        "CAST(SUM(CASE WHEN c.level = m.level THEN 1 ELSE 0 END) AS BIGINT) AS equal "
        "FROM mine m JOIN cells c ON c.item = m.item AND c.occasion = m.occasion "
        "GROUP BY m.item, m.occasion, m.level ORDER BY m.item, m.occasion, m.level"
    )
    for column in ("occasion", "n", "below", "equal"):
        frame[column] = frame[column].astype(np.int64)
    rank = 100.0 * (frame["below"] + frame["equal"] / 2.0) / frame["n"]
    frame["percentile_rank"] = rank.where(frame["n"] >= MINIMUM_GROUP)
    frame.insert(0, "learner", learner)
    return frame
