from __future__ import annotations

from pathlib import Path

import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

EXPECTED_PATHS = {
    "/api/v1/assessments/",
    "/api/v1/frameworks/",
    "/api/v1/frameworks/{slug}/",
    "/api/v1/frameworks/{slug}/export",
    "/api/v1/frameworks/import",
    "/api/v1/programs/",
    "/api/v1/programs/{slug}/",
    "/api/v1/programs/{slug}/schedule/",
    "/api/v1/programs/{slug}/schedule/import",
    "/api/v1/programs/{slug}/curriculum/",
    "/api/v1/programs/{slug}/learners/{learner_id}/record",
    "/api/v1/programs/{slug}/committee/levels/",
    "/api/v1/programs/{slug}/logs/",
    "/api/v1/plans/",
}


def test_it_generates_a_valid_schema_without_warnings(tmp_path: Path, db: None) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert set(schema["paths"]) == EXPECTED_PATHS
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"


def test_it_serves_the_schema_without_signing_in(api: APIClient, db: None) -> None:
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert set(response.json()["paths"]) >= EXPECTED_PATHS


def test_it_refuses_to_post_to_the_schema(api: APIClient, db: None) -> None:
    assert api.post("/api/v1/schema/").status_code == 405
