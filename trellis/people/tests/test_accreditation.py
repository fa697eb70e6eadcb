"""The ACGME's identifiers: a residency's ADS program number and each resident's ACGME ID,
set on one page, by the roster import and by `trellis programs set`; all or nothing,
audited, and refused where they do not belong."""

from __future__ import annotations

import html

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.people.accreditation import (
    IdsRefused,
    accreditation_ids_record,
    acgme_ids,
    membership_set_acgme_id,
)
from trellis.people.importer import roster_import
from trellis.people.models import Membership, Program, Role
from trellis.people.services import MembershipError
from trellis.testing import People, add_member

PAGE = reverse("people:acgme", args=["im-residency"])


def member(people: People, who: str) -> Membership:
    return Membership.objects.get(person=getattr(people, who), program=people.program)


def test_it_sets_the_number_and_the_ids_and_a_repeat_changes_nothing(people: People) -> None:
    lena, luis = member(people, "learner"), member(people, "learner2")
    ids = {lena.pk: "2611223", luis.pk: " 2611224 "}
    changed = accreditation_ids_record(
        program=people.program, ads_number="1409921001", acgme=ids, acting_user=people.coordinator
    )
    assert changed == 3
    assert Program.objects.get(pk=people.program.pk).ads_number == "1409921001"
    assert acgme_ids(program=people.program, people=[people.learner.pk, people.learner2.pk]) == {
        people.learner.pk: "2611223",
        people.learner2.pk: "2611224",
    }
    events = AuditEvent.objects.filter(actor=people.coordinator)
    assert sorted(events.values_list("action", flat=True)) == [
        "membership.acgme_id",
        "membership.acgme_id",
        "program.ads_number",
    ]
    again = accreditation_ids_record(
        program=people.program, ads_number="1409921001", acgme=ids, acting_user=people.coordinator
    )
    assert again == 0 and events.count() == 3


def test_it_refuses_every_bad_value_at_once_and_saves_none(people: People) -> None:
    lena, luis = member(people, "learner"), member(people, "learner2")
    coordinator = member(people, "coordinator")
    with pytest.raises(IdsRefused) as refused:
        accreditation_ids_record(
            program=people.program,
            ads_number="14099",
            acgme={lena.pk: "2611223", luis.pk: "26 11", coordinator.pk: "77"},
            acting_user=people.coordinator,
        )
    assert set(refused.value.problems) == {
        "ads_number",
        f"acgme-{luis.pk}",
        f"acgme-{coordinator.pk}",
    }
    assert "10 digits" in refused.value.problems["ads_number"]
    assert "residents and fellows" in refused.value.problems[f"acgme-{coordinator.pk}"]
    assert not Membership.objects.exclude(acgme_id="").exists()
    assert not Program.objects.exclude(ads_number="").exists()


def test_two_residents_cannot_share_an_id_but_may_swap_theirs(people: People) -> None:
    lena, luis = member(people, "learner"), member(people, "learner2")
    record = accreditation_ids_record
    record(program=people.program, ads_number="", acgme={lena.pk: "A1"}, acting_user=None)
    with pytest.raises(IdsRefused, match="Lena Park's ACGME ID"):
        record(program=people.program, ads_number="", acgme={luis.pk: "a1"}, acting_user=None)
    with pytest.raises(MembershipError, match="Lena Park's"):
        membership_set_acgme_id(membership=luis, acgme_id="A1", acting_user=None)
    record(program=people.program, ads_number="", acgme={luis.pk: "B2"}, acting_user=None)
    # A slip corrected in one submission: each takes the other's.
    record(
        program=people.program,
        ads_number="",
        acgme={lena.pk: "B2", luis.pk: "A1"},
        acting_user=None,
    )
    assert (
        member(people, "learner").acgme_id == "B2" and member(people, "learner2").acgme_id == "A1"
    )


def test_a_role_change_keeps_the_persons_id(people: People) -> None:
    lena = member(people, "learner")
    membership_set_acgme_id(membership=lena, acgme_id="2611223", acting_user=None)
    lena.end_date = lena.start_date.replace(year=lena.start_date.year + 1)
    lena.save()
    add_member(people.learner, people.program, Role.LEARNER, training_year=2, start=lena.end_date)
    assert acgme_ids(program=people.program, people=[people.learner.pk]) == {
        people.learner.pk: "2611223"
    }


def test_a_program_the_acgme_does_not_accredit_has_no_identifiers(
    client: Client, people: People
) -> None:
    with pytest.raises(MembershipError, match="not accredited"):
        accreditation_ids_record(
            program=people.fd_program, ads_number="1409921001", acgme={}, acting_user=None
        )
    client.force_login(people.fd_lead)
    assert client.get(reverse("people:acgme", args=["faculty-development"])).status_code == 404
    assert (
        b"ACGME identifiers"
        not in client.get(reverse("people:roster", args=["faculty-development"])).content
    )


