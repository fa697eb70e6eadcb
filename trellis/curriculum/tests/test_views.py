from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.curriculum.grid import cell_name
from trellis.curriculum.models import Activity, Mapping, Objective
from trellis.curriculum.tests.factories import CraftedMap, item
from trellis.testing import People

SLUG = "im-residency"


def url(name: str, *args: object) -> str:
    return reverse(f"curriculum:{name}", args=[SLUG, *args])


def read_urls(c: CraftedMap) -> list[str]:
    fw = f"?framework={c.framework.slug}"
    return [
        url("map"),
        url("activity", c.wards.pk),
        url("grid") + fw,
        url("gaps") + fw,
        url("heatmap") + fw,
        url("gaps-xlsx") + fw,
        url("curriculum-inventory"),
    ]


@pytest.mark.parametrize("index", range(7))
def test_anonymous_people_are_sent_to_sign_in(client: Client, crafted: CraftedMap, index: int):
    response = client.get(read_urls(crafted)[index])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("index", range(7))
def test_outsiders_get_404(client: Client, people: People, crafted: CraftedMap, index: int):
    client.force_login(people.outsider)
    assert client.get(read_urls(crafted)[index]).status_code == 404


@pytest.mark.parametrize("index", range(7))
def test_learners_read_the_map(client: Client, people: People, crafted: CraftedMap, index: int):
    client.force_login(people.learner)
    assert client.get(read_urls(crafted)[index]).status_code == 200


