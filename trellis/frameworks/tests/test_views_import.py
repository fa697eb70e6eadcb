"""The import page: managers upload a CSV file or a CASE package; a file with problems is
refused whole, with every problem listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.frameworks.models import Framework
from trellis.people.models import Role
from trellis.testing import People, add_member

URL = reverse("framework-import")


def case_package(title: str = "Bedside Teaching Skills") -> bytes:
    doc = "5d1f0c3e-0000-4000-8000-000000000001"
    items = [
        ("5d1f0c3e-0000-4000-8000-000000000011", "BT1", "Teaches at the bedside"),
        ("5d1f0c3e-0000-4000-8000-000000000012", "BT2", "Gives feedback after the encounter"),
    ]
    return json.dumps(
        {
            "CFDocument": {
                "identifier": doc,
                "uri": f"https://example.test/{doc}",
                "title": title,
                "creator": "Trellis tests",
                "lastChangeDateTime": "2024-01-01T00:00:00+00:00",
            },
            "CFItems": [
                {
                    "identifier": ident,
                    "uri": f"https://example.test/{ident}",
                    "humanCodingScheme": code,
                    "fullStatement": text,
                    "lastChangeDateTime": "2024-01-01T00:00:00+00:00",
                }
                for ident, code, text in items
            ],
            "CFAssociations": [
                {
                    "identifier": f"5d1f0c3e-0000-4000-8000-00000000002{n}",
                    "uri": f"https://example.test/assoc-{n}",
                    "associationType": "isChildOf",
                    "originNodeURI": {
                        "identifier": ident,
                        "uri": f"https://example.test/{ident}",
                        "title": code,
                    },
                    "destinationNodeURI": {
                        "identifier": doc,
                        "uri": f"https://example.test/{doc}",
                        "title": title,
                    },
                    "lastChangeDateTime": "2024-01-01T00:00:00+00:00",
                }
                for n, (ident, code, _) in enumerate(items)
            ],
        }
    ).encode()


def upload(content: bytes, name: str = "framework.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_a_coordinator_gets_the_form(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_file">Framework file' in html
    assert 'type="file"' in html
    assert "Riverside University" in html


def test_it_imports_a_case_package_and_shows_the_framework(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    response = client.post(URL, {"file": upload(case_package())})
    framework = Framework.objects.get(title="Bedside Teaching Skills")
    assert response.status_code == 302
    assert response["Location"] == reverse("framework-detail", args=[framework.slug])
    assert framework.institution == people.institution
    assert framework.items.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "Imported Bedside Teaching Skills" in page
    assert "Teaches at the bedside" in page
    assert AuditEvent.objects.filter(action="framework.import", actor=people.coordinator).exists()


def test_it_imports_the_real_opensalt_utf8_file(
    client: Client, people: People, real_data: Path
) -> None:
    path = real_data / "case" / "opensalt" / "Utf8TestFramework.json"
    client.force_login(people.fd_lead)
    response = client.post(URL, {"file": upload(path.read_bytes(), path.name)}, follow=True)
    assert response.status_code == 200
    assert "UTF8 𝑑 Test" in response.content.decode()
    assert Framework.objects.get(title="UTF8 𝑑 Test").institution == people.institution


def test_it_lists_every_problem_and_writes_nothing(client: Client, people: People) -> None:
    package = json.loads(case_package())
    del package["CFItems"][0]["identifier"]
    package["CFItems"][1]["identifier"] = 42
    before = Framework.objects.count()
    events = AuditEvent.objects.count()
    client.force_login(people.director)
    response = client.post(URL, {"file": upload(json.dumps(package).encode(), "broken.json")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "nothing was imported" in html
    assert "in broken.json" in html
    assert "CFItems[0].identifier" in html
    assert "CFItems[1].identifier" in html
    assert html.count("<li>", html.index('class="problems"')) >= 2
    assert Framework.objects.count() == before
    assert AuditEvent.objects.count() == events


def test_it_reports_a_csv_problem_by_line(client: Client, people: People) -> None:
    client.force_login(people.admin)
    response = client.post(URL, {"file": upload(b"not,a,framework\n1,2,3\n", "bad.csv")})
    html = response.content.decode()
    assert "nothing was imported" in html
    assert "Line " in html or "<code>" in html


def test_it_asks_for_a_file(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    response = client.post(URL, {})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert 'aria-invalid="true"' in html


def test_someone_managing_in_two_institutions_picks_one(client: Client, people: People) -> None:
    add_member(people.coordinator, people.other_program, Role.COORDINATOR)
    client.force_login(people.coordinator)
    html = client.get(URL).content.decode()
    assert '<label for="id_institution">Institution' in html
    assert "Hillcrest Medical College" in html
    response = client.post(
        URL, {"file": upload(case_package()), "institution": people.other_institution.pk}
    )
    assert response.status_code == 302
    assert (
        Framework.objects.get(title="Bedside Teaching Skills").institution
        == people.other_institution
    )


def test_it_ignores_an_institution_one_does_not_manage(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    response = client.post(
        URL, {"file": upload(case_package()), "institution": people.other_institution.pk}
    )
    assert response.status_code == 302
    assert Framework.objects.get(title="Bedside Teaching Skills").institution == people.institution


def test_it_refuses_the_wrong_choice_of_institution(client: Client, people: People) -> None:
    add_member(people.coordinator, people.other_program, Role.COORDINATOR)
    client.force_login(people.coordinator)
    response = client.post(URL, {"file": upload(case_package()), "institution": 999999})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Framework.objects.filter(title="Bedside Teaching Skills").exists()


def test_the_outsider_imports_into_their_own_institution(client: Client, people: People) -> None:
    client.force_login(people.outsider)
    assert client.post(URL, {"file": upload(case_package())}).status_code == 302
    assert (
        Framework.objects.get(title="Bedside Teaching Skills").institution
        == people.other_institution
    )


@pytest.mark.parametrize("persona", ["learner", "faculty", "committee", "educator"])
def test_members_who_do_not_manage_get_403(client: Client, people: People, persona: str) -> None:
    client.force_login(getattr(people, persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": upload(case_package())}).status_code == 403
    assert not Framework.objects.filter(title="Bedside Teaching Skills").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, db: None) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_it_refuses_other_methods(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    assert client.put(URL).status_code == 405


def test_deeply_nested_json_is_refused_not_a_server_error(client: Client, people: People) -> None:
    # 100,000 brackets were a RecursionError, a 500 (issue 16).
    client.force_login(people.coordinator)
    deep = b"[" * 100_000 + b"]" * 100_000
    response = client.post(URL, {"file": upload(deep, "deep.json")})
    assert response.status_code == 200
    assert "nested 100000 levels deep, deeper than 64" in response.content.decode()


def test_a_framework_csv_left_inside_a_quote_is_refused(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    content = b'kind,code,name\nframework,x,X\ncompetency,PC,"Patient care\n'
    response = client.post(URL, {"file": upload(content, "open.csv")})
    assert "unexpected end of data" in response.content.decode()
    assert not Framework.objects.filter(title="X").exists()
