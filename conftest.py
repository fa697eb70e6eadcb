from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from trellis.testing import People, make_people

if TYPE_CHECKING:
    from trellis.connect.tests.idp.provider import TestProvider
    from trellis.connect.tests.lti_platform import Platform
    from trellis.connect.tests.saml_idp import TestIdP

SHARED = Path(os.environ.get("TRELLIS_SHARED", Path(__file__).resolve().parent.parent / "shared"))
REAL_DATA = SHARED / "real-data"


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Real hashing costs ~0.4 s a person; tests create many people.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No consortium history unless a test gives one (the demo's file is not the tests').
    settings.TRELLIS_ANALYTICS_HISTORY = ""


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: analytics are cached by data version, and a
    rolled-back database can reuse ids. So with what the process keeps of form versions
    and of analyses."""
    from django.core.cache import cache

    from trellis.assessments.instruments.kept import kept_clear
    from trellis.committees.analytics import analytics_forget

    cache.clear()
    kept_clear()
    analytics_forget()


@pytest.fixture
def people(db: None) -> People:
    return make_people()


@pytest.fixture
def real_data() -> Path:
    """The third-party files in ../shared/real-data; tests skip, saying why, without them."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data not found at {REAL_DATA} (set TRELLIS_SHARED to the shared folder)")
    return REAL_DATA


# The test OpenID provider's people ("username:email:first:last"): the director under
# another case, a learner, someone Trellis does not know, the faculty member (whom a test
# switches off) and one whose address the provider marks unverified.
IDP_USERS = [
    "dana:Director@Riverside.test:Dana:Okafor",
    "lena:learner@riverside.test:Lena:Park",
    "nora:nora.quinn@riverside.test:Nora:Quinn",
    "farah:faculty@riverside.test:Farah:Mendes",
    "uma:committee@riverside.test:Uma:Unverified",
]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestProvider]:
    """A real OpenID provider (django-oidc-provider) on 127.0.0.1 for the session."""
    from trellis.connect.tests.idp.provider import start_provider

    provider = start_provider(
        tmp_path_factory.mktemp("idp"),
        users=IDP_USERS,
        redirect_uris=["http://testserver/sso/oidc/callback/"],
    )
    yield provider
    provider.stop()


def require_xmlsec1() -> None:
    """pysaml2 signs and checks signatures with the xmlsec1 program. Without it the SAML
    tests skip, saying why, unless TRELLIS_REQUIRE_BROWSER=1 (CI), where that fails."""
    if shutil.which("xmlsec1"):
        return
    reason = "xmlsec1 not found (install Debian's xmlsec1 package): pysaml2 needs it"
    if os.environ.get("TRELLIS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; TRELLIS_REQUIRE_BROWSER=1 requires it")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestIdP]:
    """A real SAML identity provider (pysaml2) on 127.0.0.1 for the session, knowing the
    OpenID provider's people."""
    require_xmlsec1()
    from trellis.connect.tests.saml_idp import TestIdP

    idp = TestIdP(tmp_path_factory.mktemp("saml-idp"), users=IDP_USERS).start()
    yield idp
    idp.stop()


@pytest.fixture(scope="session")
def saml_sp_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Trellis's own key and certificate as a service provider (made for the session)."""
    from trellis.connect.tests.saml_idp import make_keypair

    return make_keypair(tmp_path_factory.mktemp("saml-sp"), "trellis")


@pytest.fixture(scope="session")
def lti_platform() -> Iterator[Platform]:
    """A real LTI 1.3 platform (an LMS) on 127.0.0.1 for the session, its key made once."""
    from trellis.connect.tests.lti_platform import Platform

    platform = Platform()
    yield platform
    platform.stop()
