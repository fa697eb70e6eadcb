"""A NUL character in a request's fields is refused before any view (issue 16)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from trellis.lib.middleware import NUL_REFUSED

pytestmark = pytest.mark.django_db


def test_it_refuses_a_nul_in_the_query_string() -> None:
    response = Client().get("/accounts/login/?q=a%00b")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == NUL_REFUSED


def test_an_api_client_is_refused_in_json() -> None:
    # Its clients parse JSON: a text/plain 400 broke the API's own schema (schemathesis).
    response = Client().get("/api/v1/programs/?q=a%00b")
    assert response.status_code == 400 and response.json() == {"detail": NUL_REFUSED}


def test_it_refuses_a_nul_in_a_form_value_or_name() -> None:
    assert Client().post("/accounts/login/", {"username": "a\x00b"}).status_code == 400
    assert Client().post("/accounts/login/", {"a\x00": "b"}).status_code == 400


def test_it_leaves_uploaded_files_and_json_bodies_to_the_views() -> None:
    upload = SimpleUploadedFile("f.csv", b"a\x00b")
    response = Client().post("/accounts/login/", {"file": upload, "username": "x"})
    assert response.status_code != 400 or response.content.decode() != NUL_REFUSED

    response = Client().post("/accounts/login/", '{"a": "\\u0000"}', "application/json")
    assert response.content.decode() != NUL_REFUSED
