"""The AAMC Physician Competency Reference Set (PCRS), the reference list of competencies
that the Curriculum Inventory asks a medical school to link its program objectives to.

The catalogue ships its structure as the framework `aamc-pcrs`, each competency coded as
the Curriculum Inventory numbers it (`1.1` is `aamc-pcrs-comp-c0101`). A program objective
says which reference competencies it answers by an isRelatedTo association (the `related`
column of a framework CSV: `aamc-pcrs:1.2;aamc-pcrs:4.1`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from trellis.frameworks.models import Association, Item

PCRS_SLUG = "aamc-pcrs"
# How the AAMC's Curriculum Inventory names a reference competency (as Ilios writes it).
PCRS_URI_BASE = "https://services.aamc.org/30/ci-school-web/pcrs/PCRS.html#"
_CODE = re.compile(r"^(\d{1,2})\.(\d{1,2})$")


def pcrs_id(item: Item) -> str | None:
    """`aamc-pcrs-comp-c0101` for the reference competency coded 1.1; None for any item
    that is not one."""
    match = _CODE.match(item.code)
    if match is None or item.framework.slug != PCRS_SLUG:
        return None
    domain, number = (int(part) for part in match.groups())
    return f"aamc-pcrs-comp-c{domain:02d}{number:02d}"


def pcrs_uri(item: Item) -> str | None:
    found = pcrs_id(item)
    return PCRS_URI_BASE + found if found else None


def pcrs_links(items: Iterable[Item]) -> dict[int, list[Item]]:
    """For each item (by id), the reference competencies it answers: those it is related
    to either way, or the item itself when it is one. Items with none are left out."""
    by_id = {item.pk: item for item in items}
    out: dict[int, list[Item]] = defaultdict(list)
    for item in by_id.values():
        if pcrs_id(item) is not None:
            out[item.pk].append(item)
    pairs = (
        Association.objects.filter(association_type=Association.IS_RELATED_TO)
        .filter(
            Q(origin_id__in=by_id, destination__framework__slug=PCRS_SLUG)
            | Q(destination_id__in=by_id, origin__framework__slug=PCRS_SLUG)
        )
        .select_related("origin__framework", "destination__framework")
        .order_by("id")
    )
    for association in pairs:
        origin, destination = association.origin, association.destination
        if origin is None or destination is None:
            continue
        mine, reference = (origin, destination) if origin.pk in by_id else (destination, origin)
        if pcrs_id(reference) is not None and reference not in out[mine.pk]:
            out[mine.pk].append(reference)
    for found in out.values():
        found.sort(key=lambda i: tuple(int(p) for p in i.code.split(".")))
    return dict(out)
