"""Synthetic curriculum maps: an internal medicine residency and a faculty-development office.

The residency has its rotations (clinical experiences), a core conference course with its
sessions, a simulation workshop, a quality-improvement project and the in-training exam,
each with objectives and mapped to the IM Milestones 2.0 and the ACGME Harmonized
Milestones. A few gaps are left on purpose, so the gap analysis has something to find:
Digital Health (PC6) is only ever introduced, Clinical Consultation (PC7) is taught on four
rotations and assessed on none, and two more are taught but never assessed.

The faculty-development map is a set of workshops mapped to the Clinician Educator
Milestones, a developmental framework (never in the Curriculum Inventory).

Everything is written through the curriculum services, so it is audited like a real map.
Call it before the schedule generator: that one turns the clinical experiences into
rotations. Activities whose code the program already has are reused, not duplicated.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from trellis.curriculum.models import Activity, ActivityKind, InstructionalMethod, Objective
from trellis.curriculum.selectors import map_columns
from trellis.curriculum.services import (
    ActivityData,
    activity_create,
    mapping_set_cell,
    objective_create,
)
from trellis.frameworks.models import Framework, Item
from trellis.people.models import Program, ProgramKind, User

IM = "im-milestones-2"
HARMONIZED = "acgme-harmonized"
CEM = "clinician-educator-milestones"

# Cells are written against the IM Milestones; the Harmonized Milestones number their
# professionalism subcompetencies differently, the other codes are the same.
HARMONIZED_FROM_IM = {"PROF1": "PROF1", "PROF2": "PROF1", "PROF3": "PROF2", "PROF4": "PROF3"}

# A cell: item code -> letters, with "A:method" for the assessment method, e.g. "RA:osce".
Cells = dict[str, str]


@dataclass(frozen=True)
class Spec:
    code: str
    title: str
    kind: str
    cells: Cells = field(default_factory=dict)
    objectives: tuple[tuple[str, Cells], ...] = ()
    year: int | None = None
    weeks: int | None = None
    hours: str | None = None
    method: str = ""
    required: bool = True
    keywords: str = ""
    description: str = ""
    parent: str | None = None


CE = ActivityKind.CLINICAL_EXPERIENCE
M = InstructionalMethod

RESIDENCY: tuple[Spec, ...] = (
    Spec(
        "WARDS",
        "Inpatient General Medicine Wards",
        CE,
        weeks=4,
        method=M.CLINICAL_INPATIENT,
        keywords="Hospital medicine; Inpatients",
        description="Teaching teams on the general medicine wards of University Hospital.",
        cells={
            "PC1": "IRA:direct_observation",
            "PC2": "RA:direct_observation",
            "PC3": "RA:direct_observation",
            "PC4": "IRA:direct_observation",
            "PC7": "R",
            "MK2": "R",
            "MK3": "R",
            "SBP2": "RA:multisource",
            "ICS1": "RA:multisource",
            "ICS2": "RA:multisource",
            "ICS3": "RA:chart_review",
            "PROF1": "RA:multisource",
            "PROF3": "RA:multisource",
        },
        objectives=(
            ("Admit and manage patients with common acute medical problems.", {"PC4": "RA"}),
            ("Present new admissions concisely and with a prioritized plan.", {"ICS2": "R"}),
            ("Write discharge summaries that the next clinician can act on.", {"ICS3": "RA"}),
            ("Hand patients over safely with a structured handover.", {"SBP2": "RA"}),
        ),
    ),
    Spec(
        "ICU",
        "Medical Intensive Care Unit",
        CE,
        weeks=4,
        method=M.CLINICAL_INPATIENT,
        keywords="Critical care; Shock",
        cells={
            "PC3": "RA:direct_observation",
            "PC4": "RA:direct_observation",
            "PC7": "R",
            "MK1": "R",
            "MK2": "RA:direct_observation",
            "ICS1": "RA:multisource",
            "ICS2": "R",
            "PROF2": "RA:multisource",
            "PROF3": "R",
        },
        objectives=(
            ("Recognize and stabilize the deteriorating patient.", {"PC4": "A"}),
            ("Lead a family meeting about goals of care.", {"ICS1": "RA", "PROF2": "R"}),
        ),
    ),
    Spec(
        "AMB",
        "Ambulatory Continuity Clinic",
        CE,
        weeks=4,
        method=M.CLINICAL_AMBULATORY,
        keywords="Primary care; Chronic disease",
        description="A weekly half-day continuity clinic, gathered here into four-week blocks.",
        cells={
            "PC1": "RA:direct_observation",
            "PC2": "R",
            "PC5": "IRA:direct_observation",
            "SBP2": "R",
            "SBP3": "R",
            "PBLI2": "RA:portfolio",
            "ICS1": "R",
        },
        objectives=(
            ("Manage a panel of patients with chronic disease over time.", {"PC5": "RA"}),
            ("Deliver preventive care by current guidelines.", {"PC5": "R", "PBLI1": "R"}),
        ),
    ),
    Spec(
        "CARD",
        "Cardiology Consult Service",
        CE,
        weeks=4,
        method=M.CLINICAL_INPATIENT,
        cells={"PC2": "R", "PC3": "R", "PC7": "IR", "MK1": "R", "MK3": "RA:direct_observation"},
        objectives=(("Interpret ECGs and echocardiogram reports in context.", {"MK3": "RA"}),),
    ),
    Spec(
        "EM",
        "Emergency Medicine",
        CE,
        year=1,
        weeks=4,
        method=M.CLINICAL_INPATIENT,
        cells={"PC1": "R", "PC3": "RA:direct_observation", "PC7": "R", "ICS2": "R", "SBP2": "I"},
    ),
    Spec(
        "NIGHT",
        "Night Float",
        CE,
        year=2,
        weeks=4,
        method=M.CLINICAL_INPATIENT,
        cells={
            "PC4": "R",
            "SBP1": "R",
            "SBP2": "RA:multisource",
            "PROF3": "RA:multisource",
            "PROF4": "R",
            "ICS2": "R",
        },
    ),
    Spec(
        "GERI",
        "Geriatrics",
        CE,
        year=2,
        weeks=4,
        method=M.CLINICAL_AMBULATORY,
        cells={"PC5": "R", "SBP2": "R", "ICS1": "RA:direct_observation", "PROF1": "R"},
        objectives=(("Assess function, cognition and falls risk in older adults.", {"PC5": "R"}),),
    ),
    Spec(
        "ELEC",
        "Elective",
        CE,
        year=3,
        weeks=4,
        method=M.CLINICAL_INPATIENT,
        required=False,
        cells={"PBLI2": "R", "MK1": "R"},
    ),
    Spec(
        "CORE",
        "Core Curriculum Conference",
        ActivityKind.COURSE,
        method=M.LECTURE,
        description="The noon conference series, one hour a day across the academic year.",
    ),
    *(
        Spec(code, title, ActivityKind.SESSION, cells=cells, parent="CORE", hours="1", method=m)
        for code, title, cells, m in (
            (
                "CORE-ACS",
                "Chest pain and acute coronary syndromes",
                {"MK1": "I", "MK2": "I", "PC3": "I"},
                "",
            ),
            ("CORE-HF", "Heart failure", {"MK2": "I", "PC4": "I"}, ""),
            ("CORE-SEPSIS", "Sepsis and septic shock", {"PC4": "I", "MK2": "I"}, ""),
            ("CORE-AKI", "Acute kidney injury", {"MK3": "I", "MK1": "I"}, ""),
            ("CORE-DM", "Diabetes in clinic", {"PC5": "I"}, M.CASE_BASED),
            ("CORE-NEWS", "Breaking bad news", {"ICS1": "I"}, M.ROLE_PLAY),
            ("CORE-EBM", "Appraising a clinical trial", {"PBLI1": "IR"}, M.JOURNAL_CLUB),
            ("CORE-PSQI", "Patient safety and root-cause analysis", {"SBP1": "I"}, M.CASE_BASED),
            ("CORE-HVC", "High-value care", {"SBP3": "I"}, ""),
            ("CORE-TELE", "Telehealth visits", {"PC6": "I"}, ""),
            ("CORE-WELL", "Physician well-being", {"PROF4": "I"}, M.DISCUSSION_SMALL),
            ("CORE-ETHICS", "Ethics case conference", {"PROF2": "IR"}, M.DISCUSSION_LARGE),
        )
    ),
    Spec(
        "SIM",
        "Simulation: resuscitation and procedures",
        ActivityKind.WORKSHOP,
        year=1,
        hours="8",
        method=M.SIMULATION,
        cells={"PC4": "RA:osce", "PC3": "R", "ICS2": "RA:osce"},
        objectives=(("Run a cardiac arrest as team leader in simulation.", {"ICS2": "RA"}),),
    ),
    Spec(
        "QI",
        "Quality improvement project",
        ActivityKind.ASSIGNMENT,
        year=2,
        hours="40",
        method=M.SELF_DIRECTED,
        cells={"SBP1": "RA:portfolio", "PBLI1": "R", "ICS2": "I"},
        objectives=(("Lead a small test of change and report its results.", {"SBP1": "RA"}),),
    ),
    Spec(
        "JC",
        "Journal Club",
        ActivityKind.MODULE,
        hours="12",
        method=M.JOURNAL_CLUB,
        cells={"PBLI1": "RA:portfolio"},
    ),
    Spec(
        "ITE",
        "In-Training Examination",
        ActivityKind.ASSIGNMENT,
        hours="8",
        method=M.INDEPENDENT,
        cells={"MK1": "A:written_exam", "MK2": "A:written_exam", "MK3": "A:written_exam"},
    ),
)

FACULTY_DEVELOPMENT: tuple[Spec, ...] = (
    Spec(
        "FD-FB",
        "Feedback that lands",
        ActivityKind.WORKSHOP,
        hours="3",
        cells={"ETP1": "IRA:direct_observation", "ETP7": "R"},
        objectives=(("Give specific, timely feedback on an observed encounter.", {"ETP1": "RA"}),),
    ),
    Spec(
        "FD-TEACH",
        "Teaching at the bedside",
        ActivityKind.WORKSHOP,
        hours="3",
        cells={"ETP7": "IR", "ETP8": "I"},
    ),
    Spec(
        "FD-ASSESS",
        "Assessing learners with milestones",
        ActivityKind.WORKSHOP,
        hours="3",
        cells={"ETP4": "IR", "ETP5": "I"},
        objectives=(("Rate a video encounter on the milestones and defend it.", {"ETP4": "R"}),),
    ),
    Spec(
        "FD-REMED",
        "Supporting the struggling learner",
        ActivityKind.WORKSHOP,
        hours="2",
        cells={"ETP6": "I", "ETP9": "R"},
    ),
    Spec(
        "FD-SCHOL",
        "From teaching to scholarship",
        ActivityKind.MODULE,
        hours="10",
        method=M.SELF_DIRECTED,
        cells={"ETP2": "IRA:portfolio"},
    ),
    Spec(
        "FD-LEAD",
        "Leading educational change",
        ActivityKind.WORKSHOP,
        hours="3",
        cells={"ADM2": "I", "ADM4": "I"},
    ),
    Spec(
        "FD-WELL",
        "Well-being of self and learners",
        ActivityKind.WORKSHOP,
        hours="2",
        cells={"WB1": "I", "ADM3": "R"},
    ),
    Spec(
        "FD-PEER",
        "Peer observation of teaching",
        ActivityKind.ASSIGNMENT,
        hours="4",
        method=M.PEER_TEACHING,
        cells={"ETP7": "A:direct_observation", "ETP1": "R"},
    ),
    Spec(
        "FD-INCL",
        "Inclusive teaching",
        ActivityKind.WORKSHOP,
        hours="2",
        cells={"DEI1": "IR", "ADM3": "I"},
    ),
)

# A four-year medical school: two pre-clerkship years of organ-system courses with their
# sessions, doctoring courses and OSCEs; a clerkship year; a fourth year of acting
# internship, emergency medicine and the transition to residency. Cells are written
# against the school's program objectives (`demo.school`) and the AAMC Core EPAs.
S = ActivityKind.SESSION
COURSE = ActivityKind.COURSE
MEDICAL_SCHOOL: tuple[Spec, ...] = (
    Spec(
        "FOUND",
        "Foundations of Medicine",
        COURSE,
        year=1,
        weeks=12,
        hours="240",
        method=M.LECTURE,
        keywords="Biochemistry; Genetics; Pharmacology",
        description="The science every later course builds on.",
        cells={"MK1": "IRA:written_exam", "PROF1": "I", "PBLI2": "I"},
        objectives=(("Explain how genes, proteins and drugs act in the cell.", {"MK1": "IA"}),),
    ),
    Spec(
        "FOUND-L1",
        "Cell biology and genetics",
        S,
        parent="FOUND",
        hours="2",
        method=M.LECTURE,
        cells={"MK1": "I"},
    ),
    Spec(
        "FOUND-TBL",
        "Principles of pharmacology",
        S,
        parent="FOUND",
        hours="3",
        method=M.TEAM_BASED,
        cells={"MK1": "R", "PBLI2": "I"},
    ),
    Spec(
        "FOUND-ETH",
        "Ethics of clinical care",
        S,
        parent="FOUND",
        hours="2",
        method=M.DISCUSSION_SMALL,
        cells={"PROF1": "I", "PROF2": "I"},
        objectives=(("Reason through consent and confidentiality in a case.", {"PROF1": "I"}),),
    ),
    Spec(
        "CARDRESP",
        "Cardiovascular and Respiratory Systems",
        COURSE,
        year=1,
        weeks=10,
        hours="200",
        method=M.LECTURE,
        keywords="Cardiology; Pulmonology",
        cells={"MK1": "IRA:written_exam", "MK2": "I", "PC1": "I"},
    ),
    Spec(
        "CR-CASE",
        "Chest pain and breathlessness cases",
        S,
        parent="CARDRESP",
        hours="3",
        method=M.CASE_BASED,
        cells={"MK2": "I", "PC2": "I", "EPA2": "I"},
    ),
    Spec(
        "CR-SIM",
        "Heart and lung sounds in simulation",
        S,
        parent="CARDRESP",
        hours="2",
        method=M.SIMULATION,
        cells={"PC1": "I", "EPA1": "I"},
    ),
    Spec(
        "DOC1",
        "Doctoring I: Clinical Skills",
        COURSE,
        year=1,
        weeks=30,
        hours="90",
        method=M.DISCUSSION_SMALL,
        keywords="Interviewing; Physical examination",
        cells={"PC1": "IRA:osce", "ICS1": "IRA:osce", "PROF2": "I", "EPA1": "IA:osce"},
        objectives=(
            ("Take a patient-centred history.", {"ICS1": "IA", "EPA1": "I"}),
            ("Perform a complete screening examination.", {"PC1": "IA"}),
        ),
    ),
    Spec(
        "DOC1-INT",
        "The medical interview",
        S,
        parent="DOC1",
        hours="3",
        method=M.ROLE_PLAY,
        cells={"ICS1": "I", "EPA1": "I"},
    ),
    Spec(
        "DOC1-OSCE",
        "Year 1 OSCE",
        S,
        parent="DOC1",
        hours="3",
        method=M.SIMULATION,
        cells={"PC1": "A:osce", "ICS1": "A:osce", "EPA1": "A:osce"},
    ),
    Spec(
        "GIRENAL",
        "Gastrointestinal, Renal and Endocrine Systems",
        COURSE,
        year=2,
        weeks=12,
        hours="230",
        method=M.LECTURE,
        keywords="Nephrology; Endocrinology",
        cells={"MK1": "RA:written_exam", "MK2": "IR", "PC2": "I", "EPA3": "I"},
    ),
    Spec(
        "GR-TBL",
        "Acid, base and electrolytes",
        S,
        parent="GIRENAL",
        hours="3",
        method=M.TEAM_BASED,
        cells={"MK2": "R", "EPA3": "I"},
    ),
    Spec(
        "POPH",
        "Population Health and Evidence",
        COURSE,
        year=2,
        weeks=8,
        hours="80",
        method=M.DISCUSSION_SMALL,
        keywords="Epidemiology; Quality improvement",
        cells={
            "MK3": "IRA:written_exam",
            "PBLI1": "IRA:portfolio",
            "SBP1": "I",
            "SBP2": "I",
            "PC5": "I",
            "EPA7": "I",
        },
        objectives=(("Appraise a trial and apply it to one patient.", {"PBLI1": "RA"}),),
    ),
    Spec(
        "POPH-SAFE",
        "Patient safety and teamwork",
        S,
        parent="POPH",
        hours="3",
        method=M.WORKSHOP,
        cells={"SBP1": "IR", "IPC1": "I", "EPA13": "I"},
    ),
    Spec(
        "DOC2",
        "Doctoring II: Clinical Reasoning",
        COURSE,
        year=2,
        weeks=30,
        hours="90",
        method=M.CASE_BASED,
        keywords="Clinical reasoning; Oral presentation",
        cells={"PC2": "IR", "ICS2": "IR", "IPC1": "I", "EPA2": "IR", "EPA5": "I", "EPA6": "I"},
    ),
    Spec(
        "DOC2-SIM",
        "A night on the ward, simulated",
        S,
        parent="DOC2",
        hours="4",
        method=M.SIMULATION,
        cells={"EPA10": "I", "EPA8": "I", "IPC1": "R"},
    ),
    Spec(
        "DOC2-OSCE",
        "Year 2 OSCE",
        S,
        parent="DOC2",
        hours="3",
        method=M.SIMULATION,
        cells={"PC2": "A:osce", "EPA2": "A:osce", "EPA6": "A:osce"},
    ),
    Spec(
        "CBSE",
        "Comprehensive Basic Science Examination",
        ActivityKind.ASSIGNMENT,
        year=2,
        hours="8",
        method=M.INDEPENDENT,
        cells={"MK1": "A:written_exam", "MK2": "A:written_exam"},
    ),
    Spec(
        "IMCLK",
        "Internal Medicine Clerkship",
        CE,
        year=3,
        weeks=8,
        method=M.CLINICAL_INPATIENT,
        keywords="Hospital medicine",
        description="Eight weeks on the University Hospital medicine teams.",
        cells={
            "PC1": "RA:direct_observation",
            "PC2": "RA:direct_observation",
            "PC3": "IRA:direct_observation",
            "MK2": "RA:written_exam",
            "ICS2": "RA:chart_review",
            "PROF2": "RA:multisource",
            "IPC1": "R",
            "EPA1": "RA:direct_observation",
            "EPA2": "RA:direct_observation",
            "EPA3": "R",
            "EPA4": "IR",
            "EPA5": "RA:chart_review",
            "EPA6": "RA:direct_observation",
            "EPA8": "IR",
            "EPA10": "R",
        },
        objectives=(
            ("Present a new patient with a prioritized differential.", {"ICS2": "RA", "PC2": "R"}),
        ),
    ),
    Spec(
        "SURGCLK",
        "Surgery Clerkship",
        CE,
        year=3,
        weeks=8,
        method=M.CLINICAL_INPATIENT,
        keywords="General surgery; Operating room",
        cells={
            "PC4": "IRA:direct_observation",
            "PC3": "R",
            "MK2": "RA:written_exam",
            "SBP1": "R",
            "IPC1": "RA:multisource",
            "EPA12": "IRA:direct_observation",
            "EPA11": "I",
            "EPA1": "RA:direct_observation",
            "EPA6": "R",
            "EPA8": "RA:direct_observation",
        },
    ),
    Spec(
        "PEDSCLK",
        "Pediatrics Clerkship",
        CE,
        year=3,
        weeks=6,
        method=M.CLINICAL_AMBULATORY,
        keywords="Well child; Outpatient clinic",
        cells={
            "PC1": "RA:direct_observation",
            "PC5": "IRA:direct_observation",
            "ICS1": "RA:direct_observation",
            "MK2": "RA:written_exam",
            "EPA1": "RA:direct_observation",
            "EPA2": "R",
            "EPA6": "RA:direct_observation",
        },
    ),
    Spec(
        "OBGCLK",
        "Obstetrics and Gynecology Clerkship",
        CE,
        year=3,
        weeks=6,
        method=M.CLINICAL_INPATIENT,
        keywords="Labour and delivery",
        cells={
            "PC4": "RA:direct_observation",
            "PC5": "R",
            "ICS1": "RA:direct_observation",
            "MK2": "RA:written_exam",
            "EPA12": "RA:direct_observation",
            "EPA11": "IR",
            "EPA1": "RA:direct_observation",
        },
    ),
    Spec(
        "PSYCLK",
        "Psychiatry Clerkship",
        CE,
        year=3,
        weeks=4,
        method=M.CLINICAL_INPATIENT,
        keywords="Mental health",
        cells={
            "ICS1": "RA:direct_observation",
            "PROF2": "R",
            "PPD1": "IRA:portfolio",
            "MK3": "R",
            "EPA1": "RA:direct_observation",
            "EPA9": "R",
        },
    ),
    Spec(
        "FMCLK",
        "Family Medicine Clerkship",
        CE,
        year=3,
        weeks=4,
        method=M.CLINICAL_AMBULATORY,
        keywords="Community clinic; Primary care",
        cells={
            "PC5": "RA:direct_observation",
            "SBP2": "RA:direct_observation",
            "MK3": "RA:written_exam",
            "EPA1": "RA:direct_observation",
            "EPA3": "RA:direct_observation",
            "EPA7": "R",
        },
    ),
    Spec(
        "NEUROCLK",
        "Neurology Clerkship",
        CE,
        year=3,
        weeks=4,
        method=M.CLINICAL_AMBULATORY,
        keywords="Outpatient clinic; Stroke",
        cells={
            "PC1": "RA:direct_observation",
            "MK2": "RA:written_exam",
            "EPA2": "RA:direct_observation",
            "EPA3": "R",
        },
    ),
    Spec(
        "SUBI",
        "Medicine Acting Internship",
        CE,
        year=4,
        weeks=4,
        method=M.CLINICAL_INPATIENT,
        keywords="Acting internship",
        cells={
            "PC3": "A:direct_observation",
            "SBP1": "RA:direct_observation",
            "PROF2": "A:multisource",
            "EPA4": "RA:direct_observation",
            "EPA8": "RA:direct_observation",
            "EPA9": "RA:multisource",
            "EPA10": "RA:direct_observation",
            "EPA13": "IR",
        },
    ),
    Spec(
        "EMCLK",
        "Emergency Medicine",
        CE,
        year=4,
        weeks=4,
        method=M.CLINICAL_INPATIENT,
        keywords="Emergency department",
        cells={
            "PC2": "A:direct_observation",
            "EPA10": "RA:direct_observation",
            "EPA2": "RA:direct_observation",
            "EPA12": "R",
        },
    ),
    Spec(
        "ELECT4",
        "Clinical Elective",
        CE,
        year=4,
        weeks=4,
        method=M.CLINICAL_AMBULATORY,
        required=False,
        keywords="Elective",
        cells={"PBLI2": "RA:portfolio", "EPA7": "RA:direct_observation"},
    ),
    Spec(
        "CAPSTONE",
        "Transition to Residency",
        COURSE,
        year=4,
        weeks=4,
        hours="80",
        method=M.SIMULATION,
        keywords="Boot camp; Handover",
        cells={
            "EPA7": "IR",
            "EPA13": "IRA:osce",
            "EPA8": "RA:osce",
            "PPD1": "R",
            "IPC1": "RA:osce",
            "SBP1": "RA",
        },
    ),
)


@dataclass
class DemoCurriculum:
    program: Program
    frameworks: list[Framework]
    activities: list[Activity] = field(default_factory=list)
    objectives: int = 0
    cells: int = 0


def _translate(framework: Framework, code: str) -> str:
    return HARMONIZED_FROM_IM.get(code, code) if framework.slug == HARMONIZED else code


def _cell(spec: str) -> tuple[str, str | None]:
    letters, _, method = spec.partition(":")
    return letters, method or None


def generate_curriculum(
    *,
    program: Program,
    framework_slugs: Sequence[str],
    rng: random.Random,
    acting_user: User | None = None,
) -> DemoCurriculum:
    """Build the program's curriculum map: the faculty-development workshops for a faculty
    development program, the school's four years for a medical school, the internal
    medicine map for any other. Cells go to every named
    framework the program has adopted that has the item; other frameworks are left alone."""
    frameworks = list(
        Framework.objects.filter(slug__in=list(framework_slugs), adoptions__program=program)
    )
    columns: dict[int, dict[str, Item]] = {
        f.pk: {i.code: i for i in map_columns(framework=f)} for f in frameworks
    }
    specs = {
        ProgramKind.FACULTY_DEVELOPMENT: FACULTY_DEVELOPMENT,
        ProgramKind.MEDICAL_SCHOOL: MEDICAL_SCHOOL,
    }.get(ProgramKind(program.kind), RESIDENCY)
    result = DemoCurriculum(program=program, frameworks=frameworks)
    made: dict[str, Activity] = {
        a.code: a
        for a in Activity.objects.filter(program=program, code__in=[s.code for s in specs])
    }
    for spec in specs:
        activity = made.get(spec.code)
        if activity is None:
            activity = _create(program, spec, made, rng, acting_user)
            made[spec.code] = activity
            for code_suffix, (text, _) in enumerate(spec.objectives, start=1):
                objective_create(
                    activity=activity,
                    code=f"{spec.code}-{code_suffix}",
                    text=text,
                    acting_user=acting_user,
                )
                result.objectives += 1
        result.activities.append(activity)
        objectives = list(activity.objectives.all())
        for framework in frameworks:
            result.cells += _map(activity, None, spec.cells, framework, columns, acting_user)
            for objective, (_, cells) in zip(objectives, spec.objectives, strict=False):
                # An objective assessed is assessed the way its activity assesses the item.
                with_methods = {
                    code: f"{letters}:{_cell(spec.cells.get(code, ''))[1] or ''}".rstrip(":")
                    for code, letters in cells.items()
                }
                result.cells += _map(
                    activity, objective, with_methods, framework, columns, acting_user
                )
    return result


def _create(
    program: Program,
    spec: Spec,
    made: dict[str, Activity],
    rng: random.Random,
    acting_user: User | None,
) -> Activity:
    hours = Decimal(spec.hours) if spec.hours else None
    if hours is None and spec.weeks:
        # Residents' contact hours on a rotation vary a little from service to service.
        hours = Decimal(spec.weeks * rng.choice((55, 60, 65, 70)))
    return activity_create(
        program=program,
        data=ActivityData(
            kind=spec.kind,
            code=spec.code,
            title=spec.title,
            description=spec.description,
            parent=made.get(spec.parent) if spec.parent else None,
            training_year=spec.year if spec.year and spec.year <= program.length_years else None,
            duration_hours=hours,
            duration_weeks=spec.weeks,
            required=spec.required,
            instructional_method=spec.method,
            keywords=spec.keywords,
        ),
        acting_user=acting_user,
    )


def _map(
    activity: Activity,
    objective: Objective | None,
    cells: Cells,
    framework: Framework,
    columns: dict[int, dict[str, Item]],
    acting_user: User | None,
) -> int:
    count = 0
    wanted: dict[str, tuple[set[str], str | None]] = {}
    for code, spec in cells.items():
        typed, method = _cell(spec)
        target = _translate(framework, code)
        have, had_method = wanted.get(target, (set(), None))
        wanted[target] = (have | set(typed), method or had_method)
    for target, (letters, method) in wanted.items():
        item = columns[framework.pk].get(target)
        if item is None:
            continue
        change = mapping_set_cell(
            activity=activity,
            objective=objective,
            item=item,
            emphases=sorted(letters),  # a stable order: the demo is seeded
            assessment_method=method,
            acting_user=acting_user,
        )
        count += change is not None
    return count
