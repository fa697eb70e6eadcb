"""Single sign-on in Chromium against a real OpenID provider (django-oidc-provider on
127.0.0.1, trellis/connect/tests/idp/): the login page's button, the provider's own login
form, landing on the home page, signing out of both, an unknown person refused; each page
at desktop and phone widths checked with axe."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE, Web
from trellis.connect.tests.idp.provider import PASSWORD, TestProvider
from trellis.testing import make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUTTON = "Sign in with Riverside University"


def assert_accessible(web: Web, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(web.page)
    if results.violations_count:
        pytest.fail(
            f"{results.violations_count} axe violation(s) on {what}:\n{results.generate_report()}"
        )


@pytest.fixture
def sso(settings: Any, oidc_provider: TestProvider, live_server: Any) -> TestProvider:
    oidc_provider.register(
        redirect_uris=[f"{live_server.url}/sso/oidc/callback/"],
        logout_uris=[f"{live_server.url}/accounts/login/"],
    )
    for name, value in oidc_provider.trellis_settings().items():
        setattr(settings, name, value)
    return oidc_provider


def sign_in_at_provider(web: Web, username: str) -> None:
    page = web.page
    page.get_by_role("link", name=BUTTON).click()
    page.wait_for_load_state()
    if page.get_by_label("University user name").count():
        page.get_by_label("University user name").fill(username)
        page.get_by_label("University password").fill(PASSWORD)
        page.get_by_role("button", name="Log in to Riverside").click()
        page.wait_for_load_state()


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_known_person_signs_in_with_the_provider_and_out_of_both(
    web_factory: Any, sso: TestProvider, phone: bool
) -> None:
    make_people()
    web = web_factory(PHONE) if phone else web_factory()
    page = web.page
    web.go("/accounts/login/")
    assert page.get_by_role("link", name=BUTTON).is_visible()
    assert page.get_by_label("Password").is_visible()
    assert_accessible(web, "the login page with single sign-on")

    sign_in_at_provider(web, "dana")
    assert page.url == web.base_url + "/"
    assert "Dana" in page.content()  # the director, named in the account menu

    if phone:
        page.get_by_text("Account", exact=True).click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    # Through the provider's end_session_endpoint and back to the login page.
    assert page.url.startswith(web.base_url + "/accounts/login/")
    web.go("/")
    assert "/accounts/login/" in page.url
    # The provider's session ended too: its login form asks again.
    page.get_by_role("link", name=BUTTON).click()
    page.wait_for_load_state()
    assert page.url.startswith(sso.url + "/accounts/login/")
    assert web.console_errors == []


def test_an_unknown_person_is_refused_with_a_clear_page(
    web_factory: Any, sso: TestProvider
) -> None:
    make_people()
    for viewport in (None, PHONE):
        web = web_factory(viewport) if viewport else web_factory()
        web.go("/accounts/login/")
        sign_in_at_provider(web, "nora")
        page = web.page
        assert page.get_by_role("heading", name="You are not signed in").is_visible()
        assert page.get_by_role("alert").get_by_text("nora.quinn@riverside.test").is_visible()
        assert_accessible(web, "the refusal page")
        page.get_by_role("link", name="Back to the sign-in page").click()
        page.wait_for_load_state()
        assert page.url.startswith(web.base_url + "/accounts/login/")
        # The refusal itself is a 403, which Chromium reports; nothing else may go wrong.
        assert [e for e in web.console_errors if "status of 403" not in e] == []


def test_with_password_sign_in_off_the_page_offers_only_the_provider(
    web_factory: Any, sso: TestProvider, settings: Any
) -> None:
    settings.PASSWORD_SIGN_IN = False
    settings.AUTHENTICATION_BACKENDS = ["trellis.connect.sso.backend.OIDCBackend"]
    make_people()
    for viewport in (None, PHONE):
        web = web_factory(viewport) if viewport else web_factory()
        web.go("/accounts/login/")
        page = web.page
        assert page.get_by_role("link", name=BUTTON).is_visible()
        assert page.get_by_label("Password").count() == 0
        assert_accessible(web, "the login page with the provider only")
        sign_in_at_provider(web, "lena")
        assert page.url == web.base_url + "/"
