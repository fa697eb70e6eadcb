"""The CASE 1.1 service (issue 12): every object of a framework the caller may read, in
the shapes of 1EdTech's binding (checked against the CASE schemas in ../shared), with
its status codes; a package fetched from it imports back into Trellis unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.test import Client

from trellis.api.services import api_token_create
from trellis.frameworks.models import Association, Framework, Item
from trellis.frameworks.services import framework_export, framework_import
from trellis.testing import People

pytestmark = pytest.mark.django_db

BASE = "/ims/case/v1p1/"
OPENSALT = "case/opensalt"
OWN_CSV = (
    "kind,code,name,statement,parent,related,level_1,level_2,scale\n"
    "framework,riverside-own,Riverside Own,Licensed text lives here,,,,,milestone\n"
    "domain,PC,Patient Care,,,,,,\n"
    "subcompetency,PC1,History,Takes a history,PC,,Gathers,Focuses,\n"
)


def _set(key: str, ref: str, **more: Any) -> dict[str, Any]:
    items = {"type": "array", "minItems": 1, "items": {"$ref": f"#/definitions/{ref}"}}
    return {
        "type": "object",
        "required": [key, *more],
        "additionalProperties": False,
        "properties": {key: items, **more},
    }


@pytest.fixture
def swagger(real_data: Path) -> dict[str, Any]:
    """The binding's envelopes (the sets of 1EdTech's CASE swagger, and its imsx_StatusInfo
    as written there), holding CASE objects checked against the package schema: the v1p0
    swagger's own objects forbid what CASE 1.1 adds, such as caseVersion."""
    with (real_data / OPENSALT / "case-v1p0-swagger.json").open() as f:
        binding = json.load(f)["definitions"]
    with (real_data / OPENSALT / "case-v1p0-cfpackage-schema.json").open() as f:
        definitions: dict[str, Any] = json.load(f)["definitions"]
    for name in ("imsx_StatusInfo.Type", "imsx_CodeMinor.Type", "imsx_CodeMinorField.Type"):
        definitions[name] = binding[name]
    definitions["CFDocumentSet.Type"] = _set("CFDocuments", "CFPackageDocument")
    definitions["CFItemTypeSet.Type"] = _set("CFItemTypes", "CFItemType")
    definitions["CFAssociationSet.Type"] = _set(
        "CFAssociations", "CFPackageAssociation", CFItem={"$ref": "#/definitions/CFPackageItem"}
    )
    return definitions


def shaped(definitions: dict[str, Any], body: Any, name: str) -> None:
    """Validate `body` against one of the `swagger` fixture's definitions."""
    schema = {"$ref": f"#/definitions/{name}", "definitions": definitions}
    jsonschema.Draft7Validator(schema).validate(body)


@pytest.fixture
def own(people: People) -> Framework:
    return framework_import(
        content=OWN_CSV.encode(), filename="own.csv", institution=people.institution,
        acting_user=None,
    )  # fmt: skip


def catalogue() -> Framework:
    return Framework.objects.get(slug="im-milestones-2")


def get(client: Client, path: str, **extra: Any) -> Any:
    return client.get(BASE + path, **extra)


def test_anyone_lists_the_catalogue_and_members_their_own_too(
    client: Client, people: People, own: Framework, swagger: dict[str, Any]
) -> None:
    response = get(client, "CFDocuments")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    shaped(swagger, body, "CFDocumentSet.Type")
    titles = {d["title"] for d in body["CFDocuments"]}
    assert "Internal Medicine Milestones" in " ".join(titles) and "Riverside Own" not in titles
    assert int(response["X-Total-Count"]) == len(body["CFDocuments"])
    client.force_login(people.learner)
    assert "Riverside Own" in {d["title"] for d in get(client, "CFDocuments").json()["CFDocuments"]}
    client.force_login(people.outsider)
    assert "Riverside Own" not in str(get(client, "CFDocuments").json())
    client.logout()
    _, token = api_token_create(user=people.coordinator, name="sync")
    with_token = get(client, "CFDocuments", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert "Riverside Own" in str(with_token.json())
    bad = get(client, "CFDocuments", HTTP_AUTHORIZATION="Bearer trl_nope")
    assert bad.status_code == 401
    shaped(swagger, bad.json(), "imsx_StatusInfo.Type")


def test_documents_page_sort_and_refuse_what_they_cannot_take(
    client: Client, swagger: dict[str, Any]
) -> None:
    every = get(client, "CFDocuments?sort=title&orderBy=desc").json()["CFDocuments"]
    assert [d["title"] for d in every] == sorted((d["title"] for d in every), reverse=True)
    page = get(client, "CFDocuments?sort=title&limit=2&offset=1")
    assert [d["title"] for d in page.json()["CFDocuments"]] == sorted(d["title"] for d in every)[
        1:3
    ]
    assert page["X-Total-Count"] == str(len(every))
    assert get(client, "CFDocuments?fields=identifier,title").json()["CFDocuments"][0].keys() == {
        "identifier",
        "title",
    }
    for query, minor in (
        ("limit=0", "invalid_selection_field"),
        ("offset=-1", "invalid_selection_field"),
        ("filter=title%3DX", "invalid_selection_field"),
        ("sort=colour", "invalid_sort_field"),
        ("sort=title&orderBy=sideways", "invalid_sort_field"),
    ):
        response = get(client, f"CFDocuments?{query}")
        assert response.status_code == 400, query
        shaped(swagger, response.json(), "imsx_StatusInfo.Type")
        field = response.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]
        assert field["imsx_codeMinorFieldValue"] == minor, query
    assert client.post(BASE + "CFDocuments").status_code == 405


