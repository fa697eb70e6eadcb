"""The engines: DuckDB on one machine, Apache Spark beyond it, behind one `query`.

Every analysis is SQL over a view named `facts` (the columns of `facts.COLUMNS`),
written in the dialect both engines share (CAST, COUNT(DISTINCT), window functions,
`percentile_cont(...) WITHIN GROUP`), followed by statistics in Python on the small
result. So both engines run the very same queries, and give the same answers.

A source is a Parquet or CSV file, or an Arrow table (a program's export). DuckDB
checks it first, whichever engine runs: a missing column, a value of the wrong type or
an empty file is refused with a `FactError` naming the column and the row.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import duckdb
import pandas as pd
import pyarrow as pa

from trellis.analytics.facts import (
    COLUMNS,
    DEFAULTS,
    LEVEL_RANGE,
    REQUIRED,
    SQL_TYPES,
    FactError,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ENGINES = ("duckdb", "spark")
Source: TypeAlias = "Path | pa.Table"

# DuckDB's names for the types a typed file may already carry.
_DUCK_TYPES = {
    "STRING": {"VARCHAR"},
    "INTEGER": {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT"},
    "DOUBLE": {"DOUBLE", "FLOAT", "DECIMAL(3,1)"},
    "DATE": {"DATE"},
    "BOOLEAN": {"BOOLEAN"},
}


class Engine(Protocol):
    name: str

    def query(self, sql: str) -> pd.DataFrame: ...

    def materialise(self, name: str, sql: str) -> str:
        """Compute `sql` once and keep it as the relation `name` (a `facts_...` name) for
        later queries on this engine; the name to select from."""
        ...


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _raw_relation(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[str, bool]:
    """Register the source as `raw` with a row number `__row`; True when it is text."""
    if isinstance(source, pa.Table):
        con.register("__arrow", source)
        con.execute("CREATE TEMP VIEW raw AS SELECT row_number() OVER () AS __row, * FROM __arrow")
        return "arrow table", False
    path = Path(source)
    if not path.is_file():
        raise FactError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise FactError(f"{path}: the file is empty")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            con.execute(
                "CREATE TEMP VIEW raw AS SELECT file_row_number + 1 AS __row, * "
                f"EXCLUDE (file_row_number) FROM read_parquet({_quote(path)}, file_row_number=true)"
            )
            text = False
        elif suffix in {".csv", ".txt"}:
            con.execute(
                "CREATE TEMP VIEW raw AS SELECT row_number() OVER () AS __row, * FROM "
                f"read_csv({_quote(path)}, header=true, all_varchar=true, auto_detect=true)"
            )
            text = True
        else:
            raise FactError(f"{path}: give a .parquet or .csv file")
        con.execute("SELECT 1 FROM raw LIMIT 1").fetchall()
    except duckdb.Error as exc:
        raise FactError(f"{path}: cannot be read ({str(exc).splitlines()[0]})") from exc
    return str(path), text


def _row_label(row: int, text: bool) -> str:
    return f"row {row} (line {row + 1})" if text else f"row {row}"


def _check(con: duckdb.DuckDBPyConnection, name: str, text: bool) -> tuple[list[str], bool]:
    """Refuse the first bad value of each column; return the view's select list and
    whether there is any row at all."""
    described = con.execute("DESCRIBE raw").fetchall()
    present = {row[0].lower(): (row[0], row[1]) for row in described if row[0] != "__row"}
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        raise FactError(f"{name}: missing column(s) {', '.join(missing)}")
    (count,) = con.execute("SELECT count(*) FROM raw").fetchone() or (0,)
    if not count:
        raise FactError(f"{name}: the file has no rows")
    select = []
    for column, kind in SQL_TYPES.items():
        if column not in present:
            select.append(f"CAST({DEFAULTS.get(column, 'NULL')} AS {kind}) AS {column}")
            continue
        original, duck_type = present[column]
        src = f'"{original}"'
        if duck_type.upper() in _DUCK_TYPES[kind]:
            value = f"CAST({src} AS {kind})"
        else:
            value = f"CAST(NULLIF(TRIM(CAST({src} AS VARCHAR)), '') AS {kind})"
            bad = con.execute(
                f"SELECT __row, CAST({src} AS VARCHAR) FROM raw "
                f"WHERE NULLIF(TRIM(CAST({src} AS VARCHAR)), '') IS NOT NULL "
                f"AND TRY_CAST(NULLIF(TRIM(CAST({src} AS VARCHAR)), '') AS {kind}) IS NULL "
                "ORDER BY __row LIMIT 1"
            ).fetchone()
            if bad:
                raise FactError(
                    f"{name}: {_row_label(bad[0], text)}, column {column}: "
                    f"{bad[1]!r} is not {_KIND_WORDS[kind]}"
                )
        if column in REQUIRED and column != "level":
            empty = con.execute(
                f"SELECT min(__row) FROM raw WHERE {value} IS NULL"
                if kind != "STRING"
                else f"SELECT min(__row) FROM raw WHERE NULLIF(TRIM({src}), '') IS NULL"
            ).fetchone()
            if empty and empty[0] is not None:
                raise FactError(f"{name}: {_row_label(empty[0], text)}, column {column}: empty")
        select.append(f"{value} AS {column}")
    return select, True


_KIND_WORDS = {
    "INTEGER": "a whole number",
    "DOUBLE": "a number",
    "DATE": "a date (YYYY-MM-DD)",
    "BOOLEAN": "true or false",
    "STRING": "text",
}


def _check_levels(con: duckdb.DuckDBPyConnection, name: str, text: bool) -> None:
    low, high = LEVEL_RANGE
    for column in ("level", "committee_level"):
        bad = con.execute(
            f"SELECT min_by(__row, __row), min_by({column}, __row) FROM __typed "
            f"WHERE {column} < {low} OR {column} > {high} OR isnan({column}) "
            f"OR isinf({column})"
        ).fetchone()
        if bad and bad[0] is not None:
            raise FactError(
                f"{name}: {_row_label(bad[0], text)}, column {column}: {bad[1]} is outside "
                f"{low:g}-{high:g}"
            )


@dataclass
class DuckDBEngine:
    con: duckdb.DuckDBPyConnection
    name: str = "duckdb"
    made: set[str] = field(default_factory=set)

    def query(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def materialise(self, name: str, sql: str) -> str:
        if name not in self.made:
            self.con.execute(f"CREATE TEMP TABLE {name} AS {sql}")
            self.made.add(name)
        return name


def _duck_facts(source: Source, *, threads: int | None = None) -> DuckDBEngine:
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    name, text = _raw_relation(con, source)
    select, _ = _check(con, name, text)
    con.execute(f"CREATE TEMP VIEW __typed AS SELECT __row, {', '.join(select)} FROM raw")
    _check_levels(con, name, text)
    columns = ", ".join(COLUMNS)
    con.execute(f"CREATE TEMP VIEW facts AS SELECT {columns} FROM __typed")
    return DuckDBEngine(con=con)


@dataclass
class SparkEngine:
    spark: SparkSession
    view: str
    name: str = "spark"
    made: dict[str, Any] = field(default_factory=dict)

    def _sql(self, sql: str) -> str:
        # `facts` and the relations made from it (`facts_cells`) are this engine's views.
        return re.sub(r"\bfacts(_\w+)?\b", lambda m: self.view + (m.group(1) or ""), sql)

    def query(self, sql: str) -> pd.DataFrame:
        return self.spark.sql(self._sql(sql)).toArrow().to_pandas()

    def materialise(self, name: str, sql: str) -> str:
        if name not in self.made:
            frame = self.spark.sql(self._sql(sql)).cache()
            frame.createOrReplaceTempView(self._sql(name))
            self.made[name] = frame
        return name

    def release(self) -> None:
        for name, frame in self.made.items():
            self.spark.catalog.dropTempView(self._sql(name))
            frame.unpersist()


_spark: SparkSession | None = None


def spark_session() -> SparkSession:
    """One local Spark session per process (SPARK_MASTER for a cluster), quiet and
    offline: no UI, bound to the loopback address."""
    global _spark
    if _spark is None:
        from pyspark.sql import SparkSession

        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        _spark = (
            SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[2]"))
            .appName("trellis-analytics")
            .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "2g"))
            .config("spark.ui.enabled", "false")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.ansi.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        _spark.sparkContext.setLogLevel("ERROR")
    return _spark


_views = 0


@contextmanager
def open_engine(source: Source, *, engine: str = "duckdb") -> Iterator[Engine]:
    """The engine asked for, with `facts` checked and registered."""
    if engine not in ENGINES:
        raise FactError(f"unknown engine {engine!r}: choose {' or '.join(ENGINES)}")
    duck = _duck_facts(source)
    if engine == "duckdb":
        try:
            yield duck
        finally:
            duck.con.close()
        return
    global _views
    with tempfile.TemporaryDirectory(prefix="trellis-facts-") as folder:
        typed = Path(folder) / "facts.parquet"
        duck.con.execute(f"COPY facts TO {_quote(typed)} (FORMAT parquet)")
        duck.con.close()
        spark = spark_session()
        _views += 1
        view = f"facts_{_views}"
        spark.read.parquet(str(typed)).createOrReplaceTempView(view)
        made = SparkEngine(spark=spark, view=view)
        try:
            yield made
        finally:
            made.release()
            spark.catalog.dropTempView(view)
