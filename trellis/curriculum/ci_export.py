"""The AAMC Curriculum Inventory export, in MedBiquitous Curriculum Inventory v1 XML.

How the map becomes a report (see docs/formats.md, "Curriculum Inventory"):

* every session, workshop and assignment is an Event; a course, rotation or module with no
  sessions under it is an Event of its own too, so its hours are counted once;
* courses, clinical experiences and modules are SequenceBlocks inside one block per
  training year (the academic levels), sessions inside their course;
* the subcompetencies and EPAs of the program's adopted frameworks are program-level
  CompetencyObjects and objectives are sequence-block- or event-level ones; a
  CompetencyFramework includes them all and relates each mapped objective to its item;
  events and blocks reference what they are mapped to; each program expectation related to
  a competency of the AAMC's PCRS (`frameworks.pcrs`) is linked to it (skos:related), as the
  AAMC asks;
* one IntegrationBlock per competency (domain) of a framework gathers the events and
  blocks that teach or assess its items: the curriculum's threads.

Developmental frameworks (the Clinician Educator Milestones) never appear in it.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from lxml import etree

from trellis.curriculum.models import (
    Activity,
    ActivityKind,
    AssessmentMethod,
    Emphasis,
    Mapping,
    Objective,
)
from trellis.curriculum.selectors import curriculum_frameworks, map_columns, tree_order
from trellis.frameworks.models import Framework, Item
from trellis.frameworks.pcrs import pcrs_links, pcrs_uri
from trellis.people.models import Program, ProgramKind

CI = "http://ns.medbiq.org/curriculuminventory/v1/"
LOM = "http://ltsc.ieee.org/xsd/LOM"
NSMAP = {
    None: CI,
    "lom": LOM,
    "a": "http://ns.medbiq.org/address/v1/",
    "cf": "http://ns.medbiq.org/competencyframework/v1/",
    "co": "http://ns.medbiq.org/competencyobject/v1/",
    "hx": "http://ns.medbiq.org/lom/extend/v1/",
    "m": "http://ns.medbiq.org/member/v1/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
SKOS_NARROWER = "http://www.w3.org/2004/02/skos/core#narrower"
SKOS_RELATED = "http://www.w3.org/2004/02/skos/core#related"

BLOCK_KINDS = {ActivityKind.COURSE, ActivityKind.CLINICAL_EXPERIENCE, ActivityKind.MODULE}

# AAMC standardized vocabulary terms for the instructional method codes Trellis offers.
INSTRUCTIONAL_TERMS = {
    "IM001": "Case-Based Instruction/Learning",
    "IM002": "Clinical Experience - Ambulatory",
    "IM003": "Clinical Experience - Inpatient",
    "IM005": "Conference",
    "IM007": "Discussion, Large Group (>12)",
    "IM008": "Discussion, Small Group (≤12)",
    "IM010": "Independent Learning",
    "IM011": "Journal Club",
    "IM013": "Lecture",
    "IM014": "Mentorship",
    "IM017": "Peer Teaching",
    "IM018": "Preceptorship",
    "IM020": "Reflection",
    "IM022": "Role Play/Dramatization",
    "IM023": "Self-Directed Learning",
    "IM025": "Simulation",
    "IM026": "Team-Based Learning (TBL)",
    "IM029": "Ward Rounds",
    "IM030": "Workshop",
}
DEFAULT_INSTRUCTIONAL = {
    ActivityKind.COURSE: "IM013",
    ActivityKind.SESSION: "IM013",
    ActivityKind.CLINICAL_EXPERIENCE: "IM003",
    ActivityKind.ASSIGNMENT: "IM010",
    ActivityKind.WORKSHOP: "IM030",
    ActivityKind.MODULE: "IM023",
}
# Trellis assessment method -> (AAMC code, AAMC term, purpose).
ASSESSMENT_TERMS = {
    AssessmentMethod.DIRECT_OBSERVATION: (
        "AM002",
        "Clinical Performance Rating/Checklist",
        "Formative",
    ),
    AssessmentMethod.WRITTEN_EXAM: (
        "AM004",
        "Exam - Institutionally Developed, Written/Computer-based",
        "Summative",
    ),
    AssessmentMethod.OSCE: (
        "AM003",
        "Exam - Institutionally Developed, Clinical Performance",
        "Summative",
    ),
    AssessmentMethod.MULTISOURCE: ("AM009", "Multisource Assessment", "Formative"),
    AssessmentMethod.CHART_REVIEW: ("AM001", "Clinical Documentation Review", "Formative"),
    AssessmentMethod.PORTFOLIO: ("AM014", "Portfolio-Based Assessment", "Summative"),
    AssessmentMethod.OTHER: ("AM010", "Narrative Assessment", "Formative"),
}
CONTEXTS = {
    ProgramKind.MEDICAL_SCHOOL: "undergraduate professional education",
    ProgramKind.FACULTY_DEVELOPMENT: "continuing professional development",
}


class CurriculumInventoryError(ValueError):
    """The map cannot make a valid report (no activities, say); the message says why."""


def _q(tag: str, ns: str = CI) -> str:
    return f"{{{ns}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, _, local = tag.rpartition(":")
    el = etree.SubElement(parent, _q(local, NSMAP[prefix or None] or CI), attrs)
    if text is not None:
        el.text = text
    return el


def uri_for(identifier: str, kind: str) -> str:
    """A URI for a competency object, usable inside the reference XPath (no apostrophes)."""
    try:
        return f"urn:uuid:{uuid.UUID(identifier)}"
    except ValueError:
        pass
    if re.match(r"^(https?://|urn:)\S+$", identifier) and "'" not in identifier:
        return identifier
    return f"urn:trellis:{kind}:" + re.sub(r"[^A-Za-z0-9._~:-]", "-", identifier)


def event_duration(hours: Decimal | None) -> str:
    minutes = int((hours or Decimal(0)) * 60)
    h, m = divmod(minutes, 60)
    if h and m:
        return f"PT{h}H{m}M"
    return f"PT{h}H" if h else f"PT{m}M"


def _level_ref(number: int) -> str:
    return f"/CurriculumInventory/AcademicLevels/Level[@number='{number}']"


def _object_ref(uri: str) -> str:
    return (
        "/CurriculumInventory/Expectations/CompetencyObject"
        f"[lom:lom/lom:general/lom:identifier/lom:entry='{uri}']"
    )


def _event_ref(activity: Activity) -> str:
    return f"/CurriculumInventory/Events/Event[@id='E{activity.pk}']"


def _block_ref(block_id: str) -> str:
    return f"/CurriculumInventory/Sequence/SequenceBlock[@id='{block_id}']"


@dataclass
class CIPlan:
    """The map arranged for the report (and for its verification tables)."""

    program: Program
    frameworks: list[Framework]
    activities: list[Activity]
    items: dict[int, Item]
    objectives: dict[int, list[Objective]]
    children: dict[int | None, list[Activity]]
    years: dict[int, int] = field(default_factory=dict)
    # activity id -> uris it is mapped to directly; item id -> activities mapped to it
    direct: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_item: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    methods: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    relations: list[tuple[str, str]] = field(default_factory=list)
    # item id -> the reference competencies (PCRS) the program expectation answers
    pcrs: dict[int, list[Item]] = field(default_factory=dict)

    def is_block(self, a: Activity) -> bool:
        return a.kind in BLOCK_KINDS or bool(self.children.get(a.pk))

    def has_own_event(self, a: Activity) -> bool:
        return not self.is_block(a) or not any(
            not self.is_block(c) for c in self.children.get(a.pk, [])
        )


def ci_plan(program: Program) -> CIPlan:
    frameworks = curriculum_frameworks(program=program, developmental=False)
    items: dict[int, Item] = {}
    for framework in frameworks:
        for item in map_columns(framework=framework):
            items[item.pk] = item
    ordered = tree_order(Activity.objects.filter(program=program))
    activities = [a for a, _ in ordered]
    if not activities:
        raise CurriculumInventoryError("The program has no activities to report")
    children: dict[int | None, list[Activity]] = defaultdict(list)
    for a in activities:
        children[a.parent_id].append(a)
    objectives: dict[int, list[Objective]] = defaultdict(list)
    for o in Objective.objects.filter(activity__program=program):
        objectives[o.activity_id].append(o)
    plan = CIPlan(program, frameworks, activities, items, objectives, children)
    by_id = {a.pk: a for a in activities}
    for a in activities:  # a session without a year of its own takes its course's
        year, node = a.training_year, a
        while year is None and node.parent_id in by_id:
            node = by_id[node.parent_id]
            year = node.training_year
        plan.years[a.pk] = min(max(year or 1, 1), 10)
    rows = Mapping.objects.filter(
        activity__program=program, item_id__in=list(items)
    ).select_related("objective")
    seen: set[tuple[int, str]] = set()
    relations: set[tuple[str, str]] = set()
    for m in rows:
        item_uri = uri_for(items[m.item_id].identifier, "item")
        plan.by_item[m.item_id].add(m.activity_id)
        if m.emphasis == Emphasis.ASSESSED and m.assessment_method:
            plan.methods[m.activity_id].add(m.assessment_method)
        if m.objective is not None:
            relations.add((item_uri, uri_for(m.objective.identifier, "objective")))
        elif (m.activity_id, item_uri) not in seen:
            seen.add((m.activity_id, item_uri))
            plan.direct[m.activity_id].append(item_uri)
    plan.relations = sorted(relations)
    plan.pcrs = pcrs_links(items.values())
    return plan


def _lom(parent: etree._Element, uri: str, title: str, description: str = "") -> None:
    lom = _sub(parent, "lom:lom")
    general = _sub(lom, "lom:general")
    ident = _sub(general, "lom:identifier")
    _sub(ident, "lom:catalog", "URI")
    _sub(ident, "lom:entry", uri)
    _sub(_sub(general, "lom:title"), "lom:string", title.strip() or uri)
    if description.strip():
        _sub(_sub(general, "lom:description"), "lom:string", description.strip())


def _expectations(root: etree._Element, plan: CIPlan) -> list[str]:
    expectations = _sub(root, "Expectations")
    uris: list[str] = []
    for item in plan.items.values():
        uri = uri_for(item.identifier, "item")
        if uri in uris:
            continue
        uris.append(uri)
        co = _sub(expectations, "CompetencyObject")
        title = f"{item.code} {item.name}".strip()
        _lom(co, uri, f"{title} ({item.framework.title})", item.statement)
        _sub(co, "co:Category", term="program-level-competency")
    for a in plan.activities:
        for o in plan.objectives.get(a.pk, []):
            uri = uri_for(o.identifier, "objective")
            uris.append(uri)
            co = _sub(expectations, "CompetencyObject")
            _lom(co, uri, f"{o.code} {o.text}".strip())
            term = (
                "sequence-block-level-competency" if plan.is_block(a) else "event-level-competency"
            )
            _sub(co, "co:Category", term=term)
    if not uris:
        raise CurriculumInventoryError(
            "Nothing to report as expectations: adopt a framework or write objectives"
        )
    cf = _sub(expectations, "CompetencyFramework")
    _lom(
        cf,
        f"urn:trellis:framework:{plan.program.institution.slug}:{plan.program.slug}",
        f"Competency framework of {plan.program.name}",
    )
    for uri in uris:
        inc = _sub(cf, "cf:Includes")
        _sub(inc, "cf:Catalog", "URI")
        _sub(inc, "cf:Entry", uri)
    # The reference competencies the program expectations answer, related as the AAMC
    # asks: Reference1 the PCRS competency, Reference2 the expectation.
    pcrs_pairs: list[tuple[str, str]] = []
    for item_id, references in plan.pcrs.items():
        for reference in references:
            pcrs_pairs.append(
                (pcrs_uri(reference) or "", uri_for(plan.items[item_id].identifier, "item"))
            )
    for reference_uri in sorted({first for first, _ in pcrs_pairs}):
        inc = _sub(cf, "cf:Includes")
        _sub(inc, "cf:Catalog", "URI")
        _sub(inc, "cf:Entry", reference_uri)
    relations = [(b, SKOS_NARROWER, n) for b, n in plan.relations]
    relations += [(r, SKOS_RELATED, e) for r, e in sorted(pcrs_pairs)]
    for first, relationship, second in relations:
        rel = _sub(cf, "cf:Relation")
        ref1 = _sub(rel, "cf:Reference1")
        _sub(ref1, "cf:Catalog", "URI")
        _sub(ref1, "cf:Entry", first)
        _sub(rel, "cf:Relationship", relationship)
        ref2 = _sub(rel, "cf:Reference2")
        _sub(ref2, "cf:Catalog", "URI")
        _sub(ref2, "cf:Entry", second)
    return uris


def _events(root: etree._Element, plan: CIPlan) -> None:
    events = _sub(root, "Events")
    for a in plan.activities:
        if not plan.has_own_event(a):
            continue
        ev = _sub(events, "Event", id=f"E{a.pk}")
        _sub(ev, "Title", a.title)
        _sub(ev, "EventDuration", event_duration(a.duration_hours))
        if a.description.strip():
            _sub(ev, "Description", a.description.strip())
        for word in [w.strip() for w in a.keywords.split(";") if w.strip()]:
            _sub(_sub(ev, "Keyword"), "hx:string", word)
        refs = list(plan.direct.get(a.pk, []))
        if not plan.is_block(a):
            refs += [uri_for(o.identifier, "objective") for o in plan.objectives.get(a.pk, [])]
        for uri in refs:
            _sub(ev, "CompetencyObjectReference", _object_ref(uri))
        code = instructional_code(a)
        _sub(
            ev,
            "InstructionalMethod",
            INSTRUCTIONAL_TERMS.get(code, "Lecture"),
            primary="true",
            source="AAMC",
            sourceID=code,
        )
        for method in sorted(plan.methods.get(a.pk, ())):
            aamc, term, purpose = ASSESSMENT_TERMS[AssessmentMethod(method)]
            _sub(ev, "AssessmentMethod", term, purpose=purpose, source="AAMC", sourceID=aamc)


def instructional_code(a: Activity) -> str:
    """The AAMC instructional method of the activity's event: its own, else its kind's."""
    return a.instructional_method or DEFAULT_INSTRUCTIONAL[ActivityKind(a.kind)]


def _timing(block: etree._Element, a: Activity | None, years: int) -> None:
    timing = _sub(block, "Timing")
    if a is not None and a.duration_weeks:
        _sub(timing, "Duration", f"P{a.duration_weeks * 7}D")
    else:
        _sub(timing, "Duration", f"P{years}Y")


def _sequence(root: etree._Element, plan: CIPlan) -> dict[int, str]:
    sequence = _sub(root, "Sequence")
    _sub(
        sequence,
        "Description",
        "One block per year of training; courses, rotations and modules inside.",
    )
    block_ids: dict[int, str] = {}
    tops = plan.children.get(None, [])
    label = _year_label(plan.program)
    length = min(max(plan.program.length_years, 1), 10)
    # Activities of no particular year (a rotation done every year, a conference series)
    # go in a block of their own spanning the program, placed at the first level.
    for year in sorted({a.training_year or 0 for a in tops}):
        members = [a for a in tops if (a.training_year or 0) == year]
        year_block = _sub(sequence, "SequenceBlock", id=f"Y{year}", required="Required")
        _sub(year_block, "Title", f"{label} {year}" if year else "Every year")
        _timing(year_block, None, 1 if year else length)
        _sub(year_block, "Level", _level_ref(min(year, 10) or 1))
        _contents(year_block, plan, members, None)
    for a in plan.activities:
        if not plan.is_block(a):
            continue
        block_ids[a.pk] = f"B{a.pk}"
        block = _sub(
            sequence,
            "SequenceBlock",
            id=f"B{a.pk}",
            required="Required" if a.required else "Optional",
        )
        _sub(block, "Title", a.title)
        if a.description.strip():
            _sub(block, "Description", a.description.strip())
        _timing(block, a, 1)
        _sub(block, "Level", _level_ref(plan.years[a.pk]))
        if a.kind == ActivityKind.CLINICAL_EXPERIENCE:
            _sub(block, "ClerkshipModel", "rotation")
        refs = plan.direct.get(a.pk, []) + [
            uri_for(o.identifier, "objective") for o in plan.objectives.get(a.pk, [])
        ]
        for uri in refs:
            _sub(block, "CompetencyObjectReference", _object_ref(uri))
        _contents(block, plan, plan.children.get(a.pk, []), a)
    return block_ids


def _contents(
    block: etree._Element, plan: CIPlan, members: list[Activity], own: Activity | None
) -> None:
    if own is not None and plan.has_own_event(own):
        sbe = _sub(block, "SequenceBlockEvent", required="true" if own.required else "false")
        _sub(sbe, "EventReference", _event_ref(own))
    for a in members:
        if plan.is_block(a):
            _sub(block, "SequenceBlockReference", _block_ref(f"B{a.pk}"))
        else:
            sbe = _sub(block, "SequenceBlockEvent", required="true" if a.required else "false")
            _sub(sbe, "EventReference", _event_ref(a))


def _year_label(program: Program) -> str:
    if program.kind in (ProgramKind.RESIDENCY, ProgramKind.FELLOWSHIP):
        return "PGY"
    return "Year"


def _integration(root: etree._Element, plan: CIPlan, block_ids: dict[int, str]) -> None:
    threads: dict[int, list[Item]] = defaultdict(list)
    heads: dict[int, Item] = {}
    for item in plan.items.values():
        head = item.parent or item
        heads[head.pk] = head
        threads[head.pk].append(item)
    blocks = []
    for head_id, members in threads.items():
        taught = sorted({a for i in members for a in plan.by_item.get(i.pk, ())})
        if not taught:
            continue
        blocks.append((heads[head_id], members, taught))
    if not blocks:
        return
    integration = _sub(root, "Integration")
    _sub(integration, "Description", "Each competency of the adopted frameworks as a thread.")
    by_id = {a.pk: a for a in plan.activities}
    for head, members, taught in blocks:
        ib = _sub(integration, "IntegrationBlock", id=f"I{head.pk}")
        _sub(ib, "Title", f"{head.name} ({head.framework.title})")
        for item in members:
            if plan.by_item.get(item.pk):
                _sub(ib, "CompetencyObjectReference", _object_ref(uri_for(item.identifier, "item")))
        for pk in taught:
            if plan.has_own_event(by_id[pk]):
                _sub(ib, "EventReference", _event_ref(by_id[pk]))
        for pk in taught:
            if pk in block_ids:
                _sub(ib, "SequenceBlockReference", _block_ref(block_ids[pk]))


def academic_year_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The academic year (1 July to 30 June) that `day` falls in."""
    start_year = day.year if day.month >= 7 else day.year - 1
    return dt.date(start_year, 7, 1), dt.date(start_year + 1, 6, 30)


