from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trellis.assessments.capture.selectors import assessments_about, assessments_of_program
from trellis.curriculum.ci_export import curriculum_inventory_xml
from trellis.curriculum.models import ActivityKind
from trellis.curriculum.tests.factories import build_crafted, make_activity, map_cell
from trellis.educators.models import CoachingInvitation
from trellis.educators.selectors import OFFICE_MINIMUM, cem_framework, office_view
from trellis.educators.services import coaching_opt
from trellis.educators.tests.setup import assess, items, sharers
from trellis.frameworks.models import Adoption
from trellis.people.models import Department
from trellis.plans.models import ShareScope
from trellis.plans.services import share_grant, share_withdraw
from trellis.testing import People

pytestmark = pytest.mark.django_db


def office_url(people: People) -> str:
    return reverse("educators:office", args=[people.fd_program.slug])


def test_office_page_is_for_the_fd_lead_only(people: People, client: Client) -> None:
    url = office_url(people)
    assert client.get(url).status_code == 302
    for who in (people.educator, people.outsider, people.director, people.learner):
        client.force_login(who)
        assert client.get(url).status_code == 404, who
        assert (
            client.post(
                reverse("educators:office-coaching", args=[people.fd_program.slug]),
                {"message": "x"},
            ).status_code
            == 404
        )
    client.force_login(people.fd_lead)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405
    assert (
        client.get(reverse("educators:office-coaching", args=[people.fd_program.slug])).status_code
        == 405
    )
    # a residency is not an office, even for its director
    client.force_login(people.director)
    assert client.get(reverse("educators:office", args=[people.program.slug])).status_code == 404


def test_fewer_than_the_minimum_sharers_shows_nothing(people: People, client: Client) -> None:
    sharers(people, OFFICE_MINIMUM - 1)
    # unshared self-assessments never count
    assess(people.educator, people)
    client.force_login(people.fd_lead)
    page = client.get(office_url(people))
    assert f"Fewer than {OFFICE_MINIMUM} educators share".encode() in page.content
    assert b"Level 1</th>" not in page.content
    assert office_view(office=people.fd_program).sharers == OFFICE_MINIMUM - 1


def test_the_minimum_shows_the_distribution_and_withdrawing_hides_it(
    people: People, client: Client
) -> None:
    group = sharers(people, OFFICE_MINIMUM)
    view = office_view(office=people.fd_program)
    assert view.shown
    first = view.distributions[0]
    assert first.rated == OFFICE_MINIMUM and sum(first.counts) == OFFICE_MINIMUM and first.shown
    assert not view.distributions[5].shown  # nobody rated it: below the minimum
    client.force_login(people.fd_lead)
    page = client.get(office_url(people))
    assert b"Level 1</th>" in page.content
    # no names of individual educators on the office page
    assert group[0].last_name.encode() not in page.content
    share_withdraw(share=group[0].shares_granted.get(), acting_user=group[0])
    assert not office_view(office=people.fd_program).shown


def test_department_comparisons_respect_the_minimum(people: People) -> None:
    sharers(people, OFFICE_MINIMUM, department="Medicine")
    sharers(people, 2, department="Surgery")
    view = office_view(office=people.fd_program)
    rows = {g.label: g for g in view.groups}
    assert rows["Medicine"].shown and not rows["Surgery"].shown and rows["Surgery"].means == []
    inst = next(g for g in view.groups if g.label.startswith("Institution"))
    assert inst.shown and inst.size == OFFICE_MINIMUM + 2
    assert Department.objects.count() == 2


def test_sharing_with_the_office_does_not_show_individuals_to_the_lead(
    people: People, client: Client
) -> None:
    assess(people.educator, people)
    share_grant(
        owner=people.educator,
        scope=ShareScope.SELF_ASSESSMENTS,
        office=people.fd_program,
        acting_user=people.educator,
    )
    client.force_login(people.fd_lead)
    assert client.get(reverse("educators:shared", args=[people.educator.pk])).status_code == 404
    assert client.get(reverse("educators:home")).status_code == 200  # the lead's own practice
    assert b"Shared with me" not in client.get(reverse("educators:home")).content


def test_gaps_list_subcompetencies_no_offering_addresses(people: People) -> None:
    fw = cem_framework()
    assert fw is not None
    Adoption.objects.create(program=people.fd_program, framework=fw)
    workshop = make_activity(people.fd_program, "WS1", kind=ActivityKind.WORKSHOP)
    first = items()[0]
    map_cell(workshop, first, "I")
    view = office_view(office=people.fd_program)
    assert first not in view.not_offered and items()[1] in view.not_offered


def test_workshop_page_for_participants_only(people: People, client: Client) -> None:
    workshop = make_activity(people.fd_program, "WS1", kind=ActivityKind.WORKSHOP)
    first = items()[0]
    map_cell(workshop, first, "I")
    url = reverse("educators:workshop", args=[workshop.pk])
    client.force_login(people.educator)
    page = client.get(url)
    assert page.status_code == 200 and f"item={first.pk}".encode() in page.content
    narrowed = client.get(reverse("educators:self-assess") + f"?item={first.pk}")
    assert narrowed.content.count(b'class="card level-item"') == 1
    for who in (people.outsider, people.learner, people.faculty):
        client.force_login(who)
        assert client.get(url).status_code == 404
    rotation = make_activity(people.program, "WARDS")
    client.force_login(people.educator)
    assert client.get(reverse("educators:workshop", args=[rotation.pk])).status_code == 404


