from __future__ import annotations

import json
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from trellis.audit.models import AuditEvent
from trellis.frameworks.models import Framework
from trellis.frameworks.services import framework_export
from trellis.people.models import Role, User
from trellis.testing import People, add_member

IMPORT = "/api/v1/frameworks/import"

AsUser = Callable[[User], APIClient]


def export_url(framework: Framework, fmt: str | None = None) -> str:
    url = f"/api/v1/frameworks/{framework.slug}/export"
    return f"{url}?format={fmt}" if fmt else url


def upload(content: bytes, name: str = "framework.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def catalogue_csv(framework: Framework) -> bytes:
    return framework_export(framework=framework, format="csv")


# -- export


def test_it_exports_a_framework_as_csv(
    as_user: AsUser, people: People, catalogue_framework: Framework
) -> None:
    response = as_user(people.learner).get(export_url(catalogue_framework, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="acgme-im.csv"'
    assert response.content == framework_export(framework=catalogue_framework, format="csv")


def test_it_exports_csv_when_no_format_is_given(
    as_user: AsUser, people: People, catalogue_framework: Framework
) -> None:
    response = as_user(people.learner).get(export_url(catalogue_framework))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_it_exports_a_framework_as_a_case_package(
    as_user: AsUser, people: People, own_framework: Framework
) -> None:
    response = as_user(people.faculty).get(export_url(own_framework, "case"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="riverside-local.case.json"'
    package = json.loads(response.content)
    assert package == json.loads(framework_export(framework=own_framework, format="case"))


def test_it_refuses_an_unknown_export_format(
    as_user: AsUser, people: People, catalogue_framework: Framework
) -> None:
    response = as_user(people.learner).get(export_url(catalogue_framework, "xml"))
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "format"
    assert "xml" in error["message"]


def test_it_hides_another_institutions_framework_from_export(
    as_user: AsUser, people: People, other_framework: Framework
) -> None:
    assert as_user(people.director).get(export_url(other_framework, "csv")).status_code == 404


def test_it_refuses_the_export_to_anonymous_callers(
    api: APIClient, catalogue_framework: Framework
) -> None:
    assert api.get(export_url(catalogue_framework, "csv")).status_code == 401


def test_it_exports_only_by_get(
    as_user: AsUser, people: People, catalogue_framework: Framework
) -> None:
    assert as_user(people.director).post(export_url(catalogue_framework)).status_code == 405


# -- import


def test_it_imports_a_framework_into_the_coordinators_institution(
    as_user: AsUser, people: People, catalogue_framework: Framework
) -> None:
    content = catalogue_csv(catalogue_framework)
    response = as_user(people.coordinator).post(
        IMPORT, {"file": upload(content), "slug": "riverside-im"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "riverside-im"
    assert body["institution"]["slug"] == "riverside"
    assert [i["code"] for i in body["items"]] == ["PC", "PC1"]
    framework = Framework.objects.get(slug="riverside-im")
    assert framework.institution == people.institution
    event = AuditEvent.objects.get(action="framework.import", actor=people.coordinator)
    assert event.target_id == str(framework.pk)


def test_it_imports_a_case_package_for_an_admin(
    as_user: AsUser, people: People, other_framework: Framework
) -> None:
    content = framework_export(framework=other_framework, format="case")
    response = as_user(people.admin).post(
        IMPORT,
        {"file": upload(content, "package.json"), "format": "case", "slug": "copied"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert Framework.objects.get(slug="copied").institution == people.institution


def test_it_refuses_a_bad_file_listing_every_problem(as_user: AsUser, people: People) -> None:
    content = b"kind,name,colour\nframework,Broken,red\n"
    before = Framework.objects.count()
    response = as_user(people.director).post(IMPORT, {"file": upload(content)}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors
    assert set(errors[0]) == {"line", "field", "message"}
    assert {"line": 1, "field": "colour", "message": "unknown column"} in errors
    assert Framework.objects.count() == before


def test_it_needs_a_file(as_user: AsUser, people: People) -> None:
    response = as_user(people.director).post(IMPORT, {"format": "csv"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"


def test_it_refuses_an_import_to_a_member_without_the_right(
    as_user: AsUser, people: People, catalogue_framework: Framework
) -> None:
    content = catalogue_csv(catalogue_framework)
    for person in (people.learner, people.faculty, people.committee):
        response = as_user(person).post(IMPORT, {"file": upload(content)}, format="multipart")
        assert response.status_code == 403
    assert not Framework.objects.filter(institution=people.institution).exists()


def test_it_hides_an_institution_from_an_outsider(
    as_user: AsUser, people: People, catalogue_framework: Framework
) -> None:
    content = catalogue_csv(catalogue_framework)
    response = as_user(people.outsider).post(
        IMPORT, {"file": upload(content), "institution": "riverside"}, format="multipart"
    )
    assert response.status_code == 404
    assert not Framework.objects.filter(institution=people.institution).exists()


def test_it_refuses_a_learner_naming_their_own_institution(
    as_user: AsUser, people: People, catalogue_framework: Framework
) -> None:
    content = catalogue_csv(catalogue_framework)
    response = as_user(people.learner).post(
        IMPORT, {"file": upload(content), "institution": "riverside"}, format="multipart"
    )
    assert response.status_code == 403


def test_it_asks_which_institution_when_one_manages_several(
    as_user: AsUser, people: People, catalogue_framework: Framework
) -> None:
    add_member(people.director, people.other_program, Role.COORDINATOR)
    client = as_user(people.director)
    content = catalogue_csv(catalogue_framework)
    response = client.post(IMPORT, {"file": upload(content)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "institution"
    response = client.post(
        IMPORT,
        {"file": upload(content), "institution": "hillcrest", "slug": "hc-im"},
        format="multipart",
    )
    assert response.status_code == 201
    assert Framework.objects.get(slug="hc-im").institution == people.other_institution


def test_it_refuses_the_import_to_anonymous_callers(api: APIClient, people: People) -> None:
    response = api.post(IMPORT, {"file": upload(b"kind,name\n")}, format="multipart")
    assert response.status_code == 401


def test_it_imports_only_by_post(as_user: AsUser, people: People) -> None:
    assert as_user(people.director).get(IMPORT).status_code == 405


def test_the_import_refuses_deep_nesting_and_too_many_rows_as_400(
    as_user: AsUser, people: People
) -> None:
    client = as_user(people.coordinator)
    deep = b"[" * 100_000 + b"]" * 100_000
    response = client.post(IMPORT, {"file": upload(deep, "deep.json")}, format="multipart")
    assert response.status_code == 400
    assert "deeper than 64" in json.dumps(response.json())

    rows = "".join(f"competency,C{n},Item {n}\n" for n in range(20_001))
    content = f"kind,code,name\nframework,big,Big\n{rows}".encode()
    response = client.post(IMPORT, {"file": upload(content)}, format="multipart")
    assert response.status_code == 400
    assert "longer than 20000 rows" in json.dumps(response.json())


def test_a_case_package_with_too_many_items_is_refused(as_user: AsUser, people: People) -> None:
    items = [{"identifier": f"i{n}", "fullStatement": "x"} for n in range(20_001)]
    package = {"CFDocument": {"identifier": "d", "title": "Big"}, "CFItems": items}
    response = as_user(people.coordinator).post(
        IMPORT, {"file": upload(json.dumps(package).encode(), "big.json")}, format="multipart"
    )
    assert response.status_code == 400
    assert "more than 20000 entries" in json.dumps(response.json())
