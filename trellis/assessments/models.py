"""Point-of-care assessment: forms, requests, assessments with ratings and comments,
case and procedure logs, exam scores.

A form is versioned: an assessment points at the version it was completed on, so a
later change to the form never alters it. Every rating points at a framework item.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from trellis.frameworks.models import Framework, Item, Scale
from trellis.people.models import Program
from trellis.scheduling.models import Assignment, Site


def new_token() -> str:
    return secrets.token_urlsafe(16)


class FormKind(models.TextChoices):
    EPA_OBSERVATION = "epa_observation", "EPA entrustment observation"
    END_OF_ROTATION = "end_of_rotation", "End-of-rotation milestone evaluation"
    MULTISOURCE = "multisource", "Multisource feedback"
    SELF = "self", "Self-assessment"
    PROCEDURE = "procedure", "Procedure sign-off"
    TEACHING = "teaching", "Evaluation of a teacher"
    ROTATION = "rotation", "Evaluation of a rotation"


class ItemSelection(models.TextChoices):
    FIXED = "fixed", "The form's own questions"
    CHOOSE = "choose", "Items chosen when assessing (pre-selected from the rotation)"


class Form(models.Model):
    """A reusable instrument. `program` null: built in, offered to every program."""

    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="forms"
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=FormKind.choices)
    description = models.TextField(blank=True, help_text="Shown at the top of the form.")
    assessor_roles = models.JSONField(
        default=list,
        blank=True,
        help_text="The assessor roles that fill this form (AssessorRole values); empty: faculty.",
    )
    anonymous = models.BooleanField(
        default=False,
        help_text="Assessors' names are hidden from the subject, who sees only aggregates of "
        "at least three responses (teaching evaluations).",
    )
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["program", "slug"], name="form_unique_slug"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(program__isnull=True), name="form_builtin_unique_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class FormVersion(models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    item_selection = models.CharField(
        max_length=8, choices=ItemSelection.choices, default=ItemSelection.FIXED
    )
    framework = models.ForeignKey(
        Framework,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For forms whose items are chosen when assessing: where they come from.",
    )
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="form_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.form} v{self.number}"


class Question(models.Model):
    """A rating question of a fixed-item form: one framework item on a scale."""

    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    # A framework may be removed while no assessment rests on it (ratings protect their
    # items); the questions that named its items go with it.
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=255, blank=True)
    scale = models.ForeignKey(
        Scale, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["version", "position", "id"]

    def __str__(self) -> str:
        return self.label or str(self.item)


class Prompt(models.Model):
    """A narrative prompt, e.g. "What went well?" or "One thing to do next"."""

    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="prompts")
    position = models.PositiveIntegerField(default=0)
    key = models.SlugField(max_length=40)
    text = models.CharField(max_length=255)
    placeholder = models.CharField(
        max_length=255, blank=True, help_text="An example answer, shown in the empty box."
    )
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="prompt_unique_key")]

    def __str__(self) -> str:
        return self.text


class AssessorRole(models.TextChoices):
    FACULTY = "faculty", "Faculty"
    RESIDENT = "resident", "Senior resident"
    NURSE = "nurse", "Nurse"
    PEER = "peer", "Peer"
    PATIENT = "patient", "Patient"
    STAFF = "staff", "Staff"
    SELF = "self", "Self"
    LEARNER = "learner", "Learner"


class RequestOrigin(models.TextChoices):
    SCHEDULE = "schedule", "End of rotation (from the schedule)"
    COORDINATOR = "coordinator", "Requested by a coordinator"
    LEARNER = "learner", "Asked for by the learner"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


class Request(models.Model):
    """Who should assess whom, on which form, by when."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="requests")
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="requests")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="requests_about"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="requests_to",
        help_text="Empty for an open request: whoever opens the link may answer.",
    )
    items = models.ManyToManyField(Item, blank=True, related_name="+")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    origin = models.CharField(max_length=12, choices=RequestOrigin.choices)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    due_date = models.DateField()
    token = models.CharField(max_length=40, unique=True, default=new_token)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="Set by a reminder worker that has claimed the row."
    )

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "subject", "assessor", "assignment"],
                condition=Q(origin="schedule"),
                name="request_unique_per_assignment",
            )
        ]
        indexes = [
            models.Index(fields=["assessor", "status", "due_date"]),
            models.Index(fields=["program", "status", "due_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.form} of {self.subject} by {self.assessor or 'anyone'} (due {self.due_date})"


class ReminderPass(models.Model):
    """The reminder worker's last pass (one row, updated by each pass), so the requests
    page can say when reminders last went out, or that the worker is not running."""

    finished_at = models.DateTimeField()
    emails = models.PositiveIntegerField(default=0)
    reminded = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Reminder pass at {self.finished_at:%Y-%m-%d %H:%M}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class Concern(models.TextChoices):
    """What a rater may raise on any form; the program director is told at once."""

    PROFESSIONALISM = "professionalism", "Professionalism"
    PATIENT_SAFETY = "patient_safety", "Patient safety"


class AssessmentSource(models.TextChoices):
    WEB = "web", "Trellis"
    API = "api", "API"
    IMPORT = "import", "Imported"
    LINK = "link", "Rater link (no account)"
    KIOSK = "kiosk", "Patient kiosk (shared tablet)"
    HANDOVER = "handover", "Confirmed by PIN on the learner's phone"


class Assessment(models.Model):
    """One completed (or draft) form about one subject by one assessor."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="assessments")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments_about"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments_given",
    )
    assessor_name = models.CharField(
        max_length=200, blank=True, help_text="For imported assessors who have no account."
    )
    assessor_role = models.CharField(max_length=12, choices=AssessorRole.choices)
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    context = models.CharField(max_length=255, blank=True, help_text="Setting, case, complexity.")
    observed_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    client_key = models.CharField(
        max_length=64,
        blank=True,
        help_text="Sent by the form; a retry with the same key never makes a second assessment.",
    )
    source = models.CharField(
        max_length=8, choices=AssessmentSource.choices, default=AssessmentSource.WEB
    )
    external_id = models.CharField(max_length=128, blank=True)
    content_digest = models.CharField(
        max_length=64,
        blank=True,
        help_text="What was said (form, subject, date, ratings, comments, concerns) as one "
        "digest: the same content again within minutes is the page sent again.",
    )
    concerns = models.JSONField(
        default=list,
        blank=True,
        help_text="Concerns the rater raised (Concern values); the director is e-mailed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    editable_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-observed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessor", "client_key"],
                condition=~Q(client_key=""),
                name="assessment_unique_client_key",
            ),
            models.UniqueConstraint(
                fields=["program", "source", "external_id"],
                condition=~Q(external_id=""),
                name="assessment_unique_external_id",
            ),
        ]
        indexes = [
            models.Index(fields=["subject", "status", "observed_on"]),
            models.Index(fields=["program", "status", "observed_on"]),
            # an assessor's drafts, and their latest submissions (the start page's five)
            models.Index(fields=["assessor", "status", "submitted_at"]),
            # the latest submission in a program: what its analytics were computed from
            models.Index(fields=["program", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.form_version.form} of {self.subject} on {self.observed_on}"


class Rating(models.Model):
    # Indexed by `rating_by_assessment` below, which carries the rating itself.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="ratings", db_index=False
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="ratings")
    level = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    not_observed = models.BooleanField(default=False)

    class Meta:
        ordering = ["assessment", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="rating_unique_item"),
            models.CheckConstraint(
                condition=Q(level__isnull=False, not_observed=False)
                | Q(level__isnull=True, not_observed=True),
                name="rating_level_or_not_observed",
            ),
        ]
        indexes = [
            models.Index(fields=["item", "assessment"]),
            # A learner's evidence reads the ratings of their assessments from this index
            # alone (PostgreSQL; elsewhere it is an index on the assessment): without the
            # rating in it, PostgreSQL scans every rating instead (46 ms against 15 ms at
            # 300,000 ratings).
            models.Index(
                fields=["assessment"],
                include=["item", "level", "not_observed"],
                name="rating_by_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {'not observed' if self.not_observed else self.level}"


class Comment(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    prompt_key = models.CharField(max_length=40)
    text = models.TextField()
    items = models.ManyToManyField(Item, blank=True, related_name="comments")

    class Meta:
        ordering = ["assessment", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class LogKind(models.TextChoices):
    CASE = "case", "Case"
    PROCEDURE = "procedure", "Procedure"


class LogType(models.Model):
    """An entry in a program's catalogue of cases and procedures, with its minimum."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="log_types")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=LogKind.choices)
    minimum = models.PositiveSmallIntegerField(default=0, help_text="Verified entries required.")
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["program", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="log_type_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class LogRole(models.TextChoices):
    OBSERVED = "observed", "Observed"
    ASSISTED = "assisted", "Assisted"
    PERFORMED = "performed", "Performed (supervised)"
    INDEPENDENT = "independent", "Performed independently"
    TAUGHT = "taught", "Supervised or taught"


class LogEntry(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="log_entries")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="log_entries"
    )
    log_type = models.ForeignKey(LogType, on_delete=models.PROTECT, related_name="entries")
    performed_on = models.DateField()
    role = models.CharField(max_length=12, choices=LogRole.choices)
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="log_entries_to_verify",
    )
    notes = models.CharField(max_length=500, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-performed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "client_key"],
                condition=~Q(client_key=""),
                name="log_entry_unique_client_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.log_type} by {self.learner} on {self.performed_on}"


class Exam(models.Model):
    """An examination sitting, e.g. the 2026 in-training examination, linked to the
    Medical Knowledge items it speaks to."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="exams")
    name = models.CharField(max_length=200)
    taken_on = models.DateField()
    max_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    items = models.ManyToManyField(Item, blank=True, related_name="+")

    class Meta:
        ordering = ["program", "-taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name", "taken_on"], name="exam_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.taken_on})"


class ExamScore(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="scores")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_scores"
    )
    score = models.DecimalField(max_digits=7, decimal_places=2)
    percentile = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["exam", "learner"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "learner"], name="exam_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.learner}: {self.score}"


class RaterLink(models.Model):
    """A link that lets one person without an account (a nurse, a patient, a peer, an
    outside preceptor) fill one form about one learner, once, before it expires. Only a
    digest of the link's secret is stored: the secret itself is shown once, when made."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rater_links")
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="rater_links")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rater_links_about"
    )
    rater_role = models.CharField(max_length=12, choices=AssessorRole.choices)
    rater_email = models.EmailField(blank=True)
    rater_name = models.CharField(max_length=200, blank=True)
    anonymous = models.BooleanField(
        default=False, help_text="The rater gives no name (patient feedback)."
    )
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    assessment = models.OneToOneField(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="rater_link"
    )
    client_key = models.CharField(
        max_length=64,
        blank=True,
        help_text="Sent by the page that makes links: a repeated submission makes no second.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["program", "subject"])]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "client_key"],
                condition=~Q(client_key=""),
                name="rater_link_unique_client_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.form} of {self.subject} by a {self.get_rater_role_display().lower()}"


class LinkMiss(models.Model):
    """A request for a rater link that does not exist (or no longer works), by client
    address: too many in a while and that address is refused for a time."""

    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"miss from {self.ip} at {self.at:%Y-%m-%d %H:%M}"


class KioskSession(models.Model):
    """A shared tablet that takes patients' feedback (the multisource form, anonymous)
    about one learner, or one of a short list (a clinic session), one patient after
    another, until it expires or is ended. Like a rater link, only a digest of its secret
    address is stored."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="kiosks")
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="kiosks")
    learners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    label = models.CharField(max_length=200, blank=True, help_text="e.g. Tuesday clinic, room 3")
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submissions = models.PositiveIntegerField(default=0)
    client_key = models.CharField(
        max_length=64,
        blank=True,
        help_text="Sent by the page that starts kiosks: a repeated submission starts no second.",
    )

    # Read by the capture form as it reads a rater link: a patient gives no name.
    anonymous = True
    rater_role = "patient"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "client_key"],
                condition=~Q(client_key=""),
                name="kiosk_unique_client_key",
            )
        ]

    def __str__(self) -> str:
        return f"Kiosk {self.label or self.pk} ({self.program})"

    def get_rater_role_display(self) -> str:
        return "Patient"
