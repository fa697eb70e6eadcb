"""Clinical Competency Committee reviews: cycles, one review per learner, proposed and
committee levels, progression decisions and summative entrustment.

Committee levels, decisions and entrustment decisions keep their history as rows: a change
is a new row that `supersedes` the one it replaces, never an update. The current value is
the row nobody supersedes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from trellis.frameworks.models import Item
from trellis.people.models import Program


class CycleStatus(models.TextChoices):
    OPEN = "open", "Open for pre-review"
    MEETING = "meeting", "Meeting"
    SIGNED_OFF = "signed_off", "Signed off"


class ReviewCycle(models.Model):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="review_cycles")
    name = models.CharField(max_length=120, help_text='For example "2026 Spring".')
    period_start = models.DateField()
    period_end = models.DateField()
    meeting_date = models.DateField()
    status = models.CharField(max_length=16, choices=CycleStatus.choices, default=CycleStatus.OPEN)
    share_prereview_notes = models.BooleanField(
        default=False, help_text="Learners see the pre-reviewers' notes with their levels."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["program", "-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="review_cycle_unique_name"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="review_cycle_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} — {self.name}"

    @property
    def is_locked(self) -> bool:
        return self.status == CycleStatus.SIGNED_OFF


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Awaiting pre-review"
    PRE_REVIEWED = "pre_reviewed", "Pre-reviewed"
    DECIDED = "decided", "Decided"


class Review(models.Model):
    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="reviews")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_reviews"
    )
    training_year = models.PositiveSmallIntegerField(null=True, blank=True)
    pre_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pre_reviews",
    )
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )

    class Meta:
        ordering = ["cycle", "training_year", "learner__last_name", "learner__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "learner"], name="review_unique_learner")
        ]

    def __str__(self) -> str:
        return f"{self.cycle.name}: {self.learner}"


class ProposedLevel(models.Model):
    """A pre-reviewer's proposal; a later proposal for the same item replaces it in the
    meeting view (the newest row wins) but the earlier ones stay.

    A proposal withdrawn (by its proposer, or the chair, before the committee decides the
    item) keeps its row with who withdrew it and when: the item then has no proposal until
    someone proposes again, and the meeting no longer starts from it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="proposals")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    level = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    not_yet_assessable = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["review", "item", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False),
                name="proposed_level_withdrawn_by_with_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.item.code} proposed {self.level}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class CommitteeLevel(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="levels")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    level = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    not_yet_assessable = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True, help_text="Required for a correction after sign-off.")
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )

    class Meta:
        ordering = ["review", "item", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__isnull=False) | Q(not_yet_assessable=True),
                name="committee_level_level_or_nya",
            )
        ]

    def __str__(self) -> str:
        shown = "NYA" if self.not_yet_assessable else f"{self.level}"
        return f"{self.review}: {self.item.code} {shown}"


class Outcome(models.TextChoices):
    ADVANCE = "advance", "Advance"
    ADVANCE_WITH_PLAN = "advance_with_plan", "Advance with a learning plan"
    REMEDIATION = "remediation", "Remediation"
    EXTENSION = "extension", "Extension of training"
    GRADUATION_READY = "graduation_ready", "Ready to graduate"


class Decision(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=24, choices=Outcome.choices)
    rationale = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True, help_text="Required for a correction after sign-off.")
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )

    class Meta:
        ordering = ["review", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.review}: {self.get_outcome_display()}"


class EntrustmentDecision(models.Model):
    """A summative entrustment decision for one EPA, on the EPA's entrustment scale."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="entrustments")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    level = models.DecimalField(max_digits=3, decimal_places=1)
    rationale = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True, help_text="Required for a correction after sign-off.")
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )

    class Meta:
        ordering = ["review", "item", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.review}: {self.item.code} entrustment {self.level}"
