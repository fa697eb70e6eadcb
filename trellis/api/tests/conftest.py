"""Fixtures for the API tests: an API client, small frameworks built with the ORM, tokens."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from trellis.api.services import api_token_create
from trellis.frameworks.models import Framework, Item, LevelDescriptor, Scale
from trellis.people.models import Institution, User
from trellis.testing import People


def build_framework(slug: str, institution: Institution | None, title: str = "") -> Framework:
    scale, _ = Scale.objects.get_or_create(
        slug="milestones", defaults={"name": "Milestone levels", "kind": "milestone"}
    )
    framework = Framework.objects.create(
        slug=slug,
        identifier=f"fw-{slug}",
        title=title or f"Framework {slug}",
        version="2.0",
        scale=scale,
        institution=institution,
    )
    domain = Item.objects.create(
        framework=framework,
        identifier=f"{slug}-pc",
        kind="domain",
        code="PC",
        name="Patient Care",
        statement="Patient Care",
        position=1,
    )
    sub = Item.objects.create(
        framework=framework,
        parent=domain,
        identifier=f"{slug}-pc1",
        kind="subcompetency",
        code="PC1",
        name="History",
        statement="Gathers a history",
        position=2,
    )
    for level in (1, 2):
        LevelDescriptor.objects.create(
            item=sub, level=Decimal(level), text=f"Level {level} text", position=level
        )
    return framework


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """The named people get real passwords; hashing ten of them slowly per test is most
    of a test's time, and nothing here tests password hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def catalogue_framework(people: People) -> Framework:
    return build_framework("acgme-im", None, "Internal Medicine Milestones")


@pytest.fixture
def own_framework(people: People) -> Framework:
    return build_framework("riverside-local", people.institution, "Riverside Local Framework")


@pytest.fixture
def other_framework(people: People) -> Framework:
    return build_framework("hillcrest-local", people.other_institution, "Hillcrest Framework")


@pytest.fixture
def token_for() -> Callable[[User], str]:
    def make(user: User) -> str:
        return api_token_create(user=user, name="test")[1]

    return make


@pytest.fixture
def as_user(api: APIClient, token_for: Callable[[User], str]) -> Callable[[User], APIClient]:
    """An API client that sends a real token for `user`."""

    def login(user: User) -> APIClient:
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return api

    return login
