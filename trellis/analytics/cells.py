"""The cell: one level per learner x item x occasion, the unit of PPV, growth and benchmarks.

A Clinical Competency Committee's milestone rating is the level of record, so when the
table holds any committee rows the cell is the committee's rating (their mean, should a
committee have rated a cell twice); a table of observations alone gives the mean of the
rated (observed) rows instead. Written once here so every analysis means the same cell.
"""

from __future__ import annotations

from trellis.analytics.engine import Engine
from trellis.analytics.facts import COMMITTEE

RATED = "level IS NOT NULL AND NOT COALESCE(not_observed, FALSE)"


def has_committee(engine: Engine) -> bool:
    """Whether any row is a committee's rating."""
    frame = engine.query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM "
        f"(SELECT 1 AS one FROM facts WHERE form_kind = '{COMMITTEE}' LIMIT 1) t"
    )
    return bool(int(frame["n"].iloc[0]))


def cell_filter(engine: Engine) -> str:
    """The WHERE condition of the rows that make cells."""
    if has_committee(engine):
        return f"{RATED} AND form_kind = '{COMMITTEE}'"
    return RATED


def cells_sql(engine: Engine, *, where: str = "") -> str:
    """A subquery of cells: program, learner, item, occasion, level (DOUBLE)."""
    extra = f" AND ({where})" if where else ""
    return (
        "SELECT program, learner, item, occasion, CAST(AVG(level) AS DOUBLE) AS level "
        f"FROM facts WHERE {cell_filter(engine)}{extra} "
        "GROUP BY program, learner, item, occasion"
    )
