"""Read a framework from a 1EdTech CASE JSON package (a CFPackage, CASE 1.0 or 1.1).

The mapping is in docs/formats.md. The reader is strict about what it needs (identifiers,
statements, where associations point) and lenient about everything else: fields Trellis
does not model, and values it cannot map exactly, are kept verbatim in `source` and written
back on export, so a package round-trips. Problems are reported by JSON path.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from trellis.frameworks.io.common import fallback_name, kind_for_item_type
from trellis.frameworks.io.errors import Problems
from trellis.frameworks.io.plan import AssociationPlan, DescriptorPlan, FrameworkPlan, ItemPlan
from trellis.frameworks.models import Association, Scale
from trellis.lib.importing import UnreadableFile, read_json

# What one package may hold (docs/formats.md, "Limits"): ten times the largest framework
# published, so that a file that is not a framework is refused before it is planned.
MAX_ITEMS = 20_000
MAX_ASSOCIATIONS = 50_000

# A criterion whose levels became level descriptors is kept in Framework.source as this stub,
# so export puts it back in its place.
CRITERION_STUB = "trellis:fromDescriptors"
IDENTIFIER_LENGTH = 255
INTEGER = re.compile(r"^\s*-?\d+\s*$")


def _take(rest: dict[str, Any], key: str, limit: int | None = None) -> str:
    """A non-empty string field for a model column, removed from `rest`. A value that is not
    a non-empty string, or is too long for the column, stays in `rest` (so export writes it
    back as it was) and the column gets what fits."""
    value = rest.get(key)
    if not isinstance(value, str) or not value:
        return ""
    if limit is not None and len(value) > limit:
        return value[:limit]
    del rest[key]
    return value


def _identifier(obj: dict[str, Any], path: str, problems: Problems) -> str | None:
    value = obj.get("identifier")
    if value is None or value == "":
        problems.add("required", field=f"{path}.identifier")
        return None
    if not isinstance(value, str):
        problems.add("must be a string", field=f"{path}.identifier")
        return None
    if len(value) > IDENTIFIER_LENGTH:
        problems.add(f"longer than {IDENTIFIER_LENGTH} characters", field=f"{path}.identifier")
        return None
    return value


def _objects(
    package: dict[str, Any], key: str, problems: Problems
) -> list[tuple[str, dict[str, Any]]]:
    """The entries of a top-level list, with their JSON paths; non-objects are problems."""
    value = package.get(key, [])
    if not isinstance(value, list):
        problems.add("must be a list", field=key)
        return []
    out = []
    for index, entry in enumerate(value):
        path = f"{key}[{index}]"
        if isinstance(entry, dict):
            out.append((path, entry))
        else:
            problems.add("must be an object", field=path)
    return out


def _load(content: bytes, problems: Problems) -> dict[str, Any] | None:
    try:
        package = read_json(content)
    except UnreadableFile as exc:
        problems.add(exc.reason, line=exc.line)
        return None
    if not isinstance(package, dict):
        problems.add("a CASE package is a JSON object with a CFDocument")
        return None
    for key, limit in (("CFItems", MAX_ITEMS), ("CFAssociations", MAX_ASSOCIATIONS)):
        entries = package.get(key)
        if isinstance(entries, list) and len(entries) > limit:
            problems.add(f"more than {limit} entries ({len(entries)}); split it", field=key)
            return None
    return package


def _document(package: dict[str, Any], problems: Problems) -> FrameworkPlan | None:
    document = package.get("CFDocument")
    if not isinstance(document, dict):
        problems.add("required: a CASE package has one CFDocument object", field="CFDocument")
        return None
    identifier = _identifier(document, "CFDocument", problems)
    rest = dict(document)
    rest.pop("identifier", None)
    title = _take(rest, "title", 255)
    if not title:
        problems.add("required", field="CFDocument.title")
    plan = FrameworkPlan(
        identifier=identifier or "",
        title=title,
        format="case",
        version=_take(rest, "version", 64),
        creator=_take(rest, "creator", 255),
        publisher=_take(rest, "publisher", 255),
        description=_take(rest, "description"),
        language=_take(rest, "language", 16),
        last_change=_take(rest, "lastChangeDateTime", 40),
    )
    _trellis_extensions(rest, plan)
    plan.source["CFDocument"] = rest
    return plan


def _trellis_extensions(rest: dict[str, Any], plan: FrameworkPlan) -> None:
    """Scale and developmental flag, as Trellis writes them in CFDocument.extensions."""
    extensions = rest.get("extensions")
    if not isinstance(extensions, dict) or not isinstance(extensions.get("trellis"), dict):
        return
    ours = extensions["trellis"]
    scale_slug, developmental = ours.get("scale"), ours.get("developmental", False)
    scale = Scale.objects.filter(slug=scale_slug).first() if isinstance(scale_slug, str) else None
    if (
        set(ours) - {"scale", "developmental"}
        or (scale_slug is not None and scale is None)
        or not isinstance(developmental, bool)
    ):
        return  # not ours to map exactly: keep it as written
    plan.scale, plan.developmental = scale, developmental
    extensions = {key: value for key, value in extensions.items() if key != "trellis"}
    if extensions:
        rest["extensions"] = extensions
    else:
        del rest["extensions"]


def _items(package: dict[str, Any], plan: FrameworkPlan, problems: Problems) -> dict[str, int]:
    """Items in file order; returns each identifier's index."""
    index_of: dict[str, int] = {}
    for path, raw in _objects(package, "CFItems", problems):
        identifier = _identifier(raw, path, problems)
        statement = raw.get("fullStatement")
        if not isinstance(statement, str):
            problems.add(
                "required" if statement is None else "must be a string",
                field=f"{path}.fullStatement",
            )
        if identifier is None:
            continue
        if identifier in index_of or identifier == plan.identifier:
            problems.add(f"identifier {identifier!r} is used twice", field=f"{path}.identifier")
            continue
        rest = {key: value for key, value in raw.items() if key != "identifier"}
        statement = _take(rest, "fullStatement") if isinstance(statement, str) else ""
        rest.pop("fullStatement", None)  # an empty statement maps to an empty one
        item_type_raw = rest.get("CFItemType")
        code = _take(rest, "humanCodingScheme", 64)
        item_type = _take(rest, "CFItemType", 120)
        notes = _take(rest, "notes")
        derived = fallback_name(code=code, statement=statement, identifier=identifier)
        name = _take(rest, "abbreviatedStatement", 255) or derived
        if name == derived and isinstance(raw.get("abbreviatedStatement"), str):
            rest["abbreviatedStatement"] = raw["abbreviatedStatement"]  # export would drop it
        index_of[identifier] = len(plan.items)
        plan.items.append(
            ItemPlan(
                identifier=identifier,
                kind=kind_for_item_type(item_type_raw if isinstance(item_type_raw, str) else ""),
                item_type=item_type,
                code=code,
                name=name,
                statement=statement,
                notes=notes,
                source=rest,
            )
        )
    return index_of


