"""Crosswalks: how a program moves from one framework version to the next and keeps its
history.

A crosswalk is a set of links, source item -> target item. What happened to each item is
read from the links, never stored (`item_changes`): one source to one target is the same
item (or renamed), one to several is a split, several to one a merge, a target no link
reaches is new, a source with no link is retired.

Applying a crosswalk to a program (`crosswalk_apply`) adopts the target version and marks
the old adoption replaced. Nothing is rewritten: ratings, committee levels, mappings and
plans keep their original item. Readers show them against the new items through
`items_through(program=...)`, which names where each carried row came from.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from trellis.audit.services import audit_record, snapshot
from trellis.frameworks.models import Adoption, Crosswalk, CrosswalkLink, Framework, Item
from trellis.people.models import Institution, Program, User

# Two names at least this alike (difflib's ratio, after normalising) are proposed as one item.
NAME_MATCH_RATIO = 0.85


class CrosswalkError(ValueError):
    """A crosswalk change or application the rules refuse; the message says why."""


# --- reading the links -------------------------------------------------------------------


class Change:
    SAME = "same"
    RENAMED = "renamed"
    SPLIT = "split"
    MERGED = "merged"
    REGROUPED = "regrouped"
    NEW = "new"
    RETIRED = "retired"

    LABELS = {
        SAME: "Same",
        RENAMED: "Renamed",
        SPLIT: "Split",
        MERGED: "Merged",
        REGROUPED: "Split and merged",
        NEW: "New",
        RETIRED: "Retired",
    }


@dataclass
class ItemChange:
    """One connected group of links: the source items and the target items they become."""

    kind: str
    sources: list[Item] = field(default_factory=list)
    targets: list[Item] = field(default_factory=list)
    links: list[CrosswalkLink] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Change.LABELS[self.kind]


def _kind(sources: list[Item], targets: list[Item]) -> str:
    if not targets:
        return Change.RETIRED
    if not sources:
        return Change.NEW
    if len(sources) == 1 and len(targets) == 1:
        s, t = sources[0], targets[0]
        same = s.code == t.code and _normal(s.name) == _normal(t.name)
        return Change.SAME if same else Change.RENAMED
    if len(sources) == 1:
        return Change.SPLIT
    if len(targets) == 1:
        return Change.MERGED
    return Change.REGROUPED


def item_changes(*, crosswalk: Crosswalk) -> list[ItemChange]:
    """Every item of both versions, grouped by the links that join them, in the source's
    order (new items last, in the target's order). Three queries."""
    sources = list(crosswalk.source.items.order_by("position", "id"))
    targets = list(crosswalk.target.items.order_by("position", "id"))
    links = list(crosswalk.links.order_by("id"))
    # Union-find over ("s", id) and ("t", id): each component is one change.
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(node: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for link in links:
        parent[find(("s", link.source_item_id))] = find(("t", link.target_item_id))
    groups: dict[tuple[str, int], ItemChange] = {}
    order: list[ItemChange] = []

    def group_of(node: tuple[str, int]) -> ItemChange:
        root = find(node)
        if root not in groups:
            groups[root] = ItemChange(kind="")
            order.append(groups[root])
        return groups[root]

    for item in sources:
        group_of(("s", item.pk)).sources.append(item)
    for item in targets:
        group_of(("t", item.pk)).targets.append(item)
    for link in links:
        group_of(("s", link.source_item_id)).links.append(link)
    for change in order:
        change.kind = _kind(change.sources, change.targets)
    return order


def translate(*, crosswalk: Crosswalk) -> dict[int, list[int]]:
    """Source item id -> the target item ids it became (retired items are absent)."""
    out: dict[int, list[int]] = defaultdict(list)
    for source_id, target_id in crosswalk.links.order_by("id").values_list(
        "source_item_id", "target_item_id"
    ):
        out[source_id].append(target_id)
    return dict(out)


@dataclass(frozen=True)
class Carried:
    """An item a program moved on from, and the current items it is read under."""

    item_id: int
    code: str
    name: str
    framework: str
    to: tuple[int, ...]

    @property
    def label(self) -> str:
        """Where a carried row came from, for a person: "PC1, Internal Medicine 1.0"."""
        return f"{self.code or self.name}, {self.framework}"


def items_through(
    *, program: Program, adoptions: list[Adoption] | None = None
) -> dict[int, Carried]:
    """Old item id -> where it is read now, through every crosswalk the program moved
    through (v1 -> v2 -> v3 reads v1's items under v3's); a retired item is absent. One
    query for a program that never moved, none where the caller passes `adoptions`, every
    adoption of the program it already loaded (replaced ones too)."""
    if adoptions is None:
        adoptions = list(Adoption.objects.filter(program=program).exclude(replaced_at=None))
    replaced = [a.crosswalk_id for a in adoptions if a.replaced_at and a.crosswalk_id]
    if not replaced:
        return {}
    steps: dict[int, list[int]] = defaultdict(list)
    rows = CrosswalkLink.objects.filter(crosswalk_id__in=replaced).values_list(
        "source_item_id", "target_item_id"
    )
    for source_id, target_id in rows.order_by("crosswalk_id", "id"):
        steps[source_id].append(target_id)
    current = set(
        Item.objects.filter(
            framework__adoptions__program=program, framework__adoptions__replaced_at=None
        ).values_list("pk", flat=True)
    )
    old = Item.objects.filter(pk__in=list(steps)).select_related("framework")
    out: dict[int, Carried] = {}
    for item in old:
        out[item.pk] = Carried(
            item_id=item.pk,
            code=item.code,
            name=item.name,
            framework=str(item.framework),
            to=tuple(_follow(item.pk, steps, current)),
        )
    return out


def _follow(item_id: int, steps: dict[int, list[int]], current: set[int]) -> list[int]:
    """The current items `item_id` leads to, following links until they reach one."""
    found: list[int] = []
    frontier, seen = [item_id], {item_id}
    while frontier:
        node = frontier.pop(0)
        for nxt in steps.get(node, []):
            if nxt in current and nxt not in found:
                found.append(nxt)
            elif nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return found


# --- proposing and editing ---------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def crosswalk_match(*, source: Framework, target: Framework) -> list[tuple[Item, Item]]:
    """Proposed links: items of the same kind with the same code first, then, among those
    left, the most alike name at NAME_MATCH_RATIO or above. A person reviews the result."""
    sources = list(source.items.order_by("position", "id"))
    targets = list(target.items.order_by("position", "id"))
    by_code = {(t.kind, _normal(t.code)): t for t in targets if t.code}
    pairs: list[tuple[Item, Item]] = []
    taken: set[int] = set()
    left: list[Item] = []
    for s in sources:
        t = by_code.get((s.kind, _normal(s.code))) if s.code else None
        if t is not None and t.pk not in taken:
            pairs.append((s, t))
            taken.add(t.pk)
        else:
            left.append(s)
    for s in left:
        best, ratio = None, NAME_MATCH_RATIO
        for t in targets:
            if t.pk in taken or t.kind != s.kind:
                continue
            r = difflib.SequenceMatcher(None, _normal(s.name), _normal(t.name)).ratio()
            if r >= ratio:
                best, ratio = t, r
        if best is not None:
            pairs.append((s, best))
            taken.add(best.pk)
    return pairs


@transaction.atomic
def crosswalk_propose(
    *, source: Framework, target: Framework, institution: Institution, acting_user: User | None
) -> Crosswalk:
    """The institution's crosswalk from `source` to `target`, made with proposed links if
    it did not exist (asking again returns the same one, unchanged)."""
    if source.pk == target.pk:
        raise CrosswalkError("A crosswalk joins two different frameworks.")
    for framework in (source, target):
        # Its members read the crosswalk: it may not show another institution's items.
        if framework.institution_id not in (None, institution.pk):
            raise CrosswalkError(f"{framework} belongs to another institution.")
    crosswalk, created = Crosswalk.objects.get_or_create(
        institution=institution,
        source=source,
        target=target,
        defaults={"created_by": acting_user},
    )
    if created:
        pairs = crosswalk_match(source=source, target=target)
        CrosswalkLink.objects.bulk_create(
            CrosswalkLink(crosswalk=crosswalk, source_item=s, target_item=t) for s, t in pairs
        )
        audit_record(
            actor=acting_user,
            action="crosswalk.propose",
            target=crosswalk,
            after={**snapshot(crosswalk, ["source", "target"]), "links": len(pairs)},
            institution=institution,
        )
    return crosswalk


def crosswalk_applied_programs(*, crosswalk: Crosswalk) -> QuerySet[Program]:
    return Program.objects.filter(adoptions__crosswalk=crosswalk).distinct()


def _editable(crosswalk: Crosswalk) -> None:
    if crosswalk_applied_programs(crosswalk=crosswalk).exists():
        raise CrosswalkError(
            "This crosswalk has been applied to a program; it can no longer change."
        )


def _unreview(crosswalk: Crosswalk) -> None:
    """An edited crosswalk needs reviewing again before it is applied."""
    if crosswalk.reviewed_at is not None:
        crosswalk.reviewed_at = None
        crosswalk.reviewed_by = None
        crosswalk.save(update_fields=["reviewed_at", "reviewed_by"])


@transaction.atomic
def crosswalk_link_add(
    *, crosswalk: Crosswalk, source_item: Item, target_item: Item, acting_user: User | None
) -> CrosswalkLink:
    """Link two items (an existing link is returned as it is)."""
    Crosswalk.objects.select_for_update().filter(pk=crosswalk.pk).first()
    _editable(crosswalk)
    if source_item.framework_id != crosswalk.source_id:
        raise CrosswalkError(f"{source_item} is not an item of {crosswalk.source}.")
    if target_item.framework_id != crosswalk.target_id:
        raise CrosswalkError(f"{target_item} is not an item of {crosswalk.target}.")
    link, created = CrosswalkLink.objects.get_or_create(
        crosswalk=crosswalk, source_item=source_item, target_item=target_item
    )
    if created:
        _unreview(crosswalk)
        audit_record(
            actor=acting_user,
            action="crosswalk.link_add",
            target=crosswalk,
            after=snapshot(link, ["source_item", "target_item"]),
            institution=crosswalk.institution,
        )
    return link


@transaction.atomic
def crosswalk_link_remove(*, link: CrosswalkLink, acting_user: User | None) -> None:
    crosswalk = link.crosswalk
    _editable(crosswalk)
    before = snapshot(link, ["source_item", "target_item"])
    link.delete()
    _unreview(crosswalk)
    audit_record(
        actor=acting_user,
        action="crosswalk.link_remove",
        target=crosswalk,
        before=before,
        institution=crosswalk.institution,
    )


@transaction.atomic
def crosswalk_mark_reviewed(*, crosswalk: Crosswalk, acting_user: User | None) -> Crosswalk:
    """A person has read every link: the crosswalk may now be applied."""
    if crosswalk.reviewed_at is None:
        crosswalk.reviewed_at = timezone.now()
        crosswalk.reviewed_by = acting_user
        crosswalk.save(update_fields=["reviewed_at", "reviewed_by"])
        audit_record(
            actor=acting_user,
            action="crosswalk.review",
            target=crosswalk,
            after={"links": crosswalk.links.count()},
            institution=crosswalk.institution,
        )
    return crosswalk


@transaction.atomic
def crosswalk_apply(
    *, program: Program, crosswalk: Crosswalk, acting_user: User | None
) -> Adoption:
    """Move `program` from the crosswalk's source version to its target. The target is
    adopted (graduation target and framework-wide expected levels carried over) and the
    old adoption is marked replaced; no rating, level, mapping or plan is rewritten.
    Applying it again returns the same adoption."""
    if program.institution_id != crosswalk.institution_id:
        raise CrosswalkError("The crosswalk belongs to another institution.")
    old = (
        Adoption.objects.select_for_update()
        .filter(program=program, framework=crosswalk.source)
        .first()
    )
    if old is None:
        raise CrosswalkError(f"{program.name} does not use {crosswalk.source}.")
    if old.replaced_at is not None:
        if old.crosswalk_id == crosswalk.pk and old.replaced_by is not None:
            return old.replaced_by
        raise CrosswalkError(f"{program.name} already moved on from {crosswalk.source}.")
    if not crosswalk.is_reviewed:
        raise CrosswalkError("Review the crosswalk before applying it.")
    new, created = Adoption.objects.get_or_create(
        program=program,
        framework=crosswalk.target,
        defaults={"graduation_level": old.graduation_level},
    )
    if new.replaced_at is not None:
        raise CrosswalkError(f"{program.name} already moved on from {crosswalk.target}.")
    if created:
        for row in old.expected_levels.filter(item__isnull=True):
            new.expected_levels.create(training_year=row.training_year, level=row.level)
    before = snapshot(old, ["replaced_at", "replaced_by", "crosswalk"])
    old.replaced_at = timezone.now()
    old.replaced_by = new
    old.crosswalk = crosswalk
    old.save(update_fields=["replaced_at", "replaced_by", "crosswalk"])
    audit_record(
        actor=acting_user,
        action="crosswalk.apply",
        target=old,
        before=before,
        after={
            **snapshot(old, ["replaced_at", "replaced_by", "crosswalk"]),
            "framework": str(crosswalk.target),
        },
        program=program,
    )
    return new


def adoptions_replaced(*, program: Program) -> QuerySet[Adoption]:
    """The versions the program moved on from, newest move first, with where it went."""
    return (
        Adoption.objects.filter(program=program)
        .exclude(replaced_at=None)
        .select_related("framework", "replaced_by__framework", "crosswalk")
        .order_by("-replaced_at", "-id")
    )


def framework_now(*, program: Program, framework: Framework) -> Framework:
    """The version of `framework` that `program` uses now: `framework` itself unless the
    program moved on from it through crosswalks, then the version it moved to last."""
    adoption = Adoption.objects.filter(program=program, framework=framework).first()
    seen: set[int] = set()
    while adoption is not None and adoption.replaced_by_id and adoption.pk not in seen:
        seen.add(adoption.pk)
        adoption = Adoption.objects.select_related("framework").get(pk=adoption.replaced_by_id)
    return adoption.framework if adoption is not None else framework
