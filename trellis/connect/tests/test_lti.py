"""Trellis as an LTI 1.3 tool, launched by a real platform (lti_platform.py) that signs its
id_tokens with its own key: the OIDC login initiation, the launch, deep linking, and the
refusals (a forged signature, a replayed nonce, an unknown deployment or platform, an
expired token)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.utils import timezone

from trellis.audit.models import AuditEvent
from trellis.connect.lti.services import platform_register
from trellis.connect.models import LtiCourse, LtiNonce, LtiPlatform
from trellis.connect.tests.lti_platform import (
    ADMINISTRATOR,
    CLIENT_ID,
    DEPLOYMENT_ID,
    INSTRUCTOR,
    LaunchForm,
    Platform,
    launch_form,
    new_key,
)
from trellis.people.models import Membership, Role
from trellis.testing import People

LAUNCH = "http://testserver/lti/launch/"


def register(lms: Platform, people: People, *, add_members: bool = False) -> LtiPlatform:
    return platform_register(
        institution=people.institution,
        name="Riverside Moodle",
        issuer=lms.issuer,
        client_id=CLIENT_ID,
        auth_login_url=lms.auth_login_url,
        auth_token_url=lms.auth_token_url,
        key_set_url=lms.key_set_url,
        deployment_ids=[DEPLOYMENT_ID],
        program=people.program,
        add_members=add_members,
        acting_user=people.admin,
    )


@pytest.fixture
def platform(lms: Platform, people: People) -> LtiPlatform:
    return register(lms, people)


def authenticate(client: Client, lms: Platform, target_link_uri: str = LAUNCH) -> LaunchForm:
    """The LMS sends the browser to the tool's login URL, which sends it to the LMS's
    authentication endpoint, whose page posts the id_token back."""
    start = client.post("/lti/login/", lms.login_initiation(target_link_uri))
    assert start.status_code == 302, start.content
    assert start["Location"].startswith(lms.auth_login_url)
    page = requests.get(start["Location"], timeout=5)
    assert page.status_code == 200, page.text
    return launch_form(page.text)


def launch(client: Client, lms: Platform, target_link_uri: str = LAUNCH) -> Any:
    form = authenticate(client, lms, target_link_uri)
    assert form.action == LAUNCH
    return client.post(urlsplit(form.action).path, form.data)


def signed_in(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def assert_refused(response: Any, client: Client, text: str) -> None:
    assert response.status_code in {400, 403}
    assert text in response.content.decode()
    assert signed_in(client) is None


# --- launches ----------------------------------------------------------------------------


def test_a_learner_launch_signs_in_and_lands_on_their_record(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    response = launch(client, lms)
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/programs/{people.program.slug}/records/learners/{people.learner.pk}/"
    )
    assert signed_in(client) == people.learner.pk
    assert client.get(response["Location"]).status_code == 200
    # The tool asked the platform as LTI's OIDC profile says (and told it where to come back).
    login = lms.logins[-1]
    assert login["redirect_uri"] == LAUNCH and login["response_mode"] == "form_post"


def test_an_instructor_launch_lands_on_my_learners(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    lms.next.email, lms.next.roles = "faculty@riverside.test", INSTRUCTOR
    response = launch(client, lms)
    assert response["Location"] == "/schedule/learners-now/"
    assert signed_in(client) == people.faculty.pk


@pytest.mark.parametrize(
    ("target", "landing"), [("assess", "/assess/"), ("learners", "/schedule/learners-now/")]
)
def test_the_custom_target_names_the_page(
    client: Client, people: People, lms: Platform, platform: LtiPlatform, target: str, landing: str
) -> None:
    lms.next.email, lms.next.roles = "faculty@riverside.test", INSTRUCTOR
    lms.next.custom = {"target": target}
    assert launch(client, lms)["Location"] == landing


def test_the_target_link_uri_may_name_the_page(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    lms.next.email, lms.next.roles = "faculty@riverside.test", INSTRUCTOR
    response = launch(client, lms, LAUNCH + "?target=assess")
    assert response["Location"] == "/assess/"


def test_a_record_is_opened_only_for_a_learner_of_the_program(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    lms.next.email, lms.next.custom = "faculty@riverside.test", {"target": "record"}
    assert launch(client, lms)["Location"] == "/"


def test_a_launch_adds_the_mapped_membership_where_the_registration_allows(
    client: Client, people: People, lms: Platform
) -> None:
    register(lms, people, add_members=True)
    lms.next.email = people.outsider.email  # known to Trellis, not in this program
    response = launch(client, lms)
    membership = Membership.objects.get(person=people.outsider, program=people.program)
    assert membership.role == Role.LEARNER and membership.end_date is None
    assert response["Location"].endswith(f"/learners/{people.outsider.pk}/")
    actions = set(
        AuditEvent.objects.filter(target_id=str(membership.pk)).values_list("action", flat=True)
    )
    assert actions == {"membership.add", "lti.membership.add"}
    # A second launch adds nothing more.
    launch(Client(), lms)
    assert Membership.objects.filter(person=people.outsider, program=people.program).count() == 1


def test_an_instructor_becomes_faculty_and_an_administrator_nothing(
    client: Client, people: People, lms: Platform
) -> None:
    register(lms, people, add_members=True)
    lms.next.email, lms.next.roles = people.outsider.email, INSTRUCTOR
    launch(client, lms)
    lms.next.email, lms.next.roles = people.educator.email, ADMINISTRATOR
    launch(Client(), lms)
    assert list(
        Membership.objects.filter(
            program=people.program, person__in=[people.outsider, people.educator]
        ).values_list("person__email", "role")
    ) == [(people.outsider.email, Role.FACULTY)]


def test_without_the_mapping_a_launch_adds_no_membership(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    lms.next.email = people.outsider.email
    response = launch(client, lms)
    assert response["Location"] == "/"
    assert signed_in(client) == people.outsider.pk
    assert not Membership.objects.filter(person=people.outsider, program=people.program).exists()


def test_an_unknown_person_is_refused_by_the_single_sign_on_rule(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    lms.next.email = "stranger@riverside.test"
    response = launch(client, lms)
    assert_refused(response, client, "no account with that e-mail address")


# --- refusals ----------------------------------------------------------------------------


def test_it_refuses_a_token_signed_with_another_key(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    lms.next.signing_key = new_key()  # under the platform's own kid
    assert_refused(launch(client, lms), client, "could not verify the launch")


def test_a_launch_works_once(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    form = authenticate(client, lms)
    assert client.post("/lti/launch/", form.data).status_code == 302
    client.logout()
    # The same id_token again, from this browser (its state still valid) or another.
    again = client.post("/lti/launch/", form.data)
    assert_refused(again, client, "used already")
    # Said inside the LMS that launched (which alone may frame it).
    assert f"frame-ancestors {lms.url}" in again["Content-Security-Policy"]
    assert "X-Frame-Options" not in again
    assert LtiNonce.objects.filter(platform=platform).count() == 1


def test_it_refuses_an_unknown_deployment(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    lms.next.deployment_id = "deployment-never-registered"
    assert_refused(launch(client, lms), client, "not registered with Trellis")


def test_it_refuses_an_expired_token(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    lms.next.expires_in = -60
    assert_refused(launch(client, lms), client, "could not verify the launch")


def test_it_refuses_a_token_that_would_outlive_the_memory_of_its_nonce(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    lms.next.expires_in = 3 * 86400
    assert_refused(launch(client, lms), client, "could not verify the launch")


def test_nonces_are_forgotten_after_two_days(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    old = LtiNonce.objects.create(platform=platform, nonce="from-last-week")
    LtiNonce.objects.filter(pk=old.pk).update(
        used_at=timezone.now() - dt.timedelta(days=2, hours=1)
    )
    launch(client, lms)
    assert not LtiNonce.objects.filter(pk=old.pk).exists()


def test_it_refuses_a_token_for_another_client(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    lms.next.audience = "some-other-tool"
    assert_refused(launch(client, lms), client, "not registered with Trellis")


def test_it_refuses_a_login_from_an_unknown_platform(
    client: Client, people: People, lms: Platform
) -> None:
    response = client.post("/lti/login/", lms.login_initiation(LAUNCH))  # nothing registered
    assert_refused(response, client, "not registered with Trellis")
    assert lms.logins == []


def test_it_refuses_a_launch_it_did_not_start(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    token = lms.id_token(nonce="a-nonce-trellis-never-issued", redirect_uri=LAUNCH)
    response = client.post("/lti/launch/", {"id_token": token, "state": "state-forged"})
    assert_refused(response, client, "could not verify the launch")


# --- deep linking ------------------------------------------------------------------------


def test_deep_linking_returns_a_link_the_platform_verifies(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    lms.next.email, lms.next.roles, lms.next.deep_link = "faculty@riverside.test", INSTRUCTOR, True
    response = launch(client, lms)
    assert response["Location"] == "/lti/deep-link/"
    picker = client.get("/lti/deep-link/")
    assert picker.status_code == 200 and b'value="record"' in picker.content
    answer = client.post("/lti/deep-link/", {"target": "record"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert f'action="{lms.deep_link_return_url}"' in page
    assert lms.url in answer["Content-Security-Policy"]  # form-action lets the answer go
    token = page.split('name="JWT" value="')[1].split('"')[0]
    claims = lms.verify_deep_link(token, client.get("/lti/jwks/").json())
    assert (
        claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    )
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == DEPLOYMENT_ID
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["url"] == LAUNCH and item["custom"] == {"target": "record"}
    # The request is answered once.
    assert client.get("/lti/deep-link/").status_code == 404


def test_an_instructor_named_by_the_short_role_may_answer_deep_linking(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    lms.next.email, lms.next.roles, lms.next.deep_link = people.faculty.email, ["Instructor"], True
    assert launch(client, lms)["Location"] == "/lti/deep-link/"


def test_a_learner_cannot_answer_a_deep_linking_request(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    lms.next.deep_link = True
    assert_refused(launch(client, lms), client, "Only an instructor")


# --- framing -----------------------------------------------------------------------------


def test_a_launched_session_may_be_framed_by_its_platform_alone(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    landing = client.get(launch(client, lms)["Location"])
    assert "X-Frame-Options" not in landing
    assert f"frame-ancestors {lms.url}" in landing["Content-Security-Policy"]
    other = Client()
    other.force_login(people.learner)
    page = other.get(f"/programs/{people.program.slug}/records/learners/{people.learner.pk}/")
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_over_https_the_launch_cookies_come_with_a_cross_site_post(
    client: Client, people: People, lms: Platform, platform: LtiPlatform
) -> None:
    secure_launch = "https://testserver/lti/launch/"
    start = client.post("/lti/login/", lms.login_initiation(secure_launch), secure=True)
    # The state, and the key the nonce is kept under, ride on cookies an LMS's cross-site
    # POST (from an iframe too) brings back: SameSite=None, so Secure.
    assert start.cookies
    for cookie in start.cookies.values():
        assert cookie["samesite"] == "None" and cookie["secure"], cookie.output()
    form = launch_form(requests.get(start["Location"], timeout=5).text)
    assert form.action == secure_launch
    response = client.post("/lti/launch/", form.data, secure=True)
    assert response.status_code == 302 and signed_in(client) == people.learner.pk
    # Without the login's cookies (a browser that blocks them) the launch is refused.
    other = Client()
    refused = other.post("/lti/launch/", form.data, secure=True)
    assert_refused(refused, other, "could not verify the launch")


@pytest.mark.parametrize(
    ("env", "samesite"),
    [
        ({"LTI_IFRAME": "1"}, "None"),  # secure cookies (DEBUG off): the LMS's iframe gets them
        ({}, "Lax"),
        ({"LTI_IFRAME": "1", "SECURE_COOKIES": "0"}, "Lax"),  # browsers refuse None unsecured
    ],
)
def test_settings_let_the_lms_iframe_have_the_cookies_only_when_asked_and_secure(
    env: dict[str, str], samesite: str
) -> None:
    base = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "k" * 40 + "abcdefghij",
        "ALLOWED_HOSTS": "example.org",
        "SITE_URL": "https://example.org",
    }
    code = "import trellis.settings as s; print(s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE)"
    done = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [samesite, samesite]


def test_an_admin_sends_a_course_to_another_program(
    client: Client, people: People, lms: Platform
) -> None:
    platform = register(lms, people, add_members=True)
    launch(Client(), lms)  # the course is seen, in the registration's program
    course = LtiCourse.objects.get(platform=platform)
    admin = Client()
    admin.force_login(people.admin)
    page = admin.get(f"/lti/platforms/{platform.pk}/").content.decode()
    assert "Internal Medicine clerkship" in page
    url = f"/lti/platforms/{platform.pk}/courses/{course.pk}/"
    assert admin.post(url, {"program": people.fd_program.pk}).status_code == 302
    assert AuditEvent.objects.filter(action="lti.course.program", actor=people.admin).exists()
    lms.next.email, lms.next.roles = people.outsider.email, INSTRUCTOR
    launch(client, lms)
    assert not Membership.objects.filter(person=people.outsider, program=people.program).exists()
    assert Membership.objects.filter(
        person=people.outsider, program=people.fd_program, role=Role.FACULTY
    ).exists()
    # Another institution's program is refused; a non-admin gets 404.
    admin.post(url, {"program": people.other_program.pk})
    assert LtiCourse.objects.get().program == people.fd_program
    admin.force_login(people.director)
    assert admin.post(url, {"program": ""}).status_code == 404
    assert LtiCourse.objects.get().program == people.fd_program
