"""Framework import and export: the Trellis CSV layout, 1EdTech CASE 1.1 JSON packages and
MedBiquitous Competency Framework XML.

The public entry points are `framework_import` and `framework_export` in
`trellis.frameworks.services`; this package holds the readers and writers they use.
"""

from __future__ import annotations

FORMATS = ("csv", "case", "medbiq")


def sniff_format(*, content: bytes, filename: str) -> str:
    """'csv', 'case' or 'medbiq', from the file name's extension, else from the first
    character."""
    name = filename.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".json"):
        return "case"
    if name.endswith(".xml"):
        return "medbiq"
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return {b"{": "case", b"[": "case", b"<": "medbiq"}.get(head, "csv")
