"""The analyses by name, and their output as a table, CSV or one JSON document.

`trellis analytics NAME` (committees' management command) and the tests use this, so
the command line names each analysis once.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from trellis.analytics.engine import Engine

FORMATS = ("table", "csv", "json")
Tables = dict[str, pd.DataFrame]


def _gstudy(engine: Engine, **options: Any) -> Tables:
    from trellis.analytics.gstudy import gstudy

    return {"gstudy": gstudy(engine, design=options.get("design") or "p x i")}


def _raters(engine: Engine, **options: Any) -> Tables:
    from trellis.analytics.raters import rater_severity

    return {"raters": rater_severity(engine)}


def _straightlining(engine: Engine, **options: Any) -> Tables:
    from trellis.analytics.straightlining import straightlining

    return {"straightlining": straightlining(engine)}


def _ppv(engine: Engine, **options: Any) -> Tables:
    from trellis.analytics.ppv import ppv_table

    return {"ppv": ppv_table(engine)}


def _growth(engine: Engine, **options: Any) -> Tables:
    from trellis.analytics.growth import growth

    programs, learners = growth(engine)
    return {"programs": programs, "learners": learners}


def _benchmarks(engine: Engine, **options: Any) -> Tables:
    from trellis.analytics.benchmarks import benchmarks

    return {"benchmarks": benchmarks(engine)}


ANALYSES: dict[str, Callable[..., Tables]] = {
    "gstudy": _gstudy,
    "raters": _raters,
    "straightlining": _straightlining,
    "ppv": _ppv,
    "growth": _growth,
    "benchmarks": _benchmarks,
}


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    out = []
    for row in frame.to_dict(orient="records"):
        clean: dict[str, object] = {}
        for key, value in row.items():
            missing = value is None or value is pd.NaT
            if missing or (isinstance(value, float) and not math.isfinite(value)):
                clean[str(key)] = None
            elif hasattr(value, "item"):  # numpy scalars
                clean[str(key)] = value.item()
            else:
                clean[str(key)] = value if not pd.isna(value) else None
        out.append(clean)
    return out


def render(tables: Tables, fmt: str) -> str:
    """Every table of an analysis: a text table each, CSV with a header row (tables one
    after another, a blank line between), or one JSON object of row lists."""
    if fmt == "json":
        return json.dumps({name: _records(f) for name, f in tables.items()}, default=str) + "\n"
    parts = []
    for name, frame in tables.items():
        if fmt == "csv":
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False, lineterminator="\n")
            parts.append(buffer.getvalue())
        else:
            body = frame.to_string(index=False, float_format=lambda v: f"{v:.4g}")
            parts.append(
                f"{name} ({len(frame)} rows)\n{body}\n" if len(frame) else f"{name}: none\n"
            )
    return "\n".join(parts)
