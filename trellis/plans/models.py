"""Individual learning and development plans, for learners and educators alike, and the
owner's grants that let another person see what is otherwise private to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from trellis.frameworks.models import Item
from trellis.people.models import Program


class PlanStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Plan(models.Model):
    """One goal on one framework item: from `current_level` to `target_level`.

    `opened_by_type`/`opened_by_id` name what opened the plan when it was not the owner's
    own choice (e.g. `committees.decision`, 42); both are blank otherwise."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plans"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="plans")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="plans")
    current_level = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    target_level = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    actions = models.TextField()
    evidence = models.TextField(blank=True, help_text="What will show that the level moved.")
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    reflection = models.TextField(blank=True, help_text="Written on closing.")
    opened_by_type = models.CharField(max_length=100, blank=True)
    opened_by_id = models.CharField(max_length=64, blank=True)
    shared_with_program = models.BooleanField(
        default=False,
        help_text="The owner opened this plan of their own to the program's staff and "
        "committee (a plan a decision opened is theirs to see anyway).",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The coach who last reviewed the plan.",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False),
                name="plan_closed_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"Plan: {self.item} ({self.owner})"

    @property
    def is_open(self) -> bool:
        return self.status == PlanStatus.OPEN

    @property
    def opened_by_decision(self) -> bool:
        return self.opened_by_type == "committees.decision"


class CheckIn(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="check_ins")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "due_on", "id"]

    def __str__(self) -> str:
        return f"Check-in {self.due_on} ({self.plan_id})"


class ShareScope(models.TextChoices):
    PLAN = "plan", "One plan"
    SELF_ASSESSMENTS = "self_assessments", "My self-assessments"
    PEER_ASSESSMENTS = "peer_assessments", "Peer observations of my teaching"
    PORTFOLIO = "portfolio", "My whole portfolio"


class Share(models.Model):
    """The owner's grant, withdrawable at any time; only a grant with `withdrawn_at` null
    counts. A grant goes either to one person (who then sees the owner's individual data
    in that scope) or to a faculty-development program (which only ever counts it into
    anonymous aggregates of at least the minimum group size)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares_granted"
    )
    scope = models.CharField(max_length=20, choices=ShareScope.choices)
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shares_received",
    )
    office = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="aggregate_shares"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["grantee", "withdrawn_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(grantee__isnull=False) & Q(office__isnull=True))
                | (Q(grantee__isnull=True) & Q(office__isnull=False)),
                name="share_one_audience",
            ),
            models.CheckConstraint(
                condition=(Q(scope="plan") & Q(plan__isnull=False))
                | (~Q(scope="plan") & Q(plan__isnull=True)),
                name="share_plan_iff_plan_scope",
            ),
        ]

    def __str__(self) -> str:
        audience = self.grantee or self.office
        return f"{self.owner} shares {self.get_scope_display()} with {audience}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class Coaching(models.Model):
    """A coach (academic advisor) for one learner in one program, from `start_date` until
    `end_date` (null: current). A learner has at most one current coach per program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="coachings")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coached_by"
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coaching"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "learner", "-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "learner"],
                condition=Q(end_date__isnull=True),
                name="coaching_one_current_coach",
            )
        ]

    def __str__(self) -> str:
        return f"{self.coach} coaches {self.learner} in {self.program}"


class CoachingNote(models.Model):
    """A note between a learner and their coach: theirs alone, unless the learner shares
    it with the program's committee."""

    coaching = models.ForeignKey(Coaching, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coaching_notes"
    )
    text = models.TextField()
    shared_with_committee = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["coaching", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]
