"""The analytics suite: the national report's analyses in one call, as the bench times it.

Generalizability (p x i), rater severity, straight-lining, the PPV at-risk table and the
benchmark bands, each over the same `facts` view, each one or a few SQL aggregations and
then statistics in Python on the small result (see the modules for the methods).
"""

from __future__ import annotations

import pandas as pd

from trellis.analytics.benchmarks import benchmarks
from trellis.analytics.engine import Engine
from trellis.analytics.gstudy import gstudy
from trellis.analytics.ppv import ppv_table
from trellis.analytics.raters import rater_severity
from trellis.analytics.straightlining import straightlining

SUITE = ("gstudy", "raters", "straightlining", "ppv", "benchmarks")


def run_suite(engine: Engine) -> dict[str, pd.DataFrame]:
    """Every analysis of SUITE on `engine`, by name, in that order."""
    return {
        "gstudy": gstudy(engine, design="p x i"),
        "raters": rater_severity(engine),
        "straightlining": straightlining(engine),
        "ppv": ppv_table(engine),
        "benchmarks": benchmarks(engine),
    }
