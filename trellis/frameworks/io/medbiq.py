"""MedBiquitous Competency Framework XML (competencyframework/v1), in and out, for a whole
framework in one file.

Out: a `CompetencyFramework` whose LOM names the framework (identifier, title,
description, version), an `Includes` per item, a `Relation` per tree edge (skos
`narrower`, parent to child) and per EPA bundle (skos `related`), then the items
themselves as `co:CompetencyObject` elements (the schema's open content at the end of the
framework): LOM identifier (the item's URI, and its code under the catalog `code`),
title (the name), description (the statement) and a `co:Category` with the item's kind.
Trellis's own settings (scale, developmental, slug) ride in one element of its own
namespace. Level descriptors are not part of the format: use CASE for a full copy.

In: the same shape from any tool. An `Includes` needs its `CompetencyObject` in the file
(Trellis does not fetch anything); `broader`/`narrower` relations make the tree, `related`
ones EPA bundles. Refusals name the line.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

from lxml import etree

from trellis.frameworks.io.common import (
    UUID_RE,
    fallback_name,
    kind_for_item_type,
    make_identifier,
)
from trellis.frameworks.io.errors import Problems
from trellis.frameworks.io.plan import (
    AssociationPlan,
    FrameworkPlan,
    ItemPlan,
    is_slug,
    tree_associations,
)
from trellis.frameworks.models import Association, Framework, Item, ItemKind, Scale

CF = "http://ns.medbiq.org/competencyframework/v1/"
CO = "http://ns.medbiq.org/competencyobject/v1/"
LOM = "http://ltsc.ieee.org/xsd/LOM"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
TRELLIS = "urn:trellis:medbiq:v1"
SKOS = "http://www.w3.org/2004/02/skos/core#"
KIND_SCHEME = "urn:trellis:item-kind"
CODE_CATALOG = "code"
MAX_BYTES = 20 * 1024 * 1024
MAX_ITEMS = 20_000
TYPE_NAMES = {
    ItemKind.DOMAIN: "Domain",
    ItemKind.COMPETENCY: "Competency",
    ItemKind.SUBCOMPETENCY: "Subcompetency",
    ItemKind.EPA: "EPA",
    ItemKind.OTHER: "",
}


def item_uri(identifier: str) -> str:
    if UUID_RE.match(identifier):
        return f"urn:uuid:{identifier.lower()}"
    if re.match(r"^(https?://|urn:)\S+$", identifier):
        return identifier
    return "urn:trellis:item:" + quote(identifier, safe="")


def identifier_of(uri: str) -> str:
    if uri.lower().startswith("urn:uuid:") and UUID_RE.match(uri[9:]):
        return uri[9:].lower()
    if uri.startswith("urn:trellis:item:"):
        return unquote(uri[len("urn:trellis:item:") :])
    return uri


# --- out --------------------------------------------------------------------------------


def _el(parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> Any:
    el = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def write_lom(
    parent: etree._Element,
    identifiers: list[tuple[str, str]],
    title: str,
    description: str = "",
    version: str = "",
) -> None:
    """A LOM record: identifiers (catalog, entry), title, description, version."""
    lom = _el(parent, LOM, "lom")
    general = _el(lom, LOM, "general")
    for catalog, entry in identifiers:
        ident = _el(general, LOM, "identifier")
        _el(ident, LOM, "catalog", catalog)
        _el(ident, LOM, "entry", entry)
    _el(_el(general, LOM, "title"), LOM, "string", title.strip() or identifiers[0][1])
    if description.strip():
        _el(_el(general, LOM, "description"), LOM, "string", description.strip())
    if version.strip():
        _el(_el(_el(lom, LOM, "lifeCycle"), LOM, "version"), LOM, "string", version.strip())


def _reference(parent: etree._Element, tag: str, uri: str) -> None:
    ref = _el(parent, CF, tag)
    _el(ref, CF, "Catalog", "URI")
    _el(ref, CF, "Entry", uri)


def _relation(root: etree._Element, one: str, relationship: str, two: str) -> None:
    rel = _el(root, CF, "Relation")
    _reference(rel, "Reference1", one)
    _el(rel, CF, "Relationship", SKOS + relationship)
    _reference(rel, "Reference2", two)


def medbiq_export(*, framework: Framework) -> bytes:
    items = list(framework.items.order_by("position", "id"))
    root = etree.Element(
        f"{{{CF}}}CompetencyFramework",
        nsmap={None: CF, "lom": LOM, "co": CO, "xsi": XSI, "trellis": TRELLIS},
    )
    root.set(f"{{{XSI}}}schemaLocation", f"{CF} competencyframework.xsd")
    write_lom(
        root,
        [("URI", item_uri(framework.identifier))],
        framework.title,
        framework.description,
        framework.version,
    )
    for item in items:
        _reference(root, "Includes", item_uri(item.identifier))
    by_pk = {item.pk: item for item in items}
    for item in items:
        if item.parent_id in by_pk:
            parent = by_pk[item.parent_id]
            _relation(root, item_uri(parent.identifier), "narrower", item_uri(item.identifier))
    related = framework.associations.filter(
        association_type=Association.IS_RELATED_TO, origin__isnull=False
    ).order_by("id")
    for a in related:
        _relation(
            root, item_uri(a.origin_identifier), "related", item_uri(a.destination_identifier)
        )
    for item in items:
        _object(root, item)
    own = {"slug": framework.slug}
    if framework.scale is not None:
        own["scale"] = framework.scale.slug
    if framework.developmental:
        own["developmental"] = "true"
    for key in ("creator", "publisher", "language"):
        if getattr(framework, key):
            own[key] = getattr(framework, key)
    _el(root, TRELLIS, "framework", **own)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _object(root: etree._Element, item: Item) -> None:
    co = _el(root, CO, "CompetencyObject")
    identifiers = [("URI", item_uri(item.identifier))]
    if item.code:
        identifiers.append((CODE_CATALOG, item.code))
    statement = item.statement if item.statement != item.name else ""
    write_lom(co, identifiers, item.name, statement)
    _el(co, CO, "Category", term=item.kind, scheme=KIND_SCHEME)


# --- in ---------------------------------------------------------------------------------


def _text(el: etree._Element | None, path: str) -> str:
    if el is None:
        return ""
    found = el.find(path, {"lom": LOM, "cf": CF, "co": CO})
    return (found.text or "").strip() if found is not None else ""


def _lom_identifiers(lom: etree._Element | None) -> list[tuple[str, str]]:
    if lom is None:
        return []
    out = []
    for ident in lom.iterfind("lom:general/lom:identifier", {"lom": LOM}):
        out.append((_text(ident, "lom:catalog"), _text(ident, "lom:entry")))
    return out


def _load(content: bytes, problems: Problems) -> etree._Element | None:
    if len(content) > MAX_BYTES:
        problems.add(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
        return None
    parser = etree.XMLParser(
        no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        problems.add(f"not well-formed XML: {exc.msg}", line=exc.lineno)
        return None
    if root.tag != f"{{{CF}}}CompetencyFramework":
        problems.add(
            "the root element must be a MedBiquitous CompetencyFramework "
            f"({{{CF}}}CompetencyFramework)",
            line=root.sourceline,
        )
        return None
    return root


def _framework(root: etree._Element, problems: Problems) -> FrameworkPlan | None:
    lom = root.find(f"{{{LOM}}}lom")
    identifiers = _lom_identifiers(lom)
    uri = next((entry for catalog, entry in identifiers if entry), "")
    title = _text(lom, "lom:general/lom:title/lom:string")
    if not uri:
        problems.add("the framework's lom:general/lom:identifier is required", line=root.sourceline)
    if not title:
        problems.add("the framework's lom:general/lom:title is required", line=root.sourceline)
    if not uri or not title:
        return None
    plan = FrameworkPlan(
        identifier=identifier_of(uri)[:255],
        title=title[:255],
        format="medbiq",
        version=_text(lom, "lom:lifeCycle/lom:version/lom:string")[:64],
        description=_text(lom, "lom:general/lom:description/lom:string"),
    )
    own = root.find(f"{{{TRELLIS}}}framework")
    if own is not None:
        plan.creator = own.get("creator", "")[:255]
        plan.publisher = own.get("publisher", "")[:255]
        plan.language = own.get("language", "")[:16]
        plan.developmental = own.get("developmental") == "true"
        slug = own.get("slug", "")
        plan.slug = slug if is_slug(slug) else ""
        scale = own.get("scale")
        if scale:
            plan.scale = Scale.objects.filter(slug=scale).first()
            if plan.scale is None:
                problems.add(f"unknown scale {scale!r}", line=own.sourceline, field="scale")
    return plan


def _objects(root: etree._Element, problems: Problems) -> dict[str, etree._Element]:
    found: dict[str, etree._Element] = {}
    for co in root.iterfind(f"{{{CO}}}CompetencyObject"):
        identifiers = _lom_identifiers(co.find(f"{{{LOM}}}lom"))
        uri = next((e for c, e in identifiers if c == "URI"), "")
        uri = uri or next((e for _, e in identifiers if e), "")
        if not uri:
            problems.add("a CompetencyObject has no lom identifier", line=co.sourceline)
        elif uri in found:
            problems.add(f"two CompetencyObjects are {uri}", line=co.sourceline)
        else:
            found[uri] = co
    return found


def _item(uri: str, co: etree._Element, position: int, problems: Problems) -> ItemPlan:
    lom = co.find(f"{{{LOM}}}lom")
    code = next((e for c, e in _lom_identifiers(lom) if c == CODE_CATALOG), "")[:64]
    name = _text(lom, "lom:general/lom:title/lom:string")
    statement = _text(lom, "lom:general/lom:description/lom:string") or name
    identifier = identifier_of(uri)[:255]
    category = co.find(f"{{{CO}}}Category")
    term = category.get("term", "") if category is not None else ""
    kind = ItemKind(term if term in ItemKind.values else kind_for_item_type(term))
    if not name:
        problems.add(f"{uri} has no lom:general/lom:title", line=co.sourceline)
    return ItemPlan(
        identifier=identifier,
        kind=kind,
        item_type=TYPE_NAMES.get(kind, ""),
        code=code,
        name=name[:255] or fallback_name(code="", statement=statement, identifier=identifier),
        statement=statement or identifier,
        position=position,
    )


def _references(rel: etree._Element) -> tuple[str, str, str]:
    return (
        _text(rel, "cf:Reference1/cf:Entry"),
        _text(rel, "cf:Relationship"),
        _text(rel, "cf:Reference2/cf:Entry"),
    )


def _relations(
    root: etree._Element, plan: FrameworkPlan, uris: dict[str, ItemPlan], problems: Problems
) -> None:
    for rel in root.iterfind(f"{{{CF}}}Relation"):
        one, relationship, two = _references(rel)
        if one not in uris or two not in uris:
            missing = one if one not in uris else two
            problems.add(f"the relation names {missing}, which the framework does not include",
                         line=rel.sourceline)  # fmt: skip
            continue
        if relationship == SKOS + "related":
            origin, destination = uris[one].identifier, uris[two].identifier
            plan.associations.append(
                AssociationPlan(
                    identifier=make_identifier(
                        plan.identifier, Association.IS_RELATED_TO, origin, destination
                    ),
                    association_type=Association.IS_RELATED_TO,
                    origin_identifier=origin,
                    destination_identifier=destination,
                )
            )
            continue
        parent, child = (one, two) if relationship == SKOS + "narrower" else (two, one)
        if uris[child].parent not in (None, uris[parent].identifier):
            problems.add(f"{child} has two broader items", line=rel.sourceline)
        uris[child].parent = uris[parent].identifier


def _tree(plan: FrameworkPlan, problems: Problems) -> None:
    by_id = {item.identifier: item for item in plan.items}
    for item in plan.items:
        seen, node = {item.identifier}, item
        while node.parent is not None:
            if node.parent in seen:
                problems.add(f"the broader/narrower relations loop at {item.identifier}")
                return
            seen.add(node.parent)
            node = by_id[node.parent]
    tree_associations(plan, plan.items)


def medbiq_parse(*, content: bytes) -> tuple[FrameworkPlan | None, Problems]:
    problems = Problems()
    root = _load(content, problems)
    plan = _framework(root, problems) if root is not None else None
    if root is None or plan is None:
        return None, problems
    objects = _objects(root, problems)
    uris: dict[str, ItemPlan] = {}
    for position, include in enumerate(root.iterfind(f"{{{CF}}}Includes"), start=1):
        uri = _text(include, "cf:Entry")
        if uri in uris:
            problems.add(f"{uri} is included twice", line=include.sourceline)
        elif uri not in objects:
            problems.add(
                f"{uri} is included but its CompetencyObject is not in the file "
                "(Trellis imports a framework with its objects)",
                line=include.sourceline,
            )
        else:
            uris[uri] = _item(uri, objects[uri], position, problems)
        if len(uris) > MAX_ITEMS:
            problems.add(f"more than {MAX_ITEMS} items", line=include.sourceline)
            return None, problems
    plan.items = list(uris.values())
    _relations(root, plan, uris, problems)
    if not problems:
        _tree(plan, problems)
    return plan, problems
