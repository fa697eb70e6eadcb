"""What Trellis keeps of its conversation with a learning record store: each assessment
queued for sending and how its sending went, and how far statements have been read."""

from __future__ import annotations

from django.db import models


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    REFUSED = "refused", "Refused by the LRS"


class Delivery(models.Model):
    """One submitted assessment on its way to the LRS as one statement. Retried with a
    growing pause until the LRS takes it; never touched by the rater's request."""

    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="xapi_delivery"
    )
    statement_id = models.UUIDField(unique=True)
    status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"xAPI statement {self.statement_id} ({self.status})"


class SendState(models.Model):
    """The sender's one row: assessments submitted from `since` on are sent (set on its
    first pass, so installing an LRS does not replay years of history), and its last pass."""

    since = models.DateTimeField()
    last_pass_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"xAPI sender since {self.since:%Y-%m-%d %H:%M}"


class ImportCursor(models.Model):
    """How far a program has read an LRS: the `stored` time of the last statement taken."""

    program = models.ForeignKey("people.Program", on_delete=models.CASCADE, related_name="+")
    endpoint = models.URLField(max_length=500)
    stored = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "endpoint"], name="xapi_cursor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} read to {self.stored:%Y-%m-%d %H:%M:%S}"
