"""What the campus faces keep: the LMS platforms Trellis is registered with as an LTI 1.3
tool (lti/), and the launch nonces already used."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import models

from trellis.frameworks.models import Item
from trellis.people.models import Institution, Program, User


class LtiPlatform(models.Model):
    """One registration of Trellis in an LMS (Canvas, Moodle, Brightspace): the platform's
    issuer and endpoints, the client id it gave Trellis, the deployments it may launch
    from, Trellis's own key pair for it, and the program its courses map to."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="lti_platforms"
    )
    name = models.CharField(max_length=200)
    issuer = models.URLField(max_length=500, help_text="The platform's issuer ('iss').")
    client_id = models.CharField(max_length=255, help_text="The client id it gave Trellis.")
    auth_login_url = models.URLField("authentication request URL", max_length=500)
    auth_token_url = models.URLField("access token URL", max_length=500)
    key_set_url = models.URLField("public keyset URL", max_length=500)
    deployment_ids = models.JSONField(
        default=list, help_text="The deployment ids launches may come from; others are refused."
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        related_name="lti_platforms",
        help_text="The program a launch from this platform's courses is in.",
    )
    add_members = models.BooleanField(
        default=False,
        help_text=(
            "Give a person launched as Learner or Instructor who is not yet in the program "
            "a learner or faculty membership. Off: only existing members are let in."
        ),
    )
    # Trellis's key pair for this platform: the private key signs deep-linking answers
    # (and service tokens); the public half is served at /lti/jwks/ under `key_id`.
    private_key = models.TextField(editable=False)
    key_id = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_issuer_client_once")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def origin(self) -> str:
        """Where the LMS's pages are served from (its login URL's), the one origin that may
        frame a page of a session this platform launched."""
        parts = urlsplit(self.auth_login_url)
        return f"{parts.scheme}://{parts.netloc}"


class LtiNonce(models.Model):
    """A launch's nonce, kept once it is used, so the same id_token is refused a second time
    whatever browser or server process it is posted to."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="nonces")
    nonce = models.CharField(max_length=255)
    used_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "nonce"], name="lti_nonce_once")]

    def __str__(self) -> str:
        return self.nonce


class LtiIdentity(models.Model):
    """Who a platform's user id (`sub`) is in Trellis, learnt at their launches: the
    platform's grade service names people by it alone."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="identities")
    sub = models.CharField(max_length=255)
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="lti_identities")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "sub"], name="lti_identity_once")
        ]

    def __str__(self) -> str:
        return f"{self.sub} ({self.platform})"


class LtiCourse(models.Model):
    """A course (LTI context) launched from, with its grade service (Assignment and Grade
    Services) where the platform offers it."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="courses")
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    lineitems_url = models.URLField(max_length=500, blank=True)
    scopes = models.JSONField(default=list)
    program = models.ForeignKey(
        Program,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lti_courses",
        help_text="The program this course's launches land in; empty: the registration's.",
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "context_id"], name="lti_course_once")
        ]

    def __str__(self) -> str:
        return self.title or self.context_id

    @property
    def landing_program(self) -> Program:
        return self.program or self.platform.program


class LtiLineItem(models.Model):
    """A coordinator's mapping: the scores of one LMS assignment (line item) arrive as an
    exam of the program, speaking to the framework items chosen."""

    course = models.ForeignKey(LtiCourse, on_delete=models.CASCADE, related_name="line_items")
    url = models.URLField(max_length=500, help_text="The line item's id at the platform.")
    label = models.CharField(max_length=200)
    items = models.ManyToManyField(Item, related_name="+")
    taken_on = models.DateField(help_text="The exam's date in Trellis.")
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["course", "url"], name="lti_line_item_once")]

    def __str__(self) -> str:
        return self.label
