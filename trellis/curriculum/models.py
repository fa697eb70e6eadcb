"""The curriculum map: activities and objectives, mapped to framework items."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from trellis.frameworks.models import Item
from trellis.people.models import Program


def new_identifier() -> str:
    return str(uuid.uuid4())


class ActivityKind(models.TextChoices):
    COURSE = "course", "Course"
    SESSION = "session", "Session"
    CLINICAL_EXPERIENCE = "clinical_experience", "Clinical experience (rotation)"
    ASSIGNMENT = "assignment", "Assignment"
    WORKSHOP = "workshop", "Workshop"
    MODULE = "module", "Module"


class InstructionalMethod(models.TextChoices):
    """A subset of the AAMC Curriculum Inventory standardized vocabulary (codes IM001-IM030);
    the value is the AAMC code, so the export can name both code and term."""

    CASE_BASED = "IM001", "Case-based instruction/learning"
    CLINICAL_AMBULATORY = "IM002", "Clinical experience - ambulatory"
    CLINICAL_INPATIENT = "IM003", "Clinical experience - inpatient"
    CONFERENCE = "IM005", "Conference"
    DISCUSSION_LARGE = "IM007", "Discussion, large group (>12)"
    DISCUSSION_SMALL = "IM008", "Discussion, small group (≤12)"
    INDEPENDENT = "IM010", "Independent learning"
    JOURNAL_CLUB = "IM011", "Journal club"
    LECTURE = "IM013", "Lecture"
    MENTORSHIP = "IM014", "Mentorship"
    PEER_TEACHING = "IM017", "Peer teaching"
    PRECEPTORSHIP = "IM018", "Preceptorship"
    REFLECTION = "IM020", "Reflection"
    ROLE_PLAY = "IM022", "Role play/dramatization"
    SELF_DIRECTED = "IM023", "Self-directed learning"
    SIMULATION = "IM025", "Simulation"
    TEAM_BASED = "IM026", "Team-based learning (TBL)"
    WARD_ROUNDS = "IM029", "Ward rounds"
    WORKSHOP = "IM030", "Workshop"


class Activity(models.Model):
    """Something a program offers in which learning happens: a course and its sessions,
    a rotation, a workshop. Sessions may sit under a course (parent)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="activities")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    kind = models.CharField(max_length=24, choices=ActivityKind.choices)
    code = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    training_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year of training (or study) it belongs to."
    )
    duration_hours = models.DecimalField(
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Contact time: the length of a session, or the hours of a whole rotation.",
    )
    duration_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Courses and rotations: how many weeks they run."
    )
    required = models.BooleanField(
        default=True, help_text="Required of every learner (untick for electives)."
    )
    instructional_method = models.CharField(
        max_length=5,
        choices=InstructionalMethod.choices,
        blank=True,
        help_text="How it is taught (AAMC vocabulary). Blank: inferred from the kind.",
    )
    keywords = models.CharField(
        max_length=500, blank=True, help_text="Topics, separated by semicolons."
    )
    identifier = models.CharField(max_length=64, default=new_identifier, unique=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["program", "position", "code"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="activity_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Objective(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(max_length=32, blank=True)
    text = models.TextField()
    position = models.PositiveIntegerField(default=0)
    identifier = models.CharField(max_length=64, default=new_identifier, unique=True)

    class Meta:
        ordering = ["activity", "position", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}".strip()


class Emphasis(models.TextChoices):
    INTRODUCED = "I", "Introduced"
    REINFORCED = "R", "Reinforced"
    ASSESSED = "A", "Assessed"


class AssessmentMethod(models.TextChoices):
    DIRECT_OBSERVATION = "direct_observation", "Direct observation"
    WRITTEN_EXAM = "written_exam", "Written examination"
    OSCE = "osce", "OSCE / simulation"
    MULTISOURCE = "multisource", "Multisource feedback"
    CHART_REVIEW = "chart_review", "Chart review"
    PORTFOLIO = "portfolio", "Portfolio"
    OTHER = "other", "Other"


class Mapping(models.Model):
    """One emphasis of an activity (or one of its objectives) on a framework item.
    A cell of the map may hold several emphases (introduced and assessed, say): one row
    each."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="mappings")
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="mappings"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="mappings")
    emphasis = models.CharField(max_length=1, choices=Emphasis.choices)
    assessment_method = models.CharField(
        max_length=24, choices=AssessmentMethod.choices, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["activity", "item", "emphasis"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "objective", "item", "emphasis"], name="mapping_unique"
            ),
            models.UniqueConstraint(
                fields=["activity", "item", "emphasis"],
                condition=models.Q(objective__isnull=True),
                name="mapping_unique_activity_level",
            ),
        ]
        indexes = [models.Index(fields=["item", "emphasis"])]

    def __str__(self) -> str:
        return f"{self.activity.code} → {self.item.code} ({self.emphasis})"
