"""The shipped scales: milestone levels and four entrustment / supervision scales.

Scale and level names follow their published sources; every label and description here is
our own short wording, not the sources' text.
"""

from __future__ import annotations

from dataclasses import dataclass

from trellis.frameworks.models import ScaleKind


@dataclass(frozen=True)
class LevelSpec:
    value: str
    label: str
    description: str


@dataclass(frozen=True)
class ScaleSpec:
    slug: str
    name: str
    kind: ScaleKind
    description: str
    levels: tuple[LevelSpec, ...]
    allows_half_levels: bool = False


MILESTONE = ScaleSpec(
    slug="milestone",
    name="Milestone levels",
    kind=ScaleKind.MILESTONE,
    description=(
        "Five developmental levels, from a learner just starting out to an expert. Level 4 is "
        "the graduation target; Level 5 is aspirational. Half levels mark a learner who shows "
        "some, not all, of the next level."
    ),
    allows_half_levels=True,
    levels=(
        LevelSpec("1", "Novice", "Starting out: relies on rules and on close direction."),
        LevelSpec("2", "Advanced beginner", "Handles familiar, simple situations with guidance."),
        LevelSpec(
            "3", "Competent", "Manages most common situations; needs help with complex ones."
        ),
        LevelSpec(
            "4",
            "Proficient",
            "The graduation target: ready for unsupervised practice in this area.",
        ),
        LevelSpec(
            "5",
            "Expert",
            "Aspirational: performs beyond graduation expectations and leads others.",
        ),
    ),
)

CHEN = ScaleSpec(
    slug="chen",
    name="Chen entrustment-supervision scale",
    kind=ScaleKind.ENTRUSTMENT,
    description=(
        "How much supervision a learner needs for an activity, after Chen et al. (2015), "
        "written for undergraduate medical education."
    ),
    levels=(
        LevelSpec("1", "Observe only", "May watch the activity but not yet carry it out."),
        LevelSpec(
            "2",
            "Direct supervision",
            "Carries out the activity with a supervisor present and taking part.",
        ),
        LevelSpec(
            "3",
            "Indirect supervision",
            "Carries out the activity with a supervisor close by and checking afterwards.",
        ),
        LevelSpec("4", "Unsupervised", "Trusted to carry out the activity without supervision."),
        LevelSpec("5", "Supervises others", "Trusted to oversee and teach others in the activity."),
    ),
)

O_SCORE = ScaleSpec(
    slug="o-score",
    name="O-SCORE",
    kind=ScaleKind.ENTRUSTMENT,
    description=(
        "The Ottawa Surgical Competency Operating Room Evaluation rating: how much the "
        "supervisor had to do, from doing the case to not being needed."
    ),
    levels=(
        LevelSpec("1", "Supervisor did it", "The supervisor had to perform the task themselves."),
        LevelSpec("2", "Talked through", "The learner needed step-by-step direction throughout."),
        LevelSpec("3", "Occasional prompts", "The learner needed a prompt now and then."),
        LevelSpec("4", "Standby", "The supervisor stayed only in case something went wrong."),
        LevelSpec("5", "Not needed", "The learner was safe to do this with no supervisor present."),
    ),
)

OTTAWA = ScaleSpec(
    slug="ottawa",
    name="Ottawa co-activity scale",
    kind=ScaleKind.ENTRUSTMENT,
    description=(
        "A co-activity scale derived from the O-SCORE for any clinical task: how much of the "
        "work the supervisor shared with the learner."
    ),
    levels=(
        LevelSpec("1", "Supervisor performed", "The supervisor took over and did the work."),
        LevelSpec("2", "Guided throughout", "The supervisor led the learner through each step."),
        LevelSpec("3", "Prompted at times", "The supervisor stepped in with the odd cue."),
        LevelSpec("4", "Present just in case", "The supervisor watched but did not need to act."),
        LevelSpec("5", "Independent", "The learner managed the task with no supervisor needed."),
    ),
)

ZWISCH = ScaleSpec(
    slug="zwisch",
    name="Zwisch scale",
    kind=ScaleKind.ENTRUSTMENT,
    description=(
        "Four stages of operative autonomy, from the attending leading to the resident leading."
    ),
    levels=(
        LevelSpec(
            "1", "Show and tell", "The attending operates and explains while the resident assists."
        ),
        LevelSpec(
            "2",
            "Active help",
            "The resident operates for parts of the case with the attending leading actively.",
        ),
        LevelSpec(
            "3",
            "Passive help",
            "The resident leads the case; the attending assists and steps in when needed.",
        ),
        LevelSpec(
            "4", "Supervision only", "The resident runs the case; the attending watches for safety."
        ),
    ),
)

SCALES: tuple[ScaleSpec, ...] = (MILESTONE, CHEN, O_SCORE, OTTAWA, ZWISCH)