def curriculum_inventory_xml(
    *,
    program: Program,
    start: dt.date | None = None,
    end: dt.date | None = None,
    report_date: dt.date | None = None,
) -> bytes:
    """The program's map as a Curriculum Inventory report for the reporting period (the
    current academic year unless given). Raises CurriculumInventoryError when the map
    cannot make a valid report."""
    today = report_date or timezone.localdate()
    default_start, default_end = academic_year_of(today)
    start, end = start or default_start, end or default_end
    if end < start:
        raise CurriculumInventoryError("The reporting period ends before it starts")
    plan = ci_plan(program)
    inst = program.institution
    root = etree.Element(_q("CurriculumInventory"), nsmap=NSMAP)
    root.set(_q("schemaLocation", NSMAP["xsi"] or ""), f"{CI} curriculuminventory.xsd")
    _sub(
        root,
        "ReportID",
        f"{program.slug}-{start:%Y}-{today:%Y%m%d}",
        domain=f"idd:{inst.slug}.trellis:cireport",
    )
    institution = _sub(root, "Institution")
    _sub(institution, "m:InstitutionName", inst.name)
    _sub(institution, "m:InstitutionID", inst.slug, domain="idd:trellis:institution")
    prog = _sub(root, "Program")
    _sub(prog, "ProgramName", program.name)
    _sub(prog, "ProgramID", program.slug, domain=f"idd:{inst.slug}.trellis:program")
    _sub(
        prog,
        "EducationalContext",
        CONTEXTS.get(ProgramKind(program.kind), "graduate professional education"),
    )
    if program.specialty:
        _sub(prog, "Specialty", program.specialty)
    _sub(root, "Title", f"{program.name} curriculum {start:%Y}-{end:%Y}")
    _sub(root, "ReportDate", today.isoformat())
    _sub(root, "ReportingStartDate", start.isoformat())
    _sub(root, "ReportingEndDate", end.isoformat())
    _sub(root, "Language", "en-US")
    names = ", ".join(str(f) for f in plan.frameworks) or "no framework"
    _sub(
        root,
        "Description",
        f"The curriculum of {program.name}, mapped to {names}; exported from Trellis.",
    )
    _events(root, plan)
    _expectations(root, plan)
    levels = _sub(root, "AcademicLevels")
    count = min(max(program.length_years, max(plan.years.values()), 1), 10)
    _sub(levels, "LevelsInProgram", str(count))
    for n in range(1, count + 1):
        level = _sub(levels, "Level", number=str(n))
        _sub(level, "Label", f"{_year_label(program)} {n}")
    block_ids = _sequence(root, plan)
    _integration(root, plan, block_ids)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


