"""Words for the synthetic assessments: the residency's EPAs and banks of narrative comments.

The EPAs are our own short wording for the activities an internal medicine resident is
trusted with by graduation; they are not any publisher's text. Comments come in three
bands by the level rated (a struggling, a developing and a strong performance), so the
narrative agrees with the number, and include the vague ones real faculty write too.
"""

from __future__ import annotations

EPA_FRAMEWORK_SLUG = "riverside-im-epas"

# code, name, statement, related Internal Medicine Milestones subcompetencies
EPA_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("EPA1", "Manage common inpatient problems", "Plans and runs the daily care of ward "
     "patients with common medical problems.", "PC4;PC3"),
    ("EPA2", "Admit and stabilize an acutely ill patient", "Assesses, stabilizes and writes "
     "the admission plan for a new, acutely ill patient.", "PC1;PC4"),
    ("EPA3", "Care for a critically ill patient", "Manages organ support and the priorities "
     "of a patient in the intensive care unit.", "PC4;MK2"),
    ("EPA4", "Hand over patients safely", "Gives and takes a structured handover that keeps "
     "patients safe overnight.", "ICS2;SBP2"),
    ("EPA5", "Manage chronic disease in clinic", "Follows patients with several chronic "
     "conditions across clinic visits.", "PC5"),
    ("EPA6", "Provide a consultation", "Answers another team's question with a clear, "
     "reasoned recommendation.", "PC7"),
    ("EPA7", "Lead a goals-of-care conversation", "Leads a family meeting about prognosis "
     "and what matters most to the patient.", "ICS1;PROF2"),
    ("EPA8", "Perform common bedside procedures", "Obtains consent for, performs and "
     "documents common bedside procedures.", "PC4"),
    ("EPA9", "Respond to a deteriorating patient", "Recognizes deterioration, calls for help "
     "and leads the first minutes of a rapid response.", "PC4;ICS2"),
    ("EPA10", "Discharge a patient safely", "Plans a discharge with medication "
     "reconciliation and follow-up arranged.", "SBP2;ICS3"),
    ("EPA11", "Lead the ward team", "Runs rounds, teaches juniors and sets the team's "
     "priorities for the day.", "ICS2;PBLI2"),
)  # fmt: skip

# Which EPAs each rotation (by its activity code) offers to observe; others use DEFAULT.
EPAS_BY_ROTATION: dict[str, tuple[str, ...]] = {
    "WARDS": ("EPA1", "EPA2", "EPA4", "EPA10", "EPA11"),
    "ICU": ("EPA3", "EPA9", "EPA8", "EPA7"),
    "CARD": ("EPA1", "EPA6", "EPA9"),
    "EM": ("EPA2", "EPA9", "EPA8"),
    "AMB": ("EPA5", "EPA7"),
    "NIGHT": ("EPA2", "EPA4", "EPA9"),
    "GERI": ("EPA7", "EPA10", "EPA5"),
    "ELEC": ("EPA5", "EPA6"),
}
DEFAULT_EPAS = ("EPA1", "EPA6", "EPA4")
# Activities that are harder to be trusted with early: their levels run a little lower.
HARD_EPAS = frozenset({"EPA3", "EPA7", "EPA8", "EPA11"})

WENT_WELL = {
    "low": (
        "You were open about what you did not know and asked for help early.",
        "Good rapport with the patient; she clearly trusted you.",
        "Your history was thorough and you picked up the new medication.",
        "You stayed calm and followed direction well once I stepped in.",
        "You accepted feedback graciously during the encounter.",
    ),
    "mid": (
        "Organised presentation: one-line summary, then the active problems in order.",
        "You committed to a leading diagnosis and gave two reasons for it.",
        "Clear, jargon-free explanation of the plan to the family, with teach-back.",
        "You recognised the falling blood pressure early and called for help.",
        "Good use of the nurse's observations when you revised the plan.",
        "You reconciled the medications carefully and caught the duplicate anticoagulant.",
        "Focused examination that answered the question you had asked.",
        "You kept the handover short and flagged the one patient to watch overnight.",
        "Safe, sterile set-up and a clear time-out before you started.",
        "You asked the consulting team a precise question and closed the loop.",
    ),
    "high": (
        "You ran the rapid response calmly: closed-loop orders, roles assigned, reassessed.",
        "Excellent family meeting: you paused for emotion and let the family lead.",
        "Independent, efficient procedure with perfect documentation afterwards.",
        "You anticipated the discharge barriers two days ahead and solved them.",
        "Your consult note answered the question in the first line, with a contingency plan.",
        "Great teaching on rounds: you had the intern present and you coached afterwards.",
        "Prioritised a busy list well and delegated appropriately to the team.",
        "Thoughtful management of competing risks in a very complex patient.",
    ),
}
NEXT_TIME = {
    "low": (
        "Before calling me, have a working diagnosis and a plan to propose, even if unsure.",
        "Examine the patient before ordering imaging; the exam would have changed the test.",
        "Review the sepsis pathway: fluids and antibiotics within the first hour.",
        "Write down the three things you must hand over before you start talking.",
        "Check the kidney function before dosing; ask pharmacy when you are unsure.",
        "Read up on hyponatremia tonight and talk me through your approach tomorrow.",
    ),
    "mid": (
        "Give your differential in order of likelihood, and name the can't-miss one.",
        "Say what would make you change the plan, so the night team knows the triggers.",
        "Set an agenda at the start of the clinic visit so the main concern isn't left to the end.",
        "Check the patient's understanding with teach-back before you leave the room.",
        "Document why you chose the antibiotic and for how long.",
        "Try leading the next family meeting yourself; I will only step in if needed.",
        "Use the ultrasound for the next line to confirm the vessel before you puncture.",
        "Summarise the overnight events in one sentence before listing the numbers.",
        "Call the consultant with a specific question rather than 'please see'.",
    ),
    "high": (
        "Start supervising the intern's procedures; you are ready to teach this.",
        "Take the lead on the team's safety huddle next week.",
        "Consider presenting this case at morning report: the reasoning was excellent.",
        "Keep stretching: manage the next ICU admission with me only on the phone.",
        "Share your discharge checklist with the team; others would benefit.",
    ),
}
VAGUE_WENT_WELL = (
    "Great job!",
    "Good work today.",
    "Solid resident.",
    "Pleasant to work with.",
    "Did well.",
)
VAGUE_NEXT_TIME = (
    "Keep reading.",
    "Keep it up.",
    "Continue to build knowledge base.",
    "More confidence.",
    "Work on efficiency.",
)
STRENGTHS = {
    "low": (
        "Reliable and hard-working; always volunteered for admissions.",
        "Kind with patients and respectful with nursing staff.",
    ),
    "mid": (
        "Well-organised notes and dependable follow-up of every result.",
        "Growing confidence in leading the team's plan on rounds.",
        "Clear communicator with families and colleagues alike.",
        "Good clinical reasoning on common presentations; reads around every case.",
    ),
    "high": (
        "Functioned at the level of a senior: led rounds and taught the students.",
        "Outstanding judgement with the sickest patients on the service.",
        "Superb communicator; families asked for this resident by name.",
    ),
}
SITUATIONS = (
    "new admission, night shift",
    "morning rounds",
    "family meeting",
    "clinic visit, follow-up",
    "rapid response call",
    "handover to night team",
    "consult request from surgery",
    "discharge planning",
    "bedside procedure",
)
