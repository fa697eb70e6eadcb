"""Straight-lining: a learner given one level across every item at a review occasion, which
says more about the form-filling than about the learner.

Method: per program, the learner x occasion pairs with at least two items rated (the
committee's ratings where the program has any, else every rated row; see
`gstudy.scored_rows`), and the share of them where every rating of every item is the same
level (MIN(level) = MAX(level)), computed in SQL. The share is set beside the national
figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trellis.analytics.engine import Engine
from trellis.analytics.gstudy import scored_rows

# The national figure quoted in the issue: about 6-7% of emergency-medicine residents were
# straight-lined (one milestone level on every subcompetency) in the national milestone data.
NATIONAL_STRAIGHTLINING = 0.065

COLUMNS = ["program", "learner_occasions", "straightlined", "share", "national_share"]

_COLUMNS = (
    "COALESCE(r.program, '') AS program, r.learner AS learner, r.occasion AS occasion, "
    "r.item AS item, CAST(r.level AS DOUBLE) AS level"
)

# Composed from constants only, hence the S608 waiver.
_SQL = f"""
WITH src AS ({scored_rows(_COLUMNS, by_program=True)}),
lo AS (
  SELECT program, learner, occasion, COUNT(DISTINCT item) AS items,
  MIN(level) AS low, MAX(level) AS high
  FROM src GROUP BY program, learner, occasion)
SELECT program, CAST(COUNT(*) AS BIGINT) AS learner_occasions,
  CAST(SUM(CASE WHEN low = high THEN 1 ELSE 0 END) AS BIGINT) AS straightlined
FROM lo WHERE items >= 2
GROUP BY program ORDER BY program
"""


def straightlining(engine: Engine) -> pd.DataFrame:
    """One row per program: learner x occasion pairs with >= 2 items rated, how many were
    straight-lined, the share, and the national share for comparison."""
    frame = engine.query(_SQL)
    frame["learner_occasions"] = frame["learner_occasions"].astype("int64")
    frame["straightlined"] = frame["straightlined"].astype("int64")
    total = frame["learner_occasions"].to_numpy(dtype=float)
    frame["share"] = np.where(total > 0, frame["straightlined"] / np.maximum(total, 1), np.nan)
    frame["national_share"] = NATIONAL_STRAIGHTLINING
    return frame[COLUMNS].reset_index(drop=True)
