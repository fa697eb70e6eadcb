"""The rating fact table: one row per rating, pseudonymous, documented in docs/formats.md.

This is the one data contract of analytics. A program's table is built from the
operational database by `trellis.committees.facts`; a consortium pools its programs'
Parquet files; anyone may hand in a CSV with at least REQUIRED columns. Every analysis
reads only this table, so analytics knows no operational model.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import pyarrow as pa

# name -> Arrow type. `level` holds half levels; `committee_level` is set on the rows
# that are a committee's rating (form_kind "committee"), equal to `level` there.
COLUMNS: dict[str, pa.DataType] = {
    "learner": pa.string(),
    "rater": pa.string(),
    "program": pa.string(),
    "institution": pa.string(),
    "assessment": pa.string(),
    "framework": pa.string(),
    "item": pa.string(),
    "item_kind": pa.string(),
    "training_year": pa.int16(),
    "month_in_training": pa.int16(),
    "date": pa.date32(),
    "period": pa.string(),
    "occasion": pa.int16(),
    "assessor_role": pa.string(),
    "form_kind": pa.string(),
    "level": pa.float64(),
    "not_observed": pa.bool_(),
    "committee_level": pa.float64(),
    "comment_chars": pa.int32(),
}
SCHEMA = pa.schema([pa.field(name, kind) for name, kind in COLUMNS.items()])

# What a hand-made CSV must name; the other columns get a default (below).
REQUIRED = ("learner", "rater", "item", "occasion", "level")

# SQL kinds per column, for the engines' CASTs (portable between DuckDB and Spark SQL).
SQL_TYPES: dict[str, str] = {
    "learner": "STRING",
    "rater": "STRING",
    "program": "STRING",
    "institution": "STRING",
    "assessment": "STRING",
    "framework": "STRING",
    "item": "STRING",
    "item_kind": "STRING",
    "training_year": "INTEGER",
    "month_in_training": "INTEGER",
    "date": "DATE",
    "period": "STRING",
    "occasion": "INTEGER",
    "assessor_role": "STRING",
    "form_kind": "STRING",
    "level": "DOUBLE",
    "not_observed": "BOOLEAN",
    "committee_level": "DOUBLE",
    "comment_chars": "INTEGER",
}

# Defaults for optional columns a file leaves out: one program, observation rows.
DEFAULTS: dict[str, str] = {
    "program": "'all'",
    "not_observed": "FALSE",
    "form_kind": "'observation'",
}

COMMITTEE = "committee"
GRADUATION_TARGET = 4.0  # ACGME Level 4: the graduation target
LEVEL_RANGE = (0.0, 9.0)  # any scale Trellis holds fits in here


class FactError(ValueError):
    """A fact file that cannot be analysed, with the column and row to fix."""


@dataclass(frozen=True)
class Pseudonymiser:
    """Stable keys per install: an HMAC of the kind and id under the install's key, so the
    same person has the same key in every export and no key reveals who it is."""

    secret: bytes

    def key(self, kind: str, pk: object) -> str:
        digest = hmac.new(self.secret, f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()
        return f"{kind[0]}{digest[:15]}"


def occasion_of(month_in_training: int) -> int:
    """The semiannual review occasion a month in training belongs to: months 1-6 are
    occasion 1, 7-12 occasion 2, and so on."""
    return (max(month_in_training, 1) - 1) // 6 + 1


def table_from_rows(rows: list[dict[str, object]]) -> pa.Table:
    """The fact table from row dicts (each with every column of COLUMNS)."""
    return pa.Table.from_pylist(rows, schema=SCHEMA)