def test_the_page_saves_the_number_and_the_ids(client: Client, people: People) -> None:
    lena, luis = member(people, "learner"), member(people, "learner2")
    client.force_login(people.coordinator)
    roster = client.get(reverse("people:roster", args=["im-residency"])).content.decode()
    assert PAGE in roster
    page = client.get(PAGE).content.decode()
    assert f'name="acgme-{lena.pk}"' in page and "Lena Park" in page
    response = client.post(
        PAGE, {"ads_number": "1409921001", f"acgme-{lena.pk}": "2611223"}, follow=True
    )
    assert response.redirect_chain == [(PAGE, 302)]
    assert "ACGME identifiers saved (2 changed)" in response.content.decode()
    assert member(people, "learner").acgme_id == "2611223"
    # Luis's field was not posted (the page was older than his membership): kept, not cleared.
    membership_set_acgme_id(membership=luis, acgme_id="2611224", acting_user=None)
    client.post(PAGE, {"ads_number": "1409921001", f"acgme-{lena.pk}": "2611223"})
    assert member(people, "learner2").acgme_id == "2611224"


def test_the_page_reshows_what_was_typed_and_saves_nothing(client: Client, people: People) -> None:
    lena, luis = member(people, "learner"), member(people, "learner2")
    client.force_login(people.director)
    response = client.post(
        PAGE,
        {"ads_number": "12345", f"acgme-{lena.pk}": "2611223", f"acgme-{luis.pk}": "2611223"},
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert 'value="12345"' in page and page.count('value="2611223"') == 2
    assert "is not an ADS program number" in page and "Lena Park's ACGME ID too" in page
    assert 'aria-invalid="true"' in page
    assert not Membership.objects.exclude(acgme_id="").exists()


def test_the_page_lists_former_residents_on_demand(client: Client, people: People) -> None:
    luis = member(people, "learner2")
    luis.end_date = luis.start_date.replace(year=luis.start_date.year + 2)
    luis.save()
    client.force_login(people.coordinator)
    assert f"acgme-{luis.pk}" not in client.get(PAGE).content.decode()
    assert f"acgme-{luis.pk}" in client.get(PAGE + "?show=ended").content.decode()
    assert client.put(PAGE).status_code == 405


def test_the_roster_import_takes_an_acgme_id_column(people: People) -> None:
    data = (
        b"email,first_name,last_name,role,training_year,start_date,acgme_id\n"
        b"nadia.roy@riverside.test,Nadia,Roy,learner,1,2026-07-01,2611225\n"
        b"learner@riverside.test,,,learner,1,2020-07-01,2611223\n"
        b"learner2@riverside.test,,,learner,2,2020-07-01,\n"
    )

    def run(data: bytes):  # type: ignore[no-untyped-def]
        return roster_import(
            program=people.program, filename="r.csv", data=data, acting_user=people.coordinator
        )

    result = run(data)
    assert result.ok, result.problems
    assert (result.added, result.changed, result.unchanged) == (1, 1, 1)
    assert Membership.objects.get(person__email="nadia.roy@riverside.test").acgme_id == "2611225"
    assert member(people, "learner").acgme_id == "2611223"
    assert run(data).summary() == "0 added, 0 changed, 3 unchanged"


def test_the_roster_import_refuses_bad_ids_by_row(people: People) -> None:
    data = (
        b"email,first_name,last_name,role,training_year,start_date,acgme_id\n"
        b"nadia.roy@riverside.test,Nadia,Roy,learner,1,2026-07-01,2611225\n"
        b"omar.haddad@riverside.test,Omar,Haddad,learner,1,2026-07-01,2611225\n"
        b"faculty@riverside.test,,,committee,,2026-07-01,99\n"
        b"learner@riverside.test,,,learner,1,2020-07-01,26/11\n"
    )
    result = roster_import(
        program=people.program, filename="r.csv", data=data, acting_user=people.coordinator
    )
    assert not result.ok
    assert [(p.line, p.column) for p in result.problems] == [
        (3, "acgme_id"),
        (4, "acgme_id"),
        (5, "acgme_id"),
    ]
    assert "nadia.roy@riverside.test's ACGME ID on row 2" in str(result.problems[0])
    assert not Membership.objects.filter(person__email="nadia.roy@riverside.test").exists()
    # An ID another person of the program already holds: refused, nothing written.
    membership_set_acgme_id(membership=member(people, "learner2"), acgme_id="X9", acting_user=None)
    clash = (
        b"email,first_name,last_name,role,training_year,start_date,acgme_id\n"
        b"nadia.roy@riverside.test,Nadia,Roy,learner,1,2026-07-01,\n"
        b"learner@riverside.test,,,learner,1,2020-07-01,x9\n"
    )
    result = roster_import(
        program=people.program, filename="r.csv", data=clash, acting_user=people.coordinator
    )
    assert [(p.line, p.column) for p in result.problems] == [(3, "acgme_id")]
    assert not Membership.objects.filter(person__email="nadia.roy@riverside.test").exists()


def test_the_command_sets_the_ads_number(people: People, capsys: pytest.CaptureFixture) -> None:
    call_command("programs", "set", "im-residency", "--ads-number", "1409921001")
    assert "ADS program number set (1409921001)" in capsys.readouterr().out
    assert Program.objects.get(pk=people.program.pk).ads_number == "1409921001"
    with pytest.raises(CommandError, match="10 digits"):
        call_command("programs", "set", "im-residency", "--ads-number", "12")
    with pytest.raises(CommandError, match="No program"):
        call_command("programs", "set", "nope", "--ads-number", "1409921001")