class _CatalogResolver(etree.Resolver):
    """Resolves the schemas' http://ns.medbiq.org/ (and W3C) imports to a local folder with
    the catalog.xml that the shared real-data folder carries, so validation never reaches
    the network."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        catalog = etree.parse(str(folder / "catalog.xml"))
        ns = {"c": "urn:oasis:names:tc:entity:xmlns:xml:catalog"}
        self.prefixes = [
            (el.get("uriStartString"), folder / el.get("rewritePrefix"))
            for el in catalog.iterfind("c:rewriteURI", ns)
        ]
        self.exact = {
            el.get("name"): folder / el.get("uri") for el in catalog.iterfind("c:uri", ns)
        }

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        if system_url in self.exact:
            return self.resolve_filename(str(self.exact[system_url]), context)
        for prefix, target in self.prefixes:
            if prefix and system_url.startswith(prefix):
                return self.resolve_filename(str(target / system_url[len(prefix) :]), context)
        return None


def medbiq_xsd(medbiq_folder: Path, relative: str) -> etree.XMLSchema:
    """One MedBiquitous schema (`relative` to the folder) compiled from a local copy, its
    imports resolved through the folder's catalog, never the network."""
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_CatalogResolver(medbiq_folder))
    return etree.XMLSchema(etree.parse(str(medbiq_folder / relative), parser))


def ci_schema(medbiq_folder: Path) -> etree.XMLSchema:
    """The CI v1 schema compiled from a local copy of the MedBiquitous schemas."""
    return medbiq_xsd(medbiq_folder, "curriculuminventory/v1/curriculuminventory.xsd")


def ci_validate(xml: bytes, medbiq_folder: Path) -> list[str]:
    """Schema errors of a CI document ("line N: message"), empty when it is valid."""
    schema = ci_schema(medbiq_folder)
    doc = etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
