"""SAML single sign-on in Chromium against a real identity provider (pysaml2 on 127.0.0.1,
trellis/connect/tests/saml_idp.py): the login page's button, the provider's own login form
and its auto-posted assertion, landing signed in, signing out of both; an unknown person
refused, and an assertion altered on its way through the browser refused. Trellis's pages
are checked with axe."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
import requests

from tests.browser.conftest import PHONE, Web
from tests.browser.test_sso import assert_accessible
from trellis.connect.tests.saml_idp import PASSWORD, TestIdP
from trellis.testing import make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUTTON = "Sign in with Riverside University"


@pytest.fixture
def saml(
    settings: Any, saml_idp: TestIdP, saml_sp_keys: tuple[Path, Path], live_server: Any
) -> TestIdP:
    for name, value in saml_idp.trellis_settings(live_server.url, *saml_sp_keys).items():
        setattr(settings, name, value)
    metadata = requests.get(f"{live_server.url}/sso/saml/metadata/", timeout=30)
    saml_idp.register(metadata.text)
    return saml_idp


def sign_in_at_provider(web: Web, username: str) -> None:
    page = web.page
    page.get_by_role("link", name=BUTTON).click()
    page.wait_for_load_state()
    if page.get_by_label("University user name").count():
        page.get_by_label("University user name").fill(username)
        page.get_by_label("University password").fill(PASSWORD)
        page.get_by_role("button", name="Log in to Riverside").click()
    # The provider's page posts the assertion back to Trellis by itself.
    page.wait_for_url(f"{web.base_url}/**")
    page.wait_for_load_state()


def test_a_known_person_signs_in_with_saml_and_out_of_both(web: Web, saml: TestIdP) -> None:
    make_people()
    page = web.page
    web.go("/accounts/login/")
    assert page.get_by_role("link", name=BUTTON).is_visible()
    assert_accessible(web, "the login page with SAML")

    sign_in_at_provider(web, "dana")
    assert page.url == web.base_url + "/"
    assert "Dana" in page.content()  # the director, named in the account menu

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{web.base_url}/accounts/login/**")
    web.go("/")
    assert "/accounts/login/" in page.url
    # The provider's session ended too: its login form asks again.
    page.get_by_role("link", name=BUTTON).click()
    page.wait_for_load_state()
    assert page.url.startswith(saml.url + "/sso")
    assert page.get_by_label("University password").is_visible()
    assert web.console_errors == []


def test_an_unknown_person_and_an_altered_assertion_are_refused(
    web_factory: Any, saml: TestIdP
) -> None:
    make_people()
    web = web_factory(PHONE)
    page = web.page
    web.go("/accounts/login/")
    sign_in_at_provider(web, "nora")
    assert page.get_by_role("heading", name="You are not signed in").is_visible()
    assert page.get_by_role("alert").get_by_text("nora.quinn@riverside.test").is_visible()
    assert_accessible(web, "the refusal page")

    # Lena's assertion, altered in the browser to name the director on its way to Trellis.
    def alter(route: Any) -> None:
        fields = {k: v[0] for k, v in parse_qs(route.request.post_data).items()}
        xml = base64.b64decode(fields["SAMLResponse"]).decode()
        xml = xml.replace("learner@riverside.test", "director@riverside.test")
        fields["SAMLResponse"] = base64.b64encode(xml.encode()).decode()
        route.continue_(post_data=urlencode(fields))

    page.route(f"{web.base_url}/sso/saml/acs/", alter)
    page.context.clear_cookies()  # the provider forgets Nora
    web.go("/accounts/login/")
    sign_in_at_provider(web, "lena")
    assert page.get_by_role("heading", name="You are not signed in").is_visible()
    assert "could not verify the answer from Riverside University" in page.content()
    web.go("/")
    assert "/accounts/login/" in page.url
    # The refusals themselves are 403s, which Chromium reports; nothing else may go wrong.
    assert [e for e in web.console_errors if "status of 403" not in e] == []
