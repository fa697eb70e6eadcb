"""Helpers shared by the CSV and CASE readers and writers."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from urllib.parse import quote

from django.utils import timezone

from trellis.frameworks.models import ItemKind

# Identifiers Trellis makes up are name-based (uuid5) under this namespace, so importing
# the same file twice, or on two servers, gives the same CASE identifiers.
NAMESPACE = uuid.UUID("6f1c0d52-3a4e-5b7d-9c1a-2e8f4b6d0a13")

UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)

# CSV `kind` -> (Item.kind, the CASE CFItemType Trellis writes for it).
CSV_KINDS: dict[str, tuple[str, str]] = {
    "domain": (ItemKind.DOMAIN, "Domain"),
    "competency": (ItemKind.COMPETENCY, "Competency"),
    "subcompetency": (ItemKind.SUBCOMPETENCY, "Subcompetency"),
    "epa": (ItemKind.EPA, "EPA"),
    "item": (ItemKind.OTHER, ""),
}
KIND_TO_CSV = {kind: name for name, (kind, _type) in CSV_KINDS.items()}

_TYPE_KINDS = {
    "domain": ItemKind.DOMAIN,
    "competency": ItemKind.COMPETENCY,
    "subcompetency": ItemKind.SUBCOMPETENCY,
    "epa": ItemKind.EPA,
    "entrustableprofessionalactivity": ItemKind.EPA,
}

NAME_LENGTH = 120


def make_identifier(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def kind_for_item_type(item_type: str) -> str:
    """Item.kind for a CASE CFItemType, matched by name ignoring case, spaces and hyphens."""
    key = re.sub(r"[\s_\-]+", "", item_type).lower()
    if key.endswith("ies"):
        key = key[:-3] + "y"
    elif key.endswith("s"):
        key = key[:-1]
    return _TYPE_KINDS.get(key, ItemKind.OTHER)


def fallback_name(*, code: str, statement: str, identifier: str) -> str:
    """An item's short name when its source gives none: its code, else its statement cut short."""
    if code:
        return code[:255]
    text = " ".join(statement.split())
    if len(text) > NAME_LENGTH:
        cut = text[: NAME_LENGTH - 1]
        if " " in cut:
            cut = cut.rsplit(" ", 1)[0]
        text = cut + "\u2026"
    return text or identifier[:255]


def node_uri(identifier: str) -> str:
    """A URI for something Trellis exports without one of its own."""
    if UUID_RE.match(identifier):
        return f"urn:uuid:{identifier.lower()}"
    return f"urn:trellis:{quote(identifier, safe='')}"


def now_stamp() -> str:
    """A CASE lastChangeDateTime for now, to the second, in UTC."""
    return timezone.now().replace(microsecond=0).astimezone(dt.UTC).isoformat()


def level_number(value: Decimal) -> int | float:
    """A level as JSON: 3 rather than 3.0, 1.5 as is."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def level_text(value: Decimal) -> str:
    """A level as in a CSV column name: 3, 1.5."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")
