from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from trellis.lib.checks import site_url_check


@override_settings(DEBUG=False, SITE_URL="")
def test_it_refuses_a_production_start_without_site_url() -> None:
    errors = site_url_check()
    assert [e.id for e in errors] == ["trellis.E001"]
    with pytest.raises(SystemCheckError, match="SITE_URL"):
        call_command("check")


@override_settings(DEBUG=False, SITE_URL="trellis.example.edu")
def test_it_refuses_a_relative_site_url() -> None:
    assert [e.id for e in site_url_check()] == ["trellis.E001"]


@override_settings(DEBUG=False, SITE_URL="https://trellis.example.edu")
def test_it_accepts_an_absolute_site_url() -> None:
    assert site_url_check() == []


@override_settings(DEBUG=True, SITE_URL="")
def test_it_lets_development_run_without_site_url() -> None:
    assert site_url_check() == []