def test_a_package_validates_and_imports_back_unchanged(
    client: Client, people: People, real_data: Path
) -> None:
    framework = catalogue()
    response = get(client, f"CFPackages/{framework.identifier}")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.content == framework_export(framework=framework, format="case")
    with (real_data / OPENSALT / "case-v1p0-cfpackage-schema.json").open() as f:
        jsonschema.Draft7Validator(json.load(f)).validate(response.json())
    again = framework_import(
        content=response.content, filename="package.json", institution=people.other_institution,
        acting_user=None,
    )  # fmt: skip
    assert framework_export(framework=again, format="case") == response.content
    document = get(client, f"CFDocuments/{framework.identifier}").json()
    assert document == response.json()["CFDocument"]


def test_items_associations_rubrics_and_types_come_from_the_package(
    client: Client, swagger: dict[str, Any]
) -> None:
    framework = catalogue()
    package = get(client, f"CFPackages/{framework.identifier}").json()
    pc1 = Item.objects.get(framework=framework, code="PC1")
    item = get(client, f"CFItems/{pc1.identifier}").json()
    assert item == next(i for i in package["CFItems"] if i["identifier"] == pc1.identifier)
    linked = get(client, f"CFItemAssociations/{pc1.identifier}").json()
    shaped(swagger, linked, "CFAssociationSet.Type")
    assert linked["CFItem"] == item
    kinds = {a["associationType"] for a in linked["CFAssociations"]}
    assert "isChildOf" in kinds
    association = Association.objects.filter(framework=framework).first()
    assert association is not None
    one = get(client, f"CFAssociations/{association.identifier}").json()
    assert one["identifier"] == association.identifier
    rubric = package["CFRubrics"][0]
    assert get(client, f"CFRubrics/{rubric['identifier']}").json() == rubric
    item_type = package["CFDefinitions"]["CFItemTypes"][0]
    types = get(client, f"CFItemTypes/{item_type['identifier']}").json()
    shaped(swagger, types, "CFItemTypeSet.Type")
    assert types == {"CFItemTypes": [item_type]}


def test_what_a_caller_may_not_see_is_unknown(
    client: Client, people: People, own: Framework, swagger: dict[str, Any]
) -> None:
    pc1 = Item.objects.get(framework=own, code="PC1")
    for path in (
        f"CFPackages/{own.identifier}",
        f"CFDocuments/{own.identifier}",
        f"CFItems/{pc1.identifier}",
        f"CFItemAssociations/{pc1.identifier}",
        "CFItems/no-such-item",
        "CFRubrics/no-such-rubric",
        "CFItemTypes/no-such-type",
    ):
        response = get(client, path)
        assert response.status_code == 404, path
        shaped(swagger, response.json(), "imsx_StatusInfo.Type")
        field = response.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]
        assert field == {
            "imsx_codeMinorFieldName": "sourcedId",
            "imsx_codeMinorFieldValue": "unknownobject",
        }
    unknown = get(client, "CFNonsense/1")
    assert unknown.status_code == 404
    shaped(swagger, unknown.json(), "imsx_StatusInfo.Type")
    assert client.get("/api/v1/nonsense/").json() == {"detail": "Not found."}
    client.force_login(people.learner)  # a member of the owning institution
    assert get(client, f"CFItems/{pc1.identifier}").status_code == 200
    client.force_login(people.outsider)
    assert get(client, f"CFPackages/{own.identifier}").status_code == 404
