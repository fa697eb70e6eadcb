"""The cell: one level per learner x item x occasion, the unit of PPV, growth and benchmarks.

A Clinical Competency Committee's milestone rating is the level of record, so when the
table holds any committee rows the cell is the committee's rating (their mean, should a
committee have rated a cell twice); a table of observations alone gives the mean of the
rated (observed) rows instead. Written once here so every analysis means the same cell.
"""

from __future__ import annotations

from trellis.analytics.engine import Engine
from trellis.analytics.facts import COMMITTEE


def rated(prefix: str = "") -> str:
    """SQL predicate for rows that carry a rating (`prefix` is a table alias and a dot)."""
    return (
        f"{prefix}level IS NOT NULL AND NOT COALESCE({prefix}not_observed, FALSE)"
        f" AND {prefix}learner IS NOT NULL AND {prefix}item IS NOT NULL"
    )


RATED = rated()


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


def cells_table(engine: Engine) -> str:
    """The cells (program, learner, item, occasion, level DOUBLE), computed once per opened
    engine and shared by every analysis that reads them: grouping tens of millions of
    rows into cells is the suite's dearest step, so it is done once."""
    return engine.materialise(
        "facts_cells",
        "SELECT program, learner, item, occasion, CAST(AVG(level) AS DOUBLE) AS level "
        f"FROM facts WHERE {cell_filter(engine)} AND occasion IS NOT NULL "
        "GROUP BY program, learner, item, occasion",
    )


def cells_sql(engine: Engine, *, where: str = "") -> str:
    """A subquery of the cells, optionally filtered (`where` over their columns)."""
    extra = f" WHERE {where}" if where else ""
    return f"SELECT program, learner, item, occasion, level FROM {cells_table(engine)}{extra}"