def _sequence(rest: dict[str, Any]) -> int | None:
    """sequenceNumber as an integer; a string of digits (2017 OpenSALT) is coerced."""
    value = rest.get("sequenceNumber")
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif (isinstance(value, str) and INTEGER.match(value)) or (
        isinstance(value, float) and value.is_integer()
    ):
        number = int(value)
    if number is None or not -(2**31) <= number < 2**31:
        return None
    del rest["sequenceNumber"]
    return number


def _node(
    raw: dict[str, Any], key: str, path: str, known: set[str], problems: Problems
) -> tuple[str, dict[str, Any]] | None:
    node = raw.get(key)
    if not isinstance(node, dict):
        problems.add("required" if node is None else "must be an object", field=f"{path}.{key}")
        return None
    identifier = _identifier(node, f"{path}.{key}", problems)
    if identifier is None:
        return None
    if identifier not in known and not (isinstance(node.get("uri"), str) and node["uri"]):
        problems.add(
            f"points to {identifier!r}, which is not in the package, and gives no uri",
            field=f"{path}.{key}",
        )
        return None
    return identifier, {k: v for k, v in node.items() if k != "identifier"}


def _associations(package: dict[str, Any], plan: FrameworkPlan, problems: Problems) -> None:
    known = {item.identifier for item in plan.items} | {plan.identifier}
    for path, raw in _objects(package, "CFAssociations", problems):
        identifier = _identifier(raw, path, problems)
        association_type = raw.get("associationType")
        if not isinstance(association_type, str) or not association_type:
            problems.add("required", field=f"{path}.associationType")
        elif len(association_type) > 120:
            problems.add("longer than 120 characters", field=f"{path}.associationType")
        origin = _node(raw, "originNodeURI", path, known, problems)
        destination = _node(raw, "destinationNodeURI", path, known, problems)
        if identifier is None or origin is None or destination is None or problems:
            continue
        rest = {k: v for k, v in raw.items() if k not in ("identifier", "associationType")}
        sequence = _sequence(rest)
        rest["originNodeURI"], rest["destinationNodeURI"] = origin[1], destination[1]
        plan.associations.append(
            AssociationPlan(
                identifier=identifier,
                association_type=str(association_type),
                origin_identifier=origin[0],
                destination_identifier=destination[0],
                sequence_number=sequence,
                source=rest,
            )
        )