def test_coaching_invitation_reaches_only_those_who_opted_in(
    people: People, client: Client
) -> None:
    group = sharers(people, 3)
    coaching_opt(person=group[0], opted_in=True, acting_user=group[0])
    coaching_opt(person=people.educator, opted_in=True, acting_user=people.educator)
    client.force_login(people.fd_lead)
    r = client.post(
        reverse("educators:office-coaching", args=[people.fd_program.slug]),
        {"message": "Coaching circles start in March."},
        follow=True,
    )
    assert b"sent to 2 educators" in r.content
    inv = CoachingInvitation.objects.get()
    assert set(inv.recipients.all()) == {group[0], people.educator}
    assert group[0].display_name.encode() not in r.content
    client.force_login(people.educator)
    assert b"Coaching circles start in March." in client.get(reverse("educators:home")).content
    client.force_login(group[1])
    assert b"Coaching circles start in March." not in client.get(reverse("educators:home")).content


def test_cem_self_assessments_stay_out_of_residency_views_and_exports(people: People) -> None:
    crafted = build_crafted(people)
    own = assess(people.educator, people)
    # even a faculty member who practises as an educator: their CEM self-assessment is not
    # among the residency's assessments
    assert own not in assessments_of_program(program=people.program)
    assert own not in assessments_about(subject=people.learner)
    fw = cem_framework()
    assert fw is not None
    Adoption.objects.create(program=people.program, framework=fw)
    map_cell(crafted.wards, items()[0], "IRA")
    xml = curriculum_inventory_xml(program=people.program, report_date=dt.date(2026, 9, 1)).decode()
    assert items()[0].identifier not in xml and items()[0].name not in xml
    assert "Clinician Educator" not in xml


def test_the_fd_lead_cannot_open_an_educators_assessment_in_the_assessments_pages(
    people: People, client: Client
) -> None:
    own = assess(people.educator, people)
    for who in (people.fd_lead, people.director, people.outsider, people.faculty):
        client.force_login(who)
        assert client.get(reverse("assessments:detail", args=[own.pk])).status_code == 404, who


def test_an_institution_admin_does_not_see_individual_cem_self_assessments(
    people: People, client: Client
) -> None:
    own = assess(people.educator, people)
    client.force_login(people.admin)
    assert client.get(reverse("assessments:detail", args=[own.pk])).status_code == 404


def test_office_and_practice_pages_do_not_query_per_educator(
    people: People, client: Client, django_assert_max_num_queries: Any
) -> None:
    sharers(people, OFFICE_MINIMUM)
    client.force_login(people.fd_lead)
    with CaptureQueriesContext(connection) as few:
        client.get(office_url(people))
    sharers(people, OFFICE_MINIMUM, department="Surgery")
    with CaptureQueriesContext(connection) as many:
        client.get(office_url(people))
    assert len(many) == len(few)
    for k in range(3):
        assess(people.educator, people, day=dt.date(2026, 1, 1 + k))
    client.force_login(people.educator)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("educators:home")).status_code == 200


def _means(view: Any) -> dict[str, list[Any]]:
    return {g.label.split(" (")[0]: g.means for g in view.groups}


def test_no_department_under_the_minimum_is_recovered_by_subtraction(people: People) -> None:
    """The finding: 5 sharers in Medicine and 1 in Surgery; Surgery was hidden but the
    Medicine and institution means were both shown, and 6 x institution - 5 x Medicine
    gave the one surgeon's level (7 of 15 items). Now no item shows both."""
    sharers(people, OFFICE_MINIMUM, department="Medicine")
    (surgeon,) = sharers(people, 1, department="Surgery")
    view = office_view(office=people.fd_program)
    means = _means(view)
    rated = [i for i, m in enumerate(means["Institution"]) if m is not None]
    assert rated  # the institution figures are still there
    for i in rated:
        medicine = means["Medicine"][i]
        assert medicine is None, (
            f"item {i}: Surgery = 6 x {means['Institution'][i]} - 5 x {medicine}"
        )
    assert means["Surgery"] == []  # under the minimum: not shown at all
    assert next(g for g in view.groups if g.label == "Medicine").withheld == len(rated)


def test_complementary_suppression_hides_only_what_it_must(people: People) -> None:
    """Medicine 5, Surgery 6, Paediatrics 1: hiding Paediatrics alone leaves it derivable,
    so the smallest shown department (Medicine) is withheld too; subtraction then gives
    only Medicine and Paediatrics together (6 people). Surgery stays."""
    sharers(people, OFFICE_MINIMUM, department="Medicine")
    sharers(people, OFFICE_MINIMUM + 1, department="Surgery")
    sharers(people, 1, department="Paediatrics")
    means = _means(office_view(office=people.fd_program))
    rated = [i for i, m in enumerate(means["Institution"]) if m is not None]
    assert all(means["Surgery"][i] is not None for i in rated)
    assert all(means["Medicine"][i] is None for i in rated)
    # with every department big enough nothing is withheld
    sharers(people, OFFICE_MINIMUM - 1, department="Paediatrics")
    means = _means(office_view(office=people.fd_program))
    assert all(
        means[d][i] is not None for d in ("Medicine", "Surgery", "Paediatrics") for i in rated
    )
