"""Analytics benchmark: the national report's suite on a national-size fact table.

    .venv/bin/python bench/analytics_bench.py                  # 26M rows, DuckDB vs pandas
    .venv/bin/python bench/analytics_bench.py --rows 100m      # the 100M variant
    .venv/bin/python bench/analytics_bench.py --spark          # also Spark local mode

Writes the synthetic table (trellis.analytics.synthetic) under --data if it is not there
yet, then times, each in its own fresh subprocess: opening the table (the engine's checks)
and `run_suite` on DuckDB; a plain pandas implementation of the suite's heavy queries
(reading the Parquet's needed columns, then groupby/pivot/quantile); and, with --spark,
the Spark suite. Peak memory is each child's maxrss (getrusage). Prints a table with the
ratios. No database, no network.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES: dict[str, dict[str, int]] = {
    # 13,000 programs of 12 learners in training (4 a cohort, 4 cohorts), 22 items, with
    # one observation per learner and item: about 25M rows.
    "26m": {
        "programs": 13_000,
        "learners_per_program": 12,
        "observations_per_learner_item": 1,
    },
    # Four times the programs: about 100M rows.
    "100m": {
        "programs": 52_000,
        "learners_per_program": 12,
        "observations_per_learner_item": 1,
    },
    "tiny": {"programs": 200, "learners_per_program": 12, "observations_per_learner_item": 1},
}


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _suite(path: Path, engine_name: str) -> dict[str, Any]:
    """Open the table on the engine (its checks) and run the suite: both timed."""
    from trellis.analytics.engine import open_engine
    from trellis.analytics.suite import run_suite

    start = time.perf_counter()
    with open_engine(path, engine=engine_name) as engine:
        opened = time.perf_counter()
        tables = run_suite(engine)
        done = time.perf_counter()
    return {
        "open_s": opened - start,
        "suite_s": done - opened,
        "rows": {k: len(v) for k, v in tables.items()},
    }


def _pandas(path: Path) -> dict[str, Any]:
    """The suite's aggregations in plain pandas: the same cells, groupings and counts the
    SQL does (the statistics on the small results are left out: they are the same code)."""
    import numpy as np
    import pandas as pd

    start = time.perf_counter()
    columns = ["learner", "rater", "program", "assessment", "item", "occasion", "level"]
    import pyarrow.parquet as pq

    # Keys as categoricals (dictionary columns): the fair way to hold 25M string keys in
    # pandas; as Python objects they would take several times the memory.
    keys = ["learner", "rater", "program", "assessment", "item", "form_kind"]
    facts = pq.read_table(path, columns=[*columns, "form_kind"], read_dictionary=keys).to_pandas()
    opened = time.perf_counter()
    committee = facts[facts["form_kind"] == "committee"]
    observed = facts[facts["form_kind"] != "committee"]
    out: dict[str, int] = {}

    # gstudy p x i: balanced learner x item cells per occasion, sums of squares.
    cell = committee.groupby(["occasion", "learner", "item"], observed=True)["level"].mean()
    cell = cell.reset_index()
    n_i = cell.groupby("occasion", observed=True)["item"].nunique()
    per = cell.groupby(["occasion", "learner"], observed=True)["item"].transform("size")
    bal = cell[per == cell["occasion"].map(n_i)]
    g = bal.groupby("occasion", observed=True)["level"].transform("mean")
    p = bal.groupby(["occasion", "learner"], observed=True)["level"].transform("mean")
    i = bal.groupby(["occasion", "item"], observed=True)["level"].transform("mean")
    ss = pd.DataFrame({"o": bal["occasion"], "pi": (bal["level"] - p - i + g) ** 2})
    out["gstudy"] = len(ss.groupby("o", observed=True)["pi"].sum())

    # Rater profiles and shared cells.
    prof = observed.groupby("rater", observed=True).agg(
        n=("level", "size"),
        mean=("level", "mean"),
        sd=("level", "std"),
        lo=("level", "min"),
        hi=("level", "max"),
        learners=("learner", "nunique"),
        assessments=("assessment", "nunique"),
    )
    cr = observed.groupby(["rater", "learner", "item", "occasion"], observed=True)["level"].agg(
        ["sum", "size"]
    )
    out["raters"] = len(prof) + len(cr) * 0

    # Straight-lining: learner-occasions with one level on every item.
    lo = committee.groupby(["program", "learner", "occasion"], observed=True)["level"].agg(
        ["min", "max"]
    )
    out["straightlining"] = len(
        (lo["min"] == lo["max"]).groupby(level="program", observed=True).mean()
    )

    # PPV: cells per learner x item, the final level, past learners, 2x2 counts.
    cells = committee.groupby(["program", "learner", "item", "occasion"], observed=True)[
        "level"
    ].mean()
    wide = cells.unstack("occasion")
    last = wide.notna().to_numpy()[:, ::-1].argmax(axis=1)
    occasions = wide.columns.to_numpy()
    last_occasion = occasions[len(occasions) - 1 - last]
    final = wide.to_numpy()[np.arange(len(wide)), len(occasions) - 1 - last]
    frame = pd.DataFrame({"last": last_occasion, "final": final}, index=wide.index).reset_index()
    frame["program_last"] = frame.groupby("program", observed=True)["last"].transform("max")
    past = frame["last"].to_numpy() == frame["program_last"].to_numpy()
    counts = []
    for k in occasions[:-1]:
        level = wide[k].to_numpy()[past]
        base = frame[past][["program", "item"]].assign(nr=frame["final"][past] < 4)
        for t in (1.5, 2.0, 2.5, 3.0, 3.5):
            c = base.assign(ab=level <= t, n=~np.isnan(level))
            c["abnr"] = c["ab"] & c["nr"]
            counts.append(
                c.groupby(["program", "item"], observed=True)[["n", "nr", "ab", "abnr"]].sum()
            )
    out["ppv"] = sum(len(c) for c in counts)

    # Benchmarks: percentile bands of cells per item x occasion.
    cells = cells.reset_index()
    bands = cells.groupby(["item", "occasion"], observed=True)["level"].quantile(
        [0.1, 0.25, 0.5, 0.75, 0.9]
    )
    programs = cells.groupby(["item", "occasion"], observed=True)["program"].nunique()
    out["benchmarks"] = len(bands.unstack()) + len(programs) * 0
    done = time.perf_counter()
    return {"open_s": opened - start, "suite_s": done - opened, "rows": out}


def _duckdb(path: Path) -> dict[str, Any]:
    return _suite(path, "duckdb")


def _spark(path: Path) -> dict[str, Any]:
    from trellis.analytics.engine import spark_session

    spark_session()  # started before the clock: the session's start is not the suite's
    return _suite(path, "spark")


WORKERS = {"duckdb": _duckdb, "pandas": _pandas, "spark": _spark}


def _child(kind: str, path: Path) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its result and peak memory."""
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, __file__, "--worker", kind, "--file", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DEBUG": os.environ.get("DEBUG", "1")},
    )
    if done.returncode:
        raise SystemExit(f"{kind} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", choices=sorted(SIZES), default="26m")
    parser.add_argument("--data", type=Path, default=ROOT / "var" / "analytics-bench")
    parser.add_argument("--spark", action="store_true", help="also time Spark local mode")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        result = WORKERS[args.worker](args.file)
        result["peak_mib"] = _maxrss_mib()
        print(json.dumps(result))
        return

    from trellis.analytics.synthetic import write_synthetic

    args.data.mkdir(parents=True, exist_ok=True)
    path = args.data / f"facts-{args.rows}.parquet"
    if not path.exists():
        start = time.perf_counter()
        rows = write_synthetic(path, **SIZES[args.rows])
        took = time.perf_counter() - start
        print(f"wrote {rows:,} rows to {path} in {took:.1f} s (peak {_maxrss_mib():.0f} MiB)")
    import pyarrow.parquet as pq

    rows = pq.ParquetFile(path).metadata.num_rows
    size = path.stat().st_size / 2**20
    print(f"{path}: {rows:,} rows, {size:.0f} MiB, {os.cpu_count()} cores")

    kinds = ["duckdb", *([] if args.skip_pandas else ["pandas"]), *(["spark"] * args.spark)]
    results = {kind: _child(kind, path) for kind in kinds}
    print("\n| engine | open/read s | suite s | process s | peak MiB |")
    print("|---|---|---|---|---|")
    for kind, r in results.items():
        print(
            f"| {kind} | {r['open_s']:.1f} | {r['suite_s']:.1f} | {r['process_s']:.1f} "
            f"| {r['peak_mib']:.0f} |"
        )
    if "pandas" in results:
        duck, pandas = results["duckdb"], results["pandas"]
        speed = (pandas["open_s"] + pandas["suite_s"]) / (duck["open_s"] + duck["suite_s"])
        print(
            f"\npandas / duckdb: {speed:.1f}x the time (read+suite vs open+suite), "
            f"{pandas['suite_s'] / duck['suite_s']:.1f}x the suite alone, "
            f"{pandas['peak_mib'] / duck['peak_mib']:.1f}x the peak memory"
        )
    print("result rows:", json.dumps(results["duckdb"]["rows"]))


if __name__ == "__main__":
    main()
