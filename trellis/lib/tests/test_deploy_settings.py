"""The settings module in production: HTTPS on by default, a weak SECRET_KEY refused.

Each case imports trellis.settings in a fresh interpreter with a production environment,
since the settings are read once, at start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[3]
STRONG = "kT3x9-vQ2mB7nL0pZ8rW4yH6sD1fJ5gC_aE2uI9oK7tR3qX0wV8"
NAMES = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SILENCED_SYSTEM_CHECKS",
]
SCRIPT = (
    "import json, trellis.settings as s; "
    f"print(json.dumps({{n: getattr(s, n, None) for n in {NAMES!r}}}))"
)


def load(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "TRELLIS_", "DJANGO_")) and key != "SECRET_KEY"
    }
    base.update(
        DEBUG="",
        ALLOWED_HOSTS="example.org",
        SITE_URL="https://example.org",
        TRELLIS_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    base.update(env)
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", SCRIPT],
        cwd=PROJECT,
        env=base,
        capture_output=True,
        text=True,
        check=False,
    )


def values(tmp_path: Path, **env: str) -> dict[str, Any]:
    done = load(tmp_path, **env)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_it_turns_https_on_in_production(tmp_path: Path) -> None:
    got = values(tmp_path, SECRET_KEY=STRONG)
    assert got["SECURE_SSL_REDIRECT"] is True
    assert got["SECURE_HSTS_SECONDS"] == 31536000
    assert got["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert got["SECURE_HSTS_PRELOAD"] is False
    assert got["SESSION_COOKIE_SECURE"] is True
    # The proxy header is trusted only when asked for.
    assert got["SECURE_PROXY_SSL_HEADER"] is None
    assert got["SILENCED_SYSTEM_CHECKS"] == ["security.W021"]


def test_the_environment_sets_each_https_setting(tmp_path: Path) -> None:
    got = values(
        tmp_path,
        SECRET_KEY=STRONG,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        SECURE_HSTS_PRELOAD="1",
        TRELLIS_PROXY_SSL_HEADER="1",
    )
    assert got["SECURE_SSL_REDIRECT"] is False
    assert got["SECURE_HSTS_SECONDS"] == 600
    assert got["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert got["SECURE_HSTS_PRELOAD"] is True
    assert got["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert got["SILENCED_SYSTEM_CHECKS"] == []


def test_https_is_off_with_debug(tmp_path: Path) -> None:
    got = values(tmp_path, DEBUG="1")
    assert got["SECURE_SSL_REDIRECT"] is False
    assert got["SECURE_HSTS_SECONDS"] == 0


@pytest.mark.parametrize(
    "key",
    [
        "short-but-varied-key-0123456789",
        "a" * 60 + "bcd",
        "django-insecure-" + STRONG,
    ],
    ids=["short", "few-distinct", "django-insecure"],
)
def test_it_refuses_a_weak_secret_key_in_production(tmp_path: Path, key: str) -> None:
    done = load(tmp_path, SECRET_KEY=key)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "SECRET_KEY is too weak" in done.stderr


def test_a_weak_key_is_fine_with_debug(tmp_path: Path) -> None:
    assert values(tmp_path, DEBUG="1", SECRET_KEY="dev")["DEBUG"] is True
