"""The clinical schedule: academic years, blocks, sites, rotations and assignments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from trellis.curriculum.models import Activity
from trellis.people.models import Institution, Program


class AcademicYear(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="academic_years")
    name = models.CharField(max_length=32, help_text="e.g. 2026-2027")
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["program", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="academic_year_unique_name"),
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="year_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Block(models.Model):
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="blocks")
    name = models.CharField(max_length=32)
    start_date = models.DateField()
    end_date = models.DateField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["academic_year", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="block_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="sites")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["institution", "name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="site_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class Rotation(models.Model):
    """A clinical experience from the curriculum map, as scheduled. `capacity` is the most
    learners it can take at once (null: no limit)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rotations")
    activity = models.OneToOneField(Activity, on_delete=models.PROTECT, related_name="rotation")
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["program", "activity__position", "activity__code"]

    def __str__(self) -> str:
        return self.activity.title

    @property
    def code(self) -> str:
        return self.activity.code


class Assignment(models.Model):
    """A learner on a rotation at a site, for dates (inclusive), with supervising faculty."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    rotation = models.ForeignKey(Rotation, on_delete=models.PROTECT, related_name="assignments")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="assignments")
    start_date = models.DateField()
    end_date = models.DateField()
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="supervised_assignments"
    )

    class Meta:
        ordering = ["start_date", "learner__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="assignment_end_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "start_date"]),
            models.Index(fields=["rotation", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.learner} on {self.rotation} {self.start_date}–{self.end_date}"
