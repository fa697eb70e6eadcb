"""Both engines for the analytics tests: DuckDB, and one local Spark session per run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from trellis.analytics.engine import Engine, Source, open_engine, spark_session

Open = Callable[..., AbstractContextManager[Engine]]


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """Started once; every parity test shares it (about 10 s to start)."""
    yield spark_session()


@pytest.fixture
def engines(spark: object) -> list[str]:
    return ["duckdb", "spark"]


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.write_text(
        ",".join(header) + "\n" + "".join(",".join(str(v) for v in r) + "\n" for r in rows)
    )
    return path


def opened(source: Source, engine: str) -> AbstractContextManager[Engine]:
    return open_engine(source, engine=engine)