def _natural(code: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key that puts L1.2 before L1.10."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.split(r"(\d+)", code)
        if part
    )


def _tree(plan: FrameworkPlan, index_of: dict[str, int], problems: Problems) -> None:
    """Parents from isChildOf associations between items of the package (the first one
    wins for an item placed twice); positions in depth-first order, siblings ordered by
    sequenceNumber, then human coding scheme, then file order."""
    sequence: dict[str, int | None] = {}
    parent_from: dict[str, int] = {}
    for number, association in enumerate(plan.associations):
        if association.association_type != Association.IS_CHILD_OF:
            continue
        child, parent = association.origin_identifier, association.destination_identifier
        if child not in index_of or child in sequence:
            continue
        if parent == child:
            code = plan.items[index_of[child]].code or child
            problems.add(f"isChildOf loop: {code} > {code}", field=f"CFAssociations[{number}]")
            continue
        if parent in index_of:
            plan.items[index_of[child]].parent = parent
            parent_from[child] = number
            sequence[child] = association.sequence_number
        elif parent == plan.identifier:
            sequence[child] = association.sequence_number

    for item in plan.items:
        seen = [item.identifier]
        current = item.parent
        while current is not None and current not in seen:
            seen.append(current)
            current = plan.items[index_of[current]].parent
        if current == item.identifier:
            codes = " > ".join(plan.items[index_of[i]].code or i for i in [*seen, item.identifier])
            problems.add(
                f"isChildOf loop: {codes}", field=f"CFAssociations[{parent_from[item.identifier]}]"
            )
            for identifier in seen:
                plan.items[index_of[identifier]].parent = None

    children: dict[str | None, list[int]] = {}
    for index, item in enumerate(plan.items):
        children.setdefault(item.parent, []).append(index)

    def key(index: int) -> tuple[Any, ...]:
        item = plan.items[index]
        number = sequence.get(item.identifier)
        return (number is None, number or 0, _natural(item.code), index)

    position = 0
    stack = sorted(children.get(None, []), key=key, reverse=True)
    while stack:
        index = stack.pop()
        plan.items[index].position = position
        position += 1
        stack.extend(sorted(children.get(plan.items[index].identifier, []), key=key, reverse=True))


