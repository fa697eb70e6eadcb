"""Straight-lining: a learner given one level across every item at a review occasion, which
says more about the form-filling than about the learner.

Method: per program, the learner x occasion pairs with at least two items rated (the
cells of `cells`: the committee's ratings where the table has any, else the mean of the
rated rows), and the share of them where every item has the same level (MIN(level) =
MAX(level)), computed in SQL. The share is set beside the national
figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trellis.analytics.cells import cells_table
from trellis.analytics.engine import Engine

# The national figure quoted in the issue: about 6-7% of emergency-medicine residents were
# straight-lined (one milestone level on every subcompetency) in the national milestone data.
NATIONAL_STRAIGHTLINING = 0.065

COLUMNS = ["program", "learner_occasions", "straightlined", "share", "national_share"]


def _sql(engine: Engine) -> str:
    return f"""
WITH lo AS (
  SELECT COALESCE(program, '') AS program, learner, occasion, COUNT(*) AS items,
  MIN(level) AS low, MAX(level) AS high
  FROM {cells_table(engine)} GROUP BY COALESCE(program, ''), learner, occasion)
SELECT program, CAST(COUNT(*) AS BIGINT) AS learner_occasions,
  CAST(SUM(CASE WHEN low = high THEN 1 ELSE 0 END) AS BIGINT) AS straightlined
FROM lo WHERE items >= 2
GROUP BY program ORDER BY program
"""


def straightlining(engine: Engine) -> pd.DataFrame:
    """One row per program: learner x occasion pairs with >= 2 items rated, how many were
    straight-lined, the share, and the national share for comparison."""
    frame = engine.query(_sql(engine))
    frame["learner_occasions"] = frame["learner_occasions"].astype("int64")
    frame["straightlined"] = frame["straightlined"].astype("int64")
    total = frame["learner_occasions"].to_numpy(dtype=float)
    frame["share"] = np.where(total > 0, frame["straightlined"] / np.maximum(total, 1), np.nan)
    frame["national_share"] = NATIONAL_STRAIGHTLINING
    return frame[COLUMNS].reset_index(drop=True)
