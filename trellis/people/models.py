"""Institutions, programs, people and their memberships (who plays which role where)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        # Addresses are stored in lower case; phones often capitalise the first letter.
        return self.get(email__iexact=(username or "").strip())

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class Institution(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person. Logs in with an e-mail address; the same person may be a learner in
    one program and faculty in another."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


class ProgramKind(models.TextChoices):
    RESIDENCY = "residency", "Residency"
    FELLOWSHIP = "fellowship", "Fellowship"
    MEDICAL_SCHOOL = "medical_school", "Medical school"
    FACULTY_DEVELOPMENT = "faculty_development", "Faculty development"


# Words that follow /assess/ in addresses of their own (a phone handover, a request's
# answer, an assessment): a program named by one would lose pages to them.
RESERVED_PROGRAM_SLUGS = frozenset({"a", "ask", "given", "handover", "mine", "r", "teaching"})


def program_slug_free(value: str) -> None:
    if value in RESERVED_PROGRAM_SLUGS:
        raise ValidationError(
            f"'{value}' is a word Trellis's own addresses use; choose another short name"
        )


class Program(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="programs")
    slug = models.SlugField(unique=True, validators=[program_slug_free])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=ProgramKind.choices)
    specialty = models.CharField(max_length=120, blank=True)
    length_years = models.PositiveSmallIntegerField(
        default=3, help_text="Training years from entry to graduation."
    )
    ads_number = models.CharField(
        "ADS program number",
        max_length=10,
        blank=True,
        help_text="The ACGME's 10-digit program number, for the milestone upload.",
    )

    class Meta:
        ordering = ["institution__name", "name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    LEARNER = "learner", "Learner"
    FACULTY = "faculty", "Faculty"
    COORDINATOR = "coordinator", "Coordinator"
    DIRECTOR = "director", "Program director"
    COMMITTEE = "committee", "Committee member"
    EDUCATOR = "educator", "Clinician educator"
    FD_LEAD = "fd_lead", "Faculty-development lead"
    ADMIN = "admin", "Institution admin"


# Roles that may change a program's set-up (frameworks adopted, expected levels, members).
PROGRAM_MANAGERS = frozenset({Role.COORDINATOR, Role.DIRECTOR, Role.FD_LEAD})


class Membership(models.Model):
    """A person's role in a program (or, for institution admins, in an institution)."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="memberships"
    )
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    training_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Learners only: PGY or study year."
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    acgme_id = models.CharField(
        "ACGME ID",
        max_length=20,
        blank=True,
        help_text="Residents and fellows: the learner's ID in the ACGME's ADS.",
    )

    class Meta:
        ordering = ["program__name", "role", "person__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(program__isnull=False) | Q(role="admin"),
                name="membership_program_unless_admin",
            ),
        ]
        indexes = [models.Index(fields=["person", "role"])]

    def __str__(self) -> str:
        where = self.program or self.institution
        return f"{self.person} — {self.get_role_display()} — {where}"


class SignInAttempt(models.Model):
    """A sign-in attempt, written before its password is checked and kept briefly (a
    failure or a refusal) to slow down password guessing; a success removes it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "being checked"
        FAILED = "failed", "wrong e-mail or password"
        REFUSED = "refused", "refused by a limit, password not checked"

    email = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.PENDING)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.email} from {self.ip} at {self.at:%Y-%m-%d %H:%M} ({self.outcome})"


class CohortPromotion(models.Model):
    """One academic-year turn of a program: on `last_day` its learners moved up a training
    year and its final-year learners graduated. Kept so that the same turn cannot run twice
    (a double-submitted confirmation, or the command run again)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="promotions")
    last_day = models.DateField(help_text="The last day of the academic year that ended.")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    promoted = models.PositiveIntegerField(default=0)
    graduated = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_day"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "last_day"], name="cohort_promotion_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program} — year ending {self.last_day:%Y-%m-%d}"


class ConfirmPin(models.Model):
    """A person's PIN (4 to 8 digits, hashed by Django's password hashers), with which a
    faculty member confirms on a learner's phone the observation they just made there.
    `failures` counts wrong tries (PIN or password) since the last right one; too many lock
    confirmation for that person a while (see `people.pin`)."""

    person = models.OneToOneField(User, on_delete=models.CASCADE, related_name="confirm_pin")
    pin = models.CharField(max_length=128, blank=True, help_text="Hashed; empty: no PIN set.")
    set_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"PIN of {self.person}"