def _level(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        level = Decimal(str(value))
    except InvalidOperation:
        return None
    if not level.is_finite() or abs(level) >= 1000 or level != level.quantize(Decimal("0.1")):
        return None
    return level.quantize(Decimal("0.1"))


def _rubrics(
    package: dict[str, Any], plan: FrameworkPlan, items: set[str], problems: Problems
) -> None:
    if "CFRubrics" not in package:
        return
    skeleton: list[Any] = []
    for path, raw in _objects(package, "CFRubrics", problems):
        rubric_identifier = _identifier(raw, path, problems)
        rubric_fields = {k: v for k, v in raw.items() if k != "CFRubricCriteria"}
        criteria = raw.get("CFRubricCriteria")
        if criteria is not None and not isinstance(criteria, list):
            problems.add("must be a list", field=f"{path}.CFRubricCriteria")
            continue
        kept: list[Any] = []
        for c_index, criterion in enumerate(criteria or []):
            c_path = f"{path}.CFRubricCriteria[{c_index}]"
            if not isinstance(criterion, dict):
                problems.add("must be an object", field=c_path)
                continue
            criterion_identifier = _identifier(criterion, c_path, problems)
            item_ref = criterion.get("CFItemURI")
            item_identifier = item_ref.get("identifier") if isinstance(item_ref, dict) else None
            levels = criterion.get("CFRubricCriterionLevels")
            if (
                rubric_identifier is None
                or criterion_identifier is None
                or item_identifier not in items
                or not isinstance(levels, list)
                or not levels
            ):
                kept.append(criterion)  # not about one of our items: kept as written
                continue
            kept.append({"identifier": criterion_identifier, CRITERION_STUB: True})
            criterion_fields = {
                k: v for k, v in criterion.items() if k != "CFRubricCriterionLevels"
            }
            for l_index, level in enumerate(levels):
                l_path = f"{c_path}.CFRubricCriterionLevels[{l_index}]"
                if not isinstance(level, dict):
                    problems.add("must be an object", field=l_path)
                    continue
                level_identifier = _identifier(level, l_path, problems)
                if level_identifier is None:
                    continue
                rest = {k: v for k, v in level.items() if k != "identifier"}
                score = _level(rest.get("score"))
                if score is not None:
                    del rest["score"]
                position = rest.get("position")
                if (
                    isinstance(position, int)
                    and not isinstance(position, bool)
                    and 0 <= position < 2**31
                ):
                    del rest["position"]
                else:
                    position = l_index
                plan.descriptors.append(
                    DescriptorPlan(
                        item_identifier=str(item_identifier),
                        level=score,
                        label=_take(rest, "quality", 255),
                        text=_take(rest, "description"),
                        position=position,
                        identifier=level_identifier,
                        source={
                            "rubric": rubric_fields,
                            "criterion": criterion_fields,
                            "level": rest,
                        },
                    )
                )
        if criteria is not None:
            rubric_fields = {**rubric_fields, "CFRubricCriteria": kept}
        skeleton.append(rubric_fields)
    plan.source["CFRubrics"] = skeleton


def case_parse(*, content: bytes) -> tuple[FrameworkPlan | None, Problems]:
    problems = Problems()
    package = _load(content, problems)
    if package is None:
        return None, problems
    plan = _document(package, problems)
    if plan is None:
        return None, problems
    definitions = package.get("CFDefinitions")
    if "CFDefinitions" in package:
        if isinstance(definitions, dict) or definitions == []:
            plan.source["CFDefinitions"] = definitions
        else:
            problems.add("must be an object", field="CFDefinitions")
    known = {"CFDocument", "CFItems", "CFAssociations", "CFDefinitions", "CFRubrics"}
    extra = {key: value for key, value in package.items() if key not in known}
    if extra:
        plan.source["package"] = extra
    index_of = _items(package, plan, problems)
    _associations(package, plan, problems)
    _rubrics(package, plan, set(index_of), problems)
    if not problems:
        _tree(plan, index_of, problems)
    return plan, problems
