"""The demo's consortium: a pooled, pseudonymous history of committee levels from 200
residency programs, written by the same synthetic generator the tests and benchmarks use
(`trellis.analytics.synthetic`). The risk figures of the demo residency are calibrated
against it (the setting TRELLIS_ANALYTICS_HISTORY points here by default)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings

from trellis.analytics.synthetic import write_synthetic

PROGRAMS = 200
LEARNERS_PER_PROGRAM = 12
COHORTS = 8


def write_consortium_history(*, path: Path | None = None, seed: int = 11) -> tuple[Path, int]:
    """Write the history file (about 0.7 million committee ratings, a second or two)."""
    target = Path(path or settings.TRELLIS_ANALYTICS_HISTORY)
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = write_synthetic(
        target,
        programs=PROGRAMS,
        learners_per_program=LEARNERS_PER_PROGRAM,
        cohorts=COHORTS,
        start_year=dt.date.today().year - COHORTS,
        seed=seed,
    )
    return target, rows
