"""Paging and format parameters a client got wrong are refused with a 400 naming them,
instead of silently answering another page (offset=null read as 0, a negative limit as
the default) or "not found" (an unknown ?format=)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from trellis.frameworks.models import Framework
from trellis.people.models import User
from trellis.testing import People


@pytest.fixture
def signed_in(api: APIClient, people: People, token_for: Callable[[User], str]) -> APIClient:
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(people.director)}")
    return api


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("offset=null", "offset"),
        ("offset=-1", "offset"),
        ("offset=1e3", "offset"),
        ("offset=99999999999999999999", "offset"),
        ("limit=-5", "limit"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("limit=1001", "limit"),
        ("format=xml", "format"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/frameworks/", "/api/v1/programs/"])
def test_a_bad_paging_or_format_parameter_is_a_400_naming_it(
    signed_in: APIClient, catalogue_framework: Framework, path: str, query: str, field: str
) -> None:
    response = signed_in.get(f"{path}?{query}")
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    assert field in response.json()


def test_good_paging_parameters_page(
    signed_in: APIClient, catalogue_framework: Framework, own_framework: Framework
) -> None:
    first = signed_in.get("/api/v1/frameworks/?limit=1&offset=0").json()
    second = signed_in.get("/api/v1/frameworks/?limit=1&offset=1").json()
    assert first["count"] == second["count"] >= 2
    assert first["results"][0]["slug"] != second["results"][0]["slug"]
    assert signed_in.get("/api/v1/frameworks/?format=json").status_code == 200


def test_the_schema_states_the_bounds(api: APIClient, db: None) -> None:
    schema = api.get("/api/v1/schema/?format=json").json()
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/frameworks/"]["get"]["parameters"]
    }
    assert parameters["limit"]["minimum"] == 1 and parameters["limit"]["maximum"] == 1000
    assert parameters["offset"]["minimum"] == 0


@pytest.mark.parametrize(
    ("fmt", "accept", "content_type"),
    [("csv", "text/csv", "text/csv"), ("case", "application/json", "application/json")],
)
def test_the_export_answers_the_type_it_declares_whatever_the_client_accepts(
    signed_in: APIClient, catalogue_framework: Framework, fmt: str, accept: str, content_type: str
) -> None:
    url = f"/api/v1/frameworks/{catalogue_framework.slug}/export?format={fmt}"
    response = signed_in.get(url, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    refused = signed_in.get(url.replace(fmt, "xml"), HTTP_ACCEPT="text/csv")
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("application/json")


def test_an_api_url_that_matches_no_route_is_a_json_404(signed_in: APIClient) -> None:
    response = signed_in.get("/api/v1/frameworks/not a slug/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    page = signed_in.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
