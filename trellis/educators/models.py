"""Clinician Educator Milestones practice: peer-observation invitations, the coaching
opt-in each educator controls, and the office's coaching invitations.

Ratings themselves are ordinary assessments (subject = the educator); what is specific
to educators is who may see them, which lives in plans.Share and educators.access."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from trellis.assessments.models import Assessment
from trellis.people.models import Program


def new_token() -> str:
    return secrets.token_urlsafe(24)


class PeerInvitation(models.Model):
    """An educator asks a colleague to observe one teaching session."""

    educator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="peer_invitations_sent"
    )
    colleague = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="peer_invitations"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    session = models.CharField(max_length=255, help_text="The teaching session to observe.")
    token = models.CharField(max_length=40, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    assessment = models.OneToOneField(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Peer observation of {self.educator} by {self.colleague}"


class CoachingPreference(models.Model):
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coaching_preference"
    )
    opted_in = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.person}: coaching {'on' if self.opted_in else 'off'}"


class CoachingInvitation(models.Model):
    """Sent by a faculty-development office; reaches only educators who opted in. The
    office sees how many it reached, never who."""

    office = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    message = models.TextField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="coaching_invitations"
    )

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"Coaching invitation from {self.office} ({self.sent_at:%Y-%m-%d})"
