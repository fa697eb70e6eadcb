"""Write a framework as a 1EdTech CASE 1.1 JSON package (CFPackage).

Deterministic: keys sorted, lists in a stored order, nothing time-dependent except a
native framework's lastChangeDateTime, which is generated once and stored. A framework
imported from CASE is written back from what was kept: its fields, plus everything in
`source`. A native framework (CSV, catalogue) gets what CASE requires made up for it:
URIs, CFItemTypes, isChildOf associations (stored at import) and one CFRubric.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from trellis.frameworks.io.case_import import CRITERION_STUB
from trellis.frameworks.io.common import (
    fallback_name,
    level_number,
    make_identifier,
    node_uri,
)
from trellis.frameworks.models import Association, Framework, Item, LevelDescriptor

# Trellis's own item types, in hierarchy order, for a native framework's CFItemTypes.
TYPE_ORDER = ("Domain", "Competency", "Subcompetency", "EPA")


def _preorder(items: list[Item]) -> list[Item]:
    """Items depth first, siblings by position: the order a reader expects."""
    by_pk = {item.pk: item for item in items}
    children: dict[int | None, list[Item]] = {}
    for item in items:  # already sorted by position, id
        parent = item.parent_id if item.parent_id in by_pk else None
        children.setdefault(parent, []).append(item)
    out: list[Item] = []
    seen: set[int] = set()
    stack = list(reversed(children.get(None, [])))
    while stack:
        item = stack.pop()
        if item.pk in seen:
            continue
        seen.add(item.pk)
        out.append(item)
        stack.extend(reversed(children.get(item.pk, [])))
    out.extend(item for item in items if item.pk not in seen)  # a parent loop made elsewhere
    return out


def _type_identifier(item_type: str) -> str:
    return make_identifier("item-type", item_type)


class _Writer:
    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.native = "CFDocument" not in framework.source
        # A framework made in Trellis without a CASE time stamp reports its creation time,
        # so that exporting stays a pure read and gives the same bytes every time.
        self.stamp = framework.last_change
        if not self.stamp and self.native and framework.created_at:
            self.stamp = framework.created_at.replace(microsecond=0).astimezone(dt.UTC).isoformat()
        self.items = _preorder(list(framework.items.order_by("position", "id")))
        self.by_identifier = {item.identifier: item for item in self.items}
        document_source = framework.source.get("CFDocument")
        uri = document_source.get("uri") if isinstance(document_source, dict) else None
        self.document_uri = uri if isinstance(uri, str) else node_uri(framework.identifier)

    def stamped(self, data: dict[str, Any], identifier: str) -> dict[str, Any]:
        data.setdefault("uri", node_uri(identifier))
        if self.stamp:
            data.setdefault("lastChangeDateTime", self.stamp)
        return data

    def link(self, identifier: str, other: Item | None = None) -> dict[str, str]:
        """A LinkGenURI for an item, the document, or an item of another framework."""
        item = self.by_identifier.get(identifier) or other
        if identifier == self.framework.identifier:
            return {
                "identifier": identifier,
                "title": self.framework.title,
                "uri": self.document_uri,
            }
        if item is None:
            return {"identifier": identifier, "title": identifier, "uri": node_uri(identifier)}
        uri = item.source.get("uri")
        return {
            "identifier": identifier,
            "title": item.code or item.name,
            "uri": uri if isinstance(uri, str) else node_uri(identifier),
        }

    def document(self) -> dict[str, Any]:
        f = self.framework
        source = f.source.get("CFDocument")
        data: dict[str, Any] = dict(source) if isinstance(source, dict) else {}
        data["identifier"] = f.identifier
        fields = {
            "title": f.title,
            "version": f.version,
            "creator": f.creator,
            "publisher": f.publisher,
            "description": f.description,
            "language": f.language,
        }
        for key, value in fields.items():
            if value:
                data.setdefault(key, value)
        if self.native:
            data.setdefault("creator", f.publisher or "Trellis")
            data.setdefault("caseVersion", "1.1")
        ours: dict[str, Any] = {}
        if f.scale_id is not None and f.scale is not None:
            ours["scale"] = f.scale.slug
        if f.developmental:
            ours["developmental"] = True
        extensions = data.get("extensions", {})
        if ours and isinstance(extensions, dict):
            data["extensions"] = {**extensions, "trellis": ours}
        return self.stamped(data, f.identifier)

    def item(self, item: Item) -> dict[str, Any]:
        data = dict(item.source)
        data["identifier"] = item.identifier
        data.setdefault("fullStatement", item.statement)
        for key, value in (
            ("humanCodingScheme", item.code),
            ("CFItemType", item.item_type),
            ("notes", item.notes),
        ):
            if value:
                data.setdefault(key, value)
        if item.name != fallback_name(
            code=item.code, statement=item.statement, identifier=item.identifier
        ):
            data.setdefault("abbreviatedStatement", item.name)
        if self.native and item.item_type:
            type_identifier = _type_identifier(item.item_type)
            data.setdefault(
                "CFItemTypeURI",
                {
                    "identifier": type_identifier,
                    "title": item.item_type,
                    "uri": node_uri(type_identifier),
                },
            )
        return self.stamped(data, item.identifier)

    def association(self, association: Association) -> dict[str, Any]:
        data = dict(association.source)
        data["identifier"] = association.identifier
        data["associationType"] = association.association_type
        if association.sequence_number is not None:
            data["sequenceNumber"] = association.sequence_number
        for key, identifier, other in (
            ("originNodeURI", association.origin_identifier, association.origin),
            ("destinationNodeURI", association.destination_identifier, association.destination),
        ):
            kept = data.get(key)
            data[key] = {**self.link(identifier, other), **(kept if isinstance(kept, dict) else {})}
            data[key]["identifier"] = identifier
        return self.stamped(data, association.identifier)

    def definitions(self) -> Any:
        if "CFDefinitions" in self.framework.source:
            return self.framework.source["CFDefinitions"]
        if not self.native:
            return None
        types = sorted(
            {item.item_type for item in self.items if item.item_type},
            key=lambda t: (TYPE_ORDER.index(t) if t in TYPE_ORDER else len(TYPE_ORDER), t),
        )
        item_types = [
            self.stamped(
                {
                    "identifier": _type_identifier(name),
                    "title": name,
                    "description": name,
                    "typeCode": name,
                    "hierarchyCode": str(number),
                },
                _type_identifier(name),
            )
            for number, name in enumerate(types, start=1)
        ]
        return {
            "CFAssociationGroupings": [],
            "CFConcepts": [],
            "CFItemTypes": item_types,
            "CFLicenses": [],
            "CFSubjects": [],
        }

    def level(self, descriptor: LevelDescriptor, criterion_identifier: str) -> dict[str, Any]:
        kept = descriptor.source.get("level")
        data: dict[str, Any] = dict(kept) if isinstance(kept, dict) else {}
        data["identifier"] = descriptor.identifier
        if descriptor.level is not None:
            data.setdefault("score", level_number(descriptor.level))
        if descriptor.label:
            data.setdefault("quality", descriptor.label)
        if descriptor.text:
            data.setdefault("description", descriptor.text)
        data.setdefault("position", descriptor.position)
        if not isinstance(kept, dict):
            data.setdefault("rubricCriterionId", criterion_identifier)
        return self.stamped(data, descriptor.identifier)

    def rubrics(self) -> list[Any] | None:
        """Rubrics as imported (their skeleton in Framework.source, their levels from the
        descriptors), then one rubric for descriptors made in Trellis."""
        descriptors = LevelDescriptor.objects.filter(item__framework=self.framework).order_by(
            "position", "level", "id"
        )
        order = {item.pk: n for n, item in enumerate(self.items)}
        imported: dict[tuple[str, str], list[LevelDescriptor]] = {}
        native: dict[int, list[LevelDescriptor]] = {}
        for descriptor in sorted(descriptors, key=lambda d: order.get(d.item_id, len(order))):
            kept_rubric = descriptor.source.get("rubric")
            kept_criterion = descriptor.source.get("criterion")
            if isinstance(kept_rubric, dict) and isinstance(kept_criterion, dict):
                key = (str(kept_rubric.get("identifier")), str(kept_criterion.get("identifier")))
                imported.setdefault(key, []).append(descriptor)
            else:
                native.setdefault(descriptor.item_id, []).append(descriptor)

        def criterion(key: tuple[str, str]) -> dict[str, Any]:
            group = imported.pop(key)
            data = dict(group[0].source["criterion"])
            data["CFRubricCriterionLevels"] = [self.level(d, key[1]) for d in group]
            return data

        def rest_of(rubric_identifier: str) -> list[dict[str, Any]]:
            keys = [key for key in imported if key[0] == rubric_identifier]
            return [criterion(key) for key in keys]

        skeleton = self.framework.source.get("CFRubrics")
        out: list[Any] = []
        for rubric in skeleton if isinstance(skeleton, list) else []:
            if not isinstance(rubric, dict) or not isinstance(rubric.get("CFRubricCriteria"), list):
                out.append(rubric)
                continue
            rubric_identifier = str(rubric.get("identifier"))
            criteria = []
            for entry in rubric["CFRubricCriteria"]:
                if not (isinstance(entry, dict) and entry.get(CRITERION_STUB)):
                    criteria.append(entry)  # kept as written
                elif (rubric_identifier, str(entry.get("identifier"))) in imported:
                    criteria.append(criterion((rubric_identifier, str(entry.get("identifier")))))
            out.append({**rubric, "CFRubricCriteria": criteria + rest_of(rubric_identifier)})
        while imported:  # descriptors naming a rubric the skeleton lacks
            key = next(iter(imported))
            fields = dict(imported[key][0].source["rubric"])
            out.append({**fields, "CFRubricCriteria": rest_of(key[0])})
        if native:
            out.append(self.native_rubric(native))
        if not out and not isinstance(skeleton, list):
            return None
        return out

    def native_rubric(self, native: dict[int, list[LevelDescriptor]]) -> dict[str, Any]:
        rubric_identifier = make_identifier(self.framework.identifier, "rubric")
        by_pk = {item.pk: item for item in self.items}
        criteria = []
        for number, (item_pk, group) in enumerate(native.items(), start=1):
            item = by_pk[item_pk]
            criterion_identifier = make_identifier(item.identifier, "criterion")
            criteria.append(
                self.stamped(
                    {
                        "identifier": criterion_identifier,
                        "CFItemURI": self.link(item.identifier),
                        "position": number,
                        "rubricId": rubric_identifier,
                        "CFRubricCriterionLevels": [
                            self.level(d, criterion_identifier) for d in group
                        ],
                    },
                    criterion_identifier,
                )
            )
        return self.stamped(
            {
                "identifier": rubric_identifier,
                "title": self.framework.title,
                "CFRubricCriteria": criteria,
            },
            rubric_identifier,
        )


def case_document(*, framework: Framework) -> dict[str, Any]:
    """The framework's CFDocument, as its package holds it (without writing the rest)."""
    return _Writer(framework).document()


def case_export(*, framework: Framework) -> bytes:
    writer = _Writer(framework)
    package: dict[str, Any] = {}
    extra = framework.source.get("package")
    if isinstance(extra, dict):
        package.update(extra)
    package["CFDocument"] = writer.document()
    package["CFItems"] = [writer.item(item) for item in writer.items]
    associations = framework.associations.select_related("origin", "destination").order_by("id")
    package["CFAssociations"] = [writer.association(a) for a in associations]
    definitions = writer.definitions()
    if definitions is not None:
        package["CFDefinitions"] = definitions
    rubrics = writer.rubrics()
    if rubrics is not None:
        package["CFRubrics"] = rubrics
    return (json.dumps(package, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode(
        "utf-8"
    )
