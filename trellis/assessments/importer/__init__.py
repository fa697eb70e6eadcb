"""Assessments from another system's export, read through a declarative mapping.

`mapping` reads and checks the mapping file, `records` reads the export and turns each
record into a draft, `services` checks the drafts against the database and writes them.
"""

from __future__ import annotations

from trellis.assessments.importer.mapping import (
    Mapping,
    MappingError,
    mapping_load,
    mapping_parse,
)
from trellis.assessments.importer.records import MAX_RECORDS, read_records, record_hash
from trellis.assessments.importer.services import ImportResult, assessments_import

__all__ = [
    "MAX_RECORDS",
    "ImportResult",
    "Mapping",
    "MappingError",
    "assessments_import",
    "mapping_load",
    "mapping_parse",
    "read_records",
    "record_hash",
]