def test_the_map_page_lists_activities_and_links(
    client: Client, people: People, crafted: CraftedMap, django_assert_max_num_queries
) -> None:
    client.force_login(people.coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(url("map"))
    html = response.content.decode()
    assert "Activity WARDS" in html and "Activity DID-1" in html
    assert url("activity-new") in html
    assert url("curriculum-inventory") in html


def test_learners_see_no_edit_links(client: Client, people: People, crafted: CraftedMap) -> None:
    client.force_login(people.learner)
    html = client.get(url("map")).content.decode()
    assert url("activity-new") not in html
    html = client.get(url("grid")).content.decode()
    assert 'class="cur-cell"' not in html and "Save the grid" not in html


@pytest.mark.parametrize(
    "name,args",
    [
        ("activity-new", ()),
        ("activity-edit", ("wards",)),
        ("activity-delete", ("wards",)),
        ("objective-new", ("wards",)),
    ],
)
def test_members_without_the_right_get_403_on_forms(
    client: Client, people: People, crafted: CraftedMap, name: str, args: tuple
) -> None:
    client.force_login(people.faculty)
    real = [crafted.wards.pk for _ in args]
    assert client.get(url(name, *real)).status_code == 403
    assert client.post(url(name, *real), {"code": "X"}).status_code == 403


@pytest.mark.parametrize("name", ["mapping-set", "objective-edit", "objective-delete", "grid"])
def test_learners_cannot_write(client: Client, people: People, crafted: CraftedMap, name: str):
    client.force_login(people.learner)
    pk = crafted.objective.pk if name.startswith("objective") else crafted.wards.pk
    target = url("grid") if name == "grid" else url(name, pk)
    pc2 = item(crafted.framework, "PC2")
    response = client.post(target, {cell_name(crafted.wards.pk, pc2.pk): "A", "item": pc2.pk})
    assert response.status_code == 403
    assert not Mapping.objects.filter(activity=crafted.wards, item=pc2, emphasis="A").exists()
    assert Objective.objects.filter(pk=crafted.objective.pk).exists()


@pytest.mark.parametrize(
    "name", ["map", "gaps", "heatmap", "gaps-xlsx", "gaps-pdf", "curriculum-inventory"]
)
def test_read_only_pages_refuse_post(client: Client, people: People, name: str) -> None:
    client.force_login(people.coordinator)
    assert client.post(url(name)).status_code == 405


def test_write_only_urls_refuse_get(client: Client, people: People, crafted: CraftedMap) -> None:
    client.force_login(people.coordinator)
    assert client.get(url("mapping-set", crafted.wards.pk)).status_code == 405
    assert client.get(url("objective-delete", crafted.objective.pk)).status_code == 405
    assert client.put(url("grid")).status_code == 405


def test_another_programs_activity_is_404(client: Client, people: People, crafted: CraftedMap):
    stranger = Activity.objects.create(
        program=people.other_program, code="S", title="S", kind="course"
    )
    client.force_login(people.coordinator)
    assert client.get(url("activity", stranger.pk)).status_code == 404
    assert client.get(url("grid") + "?framework=not-adopted").status_code == 404


def test_the_grid_saves_in_one_post_and_round_trips(
    client: Client, people: People, crafted: CraftedMap
) -> None:
    client.force_login(people.coordinator)
    fw = crafted.framework
    pc1, pc2, prof1 = item(fw, "PC1"), item(fw, "PC2"), item(fw, "PROF1")
    page = client.get(url("grid") + f"?framework={fw.slug}").content.decode()
    assert f'name="{cell_name(crafted.wards.pk, pc1.pk)}"' in page
    assert 'value="IRA"' in page
    assert 'aria-label="Activity WARDS Activity WARDS, item PC1 Subcompetency PC1"' in page
    response = client.post(
        url("grid") + f"?framework={fw.slug}",
        {
            cell_name(crafted.wards.pk, pc1.pk): "ira",
            cell_name(crafted.wards.pk, pc2.pk): "",
            cell_name(crafted.clinic.pk, prof1.pk): "a i",
        },
    )
    assert response.status_code == 302
    assert not Mapping.objects.filter(activity=crafted.wards, item=pc2).exists()
    assert set(
        Mapping.objects.filter(activity=crafted.clinic, item=prof1).values_list(
            "emphasis", flat=True
        )
    ) == {"I", "A"}
    page = client.get(response["Location"]).content.decode()
    assert "2 cells changed" in page
    assert 'value="IA"' in page


def test_an_invalid_cell_is_shown_again_and_nothing_is_saved(
    client: Client, people: People, crafted: CraftedMap
) -> None:
    client.force_login(people.director)
    fw = crafted.framework
    pc2, prof1 = item(fw, "PC2"), item(fw, "PROF1")
    bad = cell_name(crafted.icu.pk, pc2.pk)
    response = client.post(
        url("grid") + f"?framework={fw.slug}",
        {bad: "IXQ", cell_name(crafted.clinic.pk, prof1.pk): "A"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="IXQ"' in html
    assert 'aria-invalid="true"' in html and f'aria-describedby="{bad}-error"' in html
    assert "Only I, R and A are allowed (not Q, X)" in html
    assert 'value="A"' in html  # the valid cell keeps what was typed
    assert not Mapping.objects.filter(activity=crafted.clinic, item=prof1).exists()


def test_coordinators_create_edit_and_delete_activities(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    response = client.post(
        url("activity-new"),
        {
            "kind": "clinical_experience",
            "code": "GERI",
            "title": "Geriatrics",
            "required": "on",
            "training_year": "2",
            "duration_weeks": "4",
            "duration_hours": "200",
        },
    )
    activity = Activity.objects.get(program=people.program, code="GERI")
    assert response.status_code == 302 and response["Location"] == url("activity", activity.pk)
    assert activity.required and activity.duration_weeks == 4
    response = client.post(
        url("activity-edit", activity.pk),
        {"kind": "clinical_experience", "code": "GERI", "title": "Geriatric medicine"},
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Geriatric medicine" and not activity.required
    assert client.get(url("activity-delete", activity.pk)).status_code == 200
    assert client.post(url("activity-delete", activity.pk)).status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_a_duplicate_code_is_an_error_on_the_form(
    client: Client, people: People, crafted: CraftedMap
) -> None:
    client.force_login(people.coordinator)
    response = client.post(
        url("activity-new"), {"kind": "course", "code": "WARDS", "title": "Again"}
    )
    assert response.status_code == 200
    assert "Another activity of this program has this code." in response.content.decode()


def test_admins_and_fd_leads_manage_their_maps(client: Client, people: People) -> None:
    client.force_login(people.admin)
    assert client.get(url("activity-new")).status_code == 200
    client.force_login(people.fd_lead)
    fd_new = reverse("curriculum:activity-new", args=["faculty-development"])
    assert client.get(fd_new).status_code == 200
    client.force_login(people.educator)
    assert client.get(fd_new).status_code == 403
    assert client.get(reverse("curriculum:map", args=["faculty-development"])).status_code == 200


def test_objectives_and_single_mappings(client: Client, people: People, crafted: CraftedMap):
    client.force_login(people.coordinator)
    response = client.post(
        url("objective-new", crafted.icu.pk), {"code": "ICU-1", "text": "Manage shock"}
    )
    assert response.status_code == 302
    objective = Objective.objects.get(activity=crafted.icu, code="ICU-1")
    response = client.post(
        url("objective-edit", objective.pk), {"code": "ICU-1", "text": "Recognise and manage shock"}
    )
    assert response.status_code == 302
    pc2 = item(crafted.framework, "PC2")
    response = client.post(
        url("mapping-set", crafted.icu.pk),
        {
            "objective": objective.pk,
            "item": pc2.pk,
            "emphases": ["R", "A"],
            "assessment_method": "osce",
        },
    )
    assert response.status_code == 302
    assert set(
        Mapping.objects.filter(objective=objective, item=pc2).values_list("emphasis", flat=True)
    ) == {"R", "A"}
    page = client.get(url("activity", crafted.icu.pk)).content.decode()
    assert "Recognise and manage shock" in page and "OSCE / simulation" in page
    assert client.post(url("objective-delete", objective.pk)).status_code == 302
    assert not Objective.objects.filter(pk=objective.pk).exists()
    assert AuditEvent.objects.filter(action="curriculum.objective_delete").exists()


def test_a_method_without_assessed_is_refused(client: Client, people: People, crafted: CraftedMap):
    client.force_login(people.coordinator)
    response = client.post(
        url("mapping-set", crafted.icu.pk),
        {"item": item(crafted.framework, "PC2").pk, "emphases": ["I"], "assessment_method": "osce"},
    )
    assert response.status_code == 400
    assert "An assessment method goes with Assessed." in response.content.decode()


def test_the_gaps_page_shows_the_lists_and_the_heat_map(
    client: Client, people: People, crafted: CraftedMap, django_assert_max_num_queries
) -> None:
    client.force_login(people.learner)
    with django_assert_max_num_queries(14):
        response = client.get(url("gaps"))
    html = response.content.decode()
    assert "Taught in 3 or more places but assessed in none" in html
    assert "Subcompetency ICS1" in html
    assert 'class="heat-cell heat--a"' in html
    assert url("heatmap") in html
    png = client.get(url("heatmap"))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")


def test_the_pdf_and_excel_downloads(client: Client, people: People, crafted: CraftedMap):
    client.force_login(people.director)
    pdf = client.get(url("gaps-pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    xlsx = client.get(url("gaps-xlsx"))
    assert xlsx.content.startswith(b"PK")


def test_the_curriculum_inventory_download(client: Client, people: People, crafted: CraftedMap):
    client.force_login(people.director)
    response = client.get(url("curriculum-inventory"))
    assert response["Content-Type"] == "application/xml"
    assert b"http://ns.medbiq.org/curriculuminventory/v1/" in response.content
    assert b"educator-test" not in response.content


def test_an_empty_program_explains_itself(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    assert "No activities yet" in client.get(url("map")).content.decode()
    assert "adopted no framework" in client.get(url("grid")).content.decode()
    assert client.get(url("gaps-xlsx")).status_code == 404
    response = client.get(url("curriculum-inventory"))
    assert response.status_code == 302


def test_the_grid_page_reads_in_a_few_queries(
    client: Client, people: People, crafted: CraftedMap, django_assert_max_num_queries
) -> None:
    client.force_login(people.coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(url("grid"))
    assert response.content.decode().count('class="cur-cell"') == 5 * 6


def test_a_scheduled_rotation_cannot_be_deleted(
    client: Client, people: People, crafted: CraftedMap
) -> None:
    from trellis.scheduling.models import Rotation

    Rotation.objects.create(program=people.program, activity=crafted.wards)
    client.force_login(people.coordinator)
    response = client.post(url("activity-delete", crafted.wards.pk))
    assert response.status_code == 400
    assert "on the clinical schedule" in response.content.decode()
    assert Activity.objects.filter(pk=crafted.wards.pk).exists()
