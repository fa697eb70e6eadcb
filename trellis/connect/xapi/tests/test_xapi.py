"""xAPI against a real learning record store (Ralph, started on 127.0.0.1 for each test):
submitted assessments are queued, sent once their edit window closes, retried while the
LRS is away, never twice, and never the private or anonymous ones; statements of a
simulation centre come back as evidence through a mapping, from a cursor, once."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from trellis.assessments.capture.services import CommentInput, RatingInput, assessment_submit
from trellis.assessments.evidence import learner_evidence
from trellis.assessments.importer import MappingError
from trellis.assessments.models import Assessment, AssessmentSource, AssessorRole, Form
from trellis.assessments.tests.capture_setup import Capture, make_capture
from trellis.connect.xapi.importer import xapi_import, xapi_mapping_load
from trellis.connect.xapi.lrs import Lrs
from trellis.connect.xapi.models import Delivery, DeliveryStatus, ImportCursor
from trellis.connect.xapi.outbox import retry_pause, xapi_send_pass
from trellis.connect.xapi.statements import SCORED, statement_id
from trellis.testing import People

pytestmark = pytest.mark.django_db

MAPPING = b"""
form = "epa-observation-chen"
framework = "aamc-core-epas"
assessor_name = "Riverside Simulation Centre"
[activities]
"https://sim.example.edu/scenarios/sepsis" = "EPA10"
"https://sim.example.edu/scenarios/handover" = "EPA8"
[[levels]]
scaled = 0.85
level = "4"
[[levels]]
scaled = 0.6
level = "3"
[[levels]]
scaled = 0
level = "2"
"""


def routable(people: People) -> None:
    """The test people's addresses end in .test, a reserved name that Ralph (rightly)
    refuses as an xAPI mbox; give the learner and the faculty member real-looking ones."""
    for person in (people.learner, people.faculty):
        person.email = person.email.replace("@riverside.test", "@riverside.example.org")
        person.save(update_fields=["email"])


def observe(cap: Capture, **kw: object) -> Assessment:
    args: dict[str, object] = {
        "program": cap.people.program,
        "form_version": cap.version,
        "subject": cap.people.learner,
        "assessor": cap.people.faculty,
        "assessor_role": AssessorRole.FACULTY,
        "observed_on": timezone.localdate(),
        "ratings": [RatingInput(cap.epa1, Decimal("3")), RatingInput(cap.epa2, Decimal("2"))],
        "comments": [CommentInput("next-time", "Examine the abdomen before the chest film.")],
        "acting_user": cap.people.faculty,
    }
    args.update(kw)
    return assessment_submit(**args).assessment  # type: ignore[arg-type]


def stored(lrs: Lrs) -> list[dict[str, object]]:
    return list(lrs.read(since=None))


def test_an_assessment_reaches_the_lrs_once_after_its_edit_window(people: People, lrs: Lrs) -> None:
    routable(people)
    cap = make_capture(people)
    now = timezone.now()
    xapi_send_pass(now=now)  # the sender starts: what comes after is sent
    a = observe(cap)
    first = xapi_send_pass(now=now + dt.timedelta(minutes=1))
    # Queued at once, but held while the assessor may still correct it.
    assert (first.queued, first.sent, first.pending) == (1, 0, 1)
    assert stored(lrs) == []
    later = now + dt.timedelta(hours=25)
    assert xapi_send_pass(now=later).sent == 1
    assert xapi_send_pass(now=later + dt.timedelta(minutes=5)).sent == 0  # never twice

    [statement] = stored(lrs)
    assert statement["id"] == str(statement_id(a))
    assert statement["actor"]["mbox"] == f"mailto:{people.learner.email}"  # type: ignore[index]
    assert statement["verb"]["id"] == SCORED  # type: ignore[index]
    assert statement["context"]["instructor"]["mbox"] == f"mailto:{people.faculty.email}"  # type: ignore[index]
    result = statement["result"]
    ratings = next(v for k, v in result["extensions"].items() if k.endswith("/ratings"))  # type: ignore[index]
    assert [(r["code"], r["level"]) for r in ratings] == [("EPA1", 3), ("EPA2", 2)]
    assert result["score"] == {"raw": 2.5, "min": 1, "max": 5, "scaled": 0.375}  # type: ignore[index]
    assert "Examine the abdomen" in result["response"]  # type: ignore[index]
    delivery = Delivery.objects.get(assessment=a)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 0


def test_while_the_lrs_is_away_statements_wait_and_go_when_it_is_back(
    people: People, lrs: Lrs
) -> None:
    routable(people)
    cap = make_capture(people)
    now = timezone.now()
    xapi_send_pass(now=now)
    observe(cap)
    later = now + dt.timedelta(hours=25)
    with override_settings(XAPI_LRS_ENDPOINT="http://127.0.0.1:9/xAPI/"):  # nothing listens
        away = xapi_send_pass(now=later)
    assert (away.sent, away.failed, away.pending) == (
        0,
        1,
        1,
    ) and "could not be reached" in away.error
    delivery = Delivery.objects.get()
    assert delivery.attempts == 1 and delivery.next_attempt_at == later + retry_pause(1)
    assert xapi_send_pass(now=later).sent == 0  # not due again yet
    assert xapi_send_pass(now=later + dt.timedelta(minutes=2)).sent == 1
    assert len(stored(lrs)) == 1
    assert [retry_pause(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert retry_pause(30) == dt.timedelta(hours=24)


def test_self_assessments_anonymous_forms_and_developmental_data_stay_in_trellis(
    people: People, lrs: Lrs
) -> None:
    routable(people)
    cap = make_capture(people)
    now = timezone.now()
    xapi_send_pass(now=now)
    observe(cap)
    from trellis.frameworks.models import Framework
    from trellis.frameworks.services import framework_adopt

    cem = Framework.objects.get(slug="clinician-educator-milestones")
    framework_adopt(program=people.fd_program, framework=cem, acting_user=None)
    self_form = Form.objects.get(slug="self-assessment", program__isnull=True)
    item = cem.items.filter(kind="subcompetency").first()
    assert item is not None
    assessment_submit(
        program=people.fd_program,
        form_version=self_form.versions.get(number=1),
        subject=people.educator,
        assessor=people.educator,
        assessor_role=AssessorRole.SELF,
        observed_on=timezone.localdate(),
        ratings=[RatingInput(item, Decimal("3"))],
        acting_user=people.educator,
    )
    result = xapi_send_pass(now=now + dt.timedelta(hours=25))
    assert (result.queued, result.sent) == (1, 1)
    [statement] = stored(lrs)
    assert statement["actor"]["mbox"] == f"mailto:{people.learner.email}"  # type: ignore[index]


def test_a_statement_the_lrs_refuses_is_set_aside_and_the_others_go(
    people: People, lrs: Lrs
) -> None:
    routable(people)
    cap = make_capture(people)
    now = timezone.now()
    xapi_send_pass(now=now)
    good = observe(cap)
    # About learner2@riverside.test: Ralph refuses the reserved name as an mbox.
    bad = observe(cap, subject=people.learner2)
    result = xapi_send_pass(now=now + dt.timedelta(hours=25))
    assert (result.sent, result.refused, result.failed, result.pending) == (1, 1, 0, 0)
    assert Delivery.objects.get(assessment=good).status == DeliveryStatus.SENT
    refused = Delivery.objects.get(assessment=bad)
    assert refused.status == DeliveryStatus.REFUSED and "422" in refused.last_error
    assert [s["id"] for s in stored(lrs)] == [str(statement_id(good))]
    assert xapi_send_pass(now=now + dt.timedelta(days=3)).refused == 0  # not tried again


def sim_statement(email: str, activity: str, scaled: float, when: str, **kw: object) -> dict:
    return {
        "actor": {"objectType": "Agent", "name": "Lena Park", "mbox": f"mailto:{email}"},
        "verb": {"id": SCORED},
        "object": {
            "objectType": "Activity",
            "id": activity,
            "definition": {"name": {"en-US": "Sepsis in the emergency department"}},
        },
        "result": {"score": {"scaled": scaled}, "response": "Called for help early."},
        "context": {"instructor": {"name": "Dr Imani Cole", "mbox": "mailto:cole@sim.example.edu"}},
        "timestamp": when,
        **kw,
    }


def days_ago(n: int) -> str:
    return (timezone.now() - dt.timedelta(days=n)).isoformat()


def test_simulation_statements_land_on_the_record_once_through_the_mapping(
    people: People, lrs: Lrs
) -> None:
    routable(people)
    cap = make_capture(people)
    mapping = xapi_mapping_load(filename="sim.toml", content=MAPPING)
    sepsis = "https://sim.example.edu/scenarios/sepsis"
    handover = "https://sim.example.edu/scenarios/handover"
    lrs.post(
        [
            sim_statement(people.learner.email, sepsis, 0.9, days_ago(12)),
            sim_statement(people.learner.email, handover, 0.65, days_ago(11)),
            sim_statement(people.learner.email, "https://sim.example.edu/other", 0.9, days_ago(11)),
            sim_statement("stranger@elsewhere.example.org", sepsis, 0.5, days_ago(10)),
        ]
    )
    first = xapi_import(program=people.program, mapping=mapping, acting_user=None)
    assert first.ok and first.read == 4 and first.outside == 1
    assert first.result is not None and first.result.imported == 2
    assert dict(first.result.skipped) == {"activity not in the mapping": 1}
    made = Assessment.objects.filter(program=people.program, source=AssessmentSource.IMPORT)
    today = timezone.localdate()
    assert sorted(
        (a.ratings.get().item.code, str(a.ratings.get().level), (today - a.observed_on).days)
        for a in made
    ) == [("EPA10", "4.0", 12), ("EPA8", "3.0", 11)]
    a = made.get(ratings__item__code="EPA10")
    assert a.assessor is None and a.assessor_name == "Dr Imani Cole"
    assert a.context == "Sepsis in the emergency department"
    assert a.comments.get().text == "Called for help early."
    # On the record as evidence, with its source.
    evidence = learner_evidence(
        program=people.program, learner=people.learner,
        start=today - dt.timedelta(days=30), end=today,
    )  # fmt: skip
    epa10 = cap.epas.items.get(code="EPA10")
    assert evidence.for_item(epa10.pk).count == 1  # type: ignore[union-attr]

    # The cursor moved: a second run takes nothing twice; a session the centre sends late
    # (stored now, held five days ago) is taken, alone.
    cursor = ImportCursor.objects.get(program=people.program)
    again = xapi_import(program=people.program, mapping=mapping, acting_user=None)
    assert again.ok and again.result.imported == 0  # type: ignore[union-attr]
    lrs.post([sim_statement(people.learner.email, sepsis, 0.4, days_ago(5))])
    third = xapi_import(program=people.program, mapping=mapping, acting_user=None)
    assert third.ok and third.result.imported == 1  # type: ignore[union-attr]
    assert ImportCursor.objects.get(program=people.program).stored > cursor.stored
    made = made.all()  # read again, not the list cached above
    assert made.count() == 3
    # Page by page (the LRS's `more` link), nothing lost or read twice.
    ids = [s["id"] for s in lrs.read(since=None, page=2)]
    assert len(ids) == len(set(ids)) == 5
    assert made.filter(ratings__level=Decimal("2")).count() == 1  # 0.4 falls in the lowest band


def test_a_refused_import_writes_nothing_and_keeps_the_cursor(people: People, lrs: Lrs) -> None:
    routable(people)
    make_capture(people)
    # Level 4 exists on the Chen scale; a band naming level 9 does not.
    bad = xapi_mapping_load(filename="sim.toml", content=MAPPING.replace(b'"4"', b'"9"'))
    lrs.post(
        [
            sim_statement(
                people.learner.email,
                "https://sim.example.edu/scenarios/sepsis",
                0.9,
                days_ago(3),
            )
        ]
    )
    out = xapi_import(program=people.program, mapping=bad, acting_user=None)
    assert not out.ok and out.result is not None and out.result.problems
    assert not Assessment.objects.filter(source=AssessmentSource.IMPORT).exists()
    assert not ImportCursor.objects.exists()


def test_more_statements_than_one_import_takes_are_refused_unread(
    people: People, lrs: Lrs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trellis.connect.xapi import importer

    routable(people)
    make_capture(people)
    monkeypatch.setattr(importer, "READ_LIMIT", 2)
    sepsis = "https://sim.example.edu/scenarios/sepsis"
    lrs.post([sim_statement(people.learner.email, sepsis, 0.9, days_ago(n)) for n in (3, 2, 1)])
    mapping = xapi_mapping_load(filename="sim.toml", content=MAPPING)
    out = xapi_import(program=people.program, mapping=mapping, acting_user=None)
    assert out.read == 3 and not out.ok and out.result is not None
    assert "more than 2 statements to read" in str(out.result.problems[0])
    assert not Assessment.objects.filter(source=AssessmentSource.IMPORT).exists()
    assert not ImportCursor.objects.exists()


def test_a_mapping_with_mistakes_lists_each(people: People) -> None:
    with pytest.raises(MappingError) as refused:
        xapi_mapping_load(
            filename="m.toml",
            content=b'colour = "red"\nassessor_role = "wizard"\n'
            b'[[levels]]\nscaled = 2\nlevel = "4"\n',
        )
    assert refused.value.problems == [
        "unknown key 'colour'",
        "form (the slug of the form the statements are recorded on) is required",
        "framework (the slug of the framework of the item codes) is required",
        "[activities] must map at least one activity id to an item code",
        "assessor_role must be one of "
        "faculty, resident, nurse, peer, patient, staff, self, learner",
        "levels #1: scaled must be between -1 and 1",
    ]


def test_the_commands_send_and_import(people: People, lrs: Lrs, tmp_path: Path) -> None:
    routable(people)
    make_capture(people)
    mapping = tmp_path / "sim.toml"
    mapping.write_bytes(MAPPING)
    lrs.post(
        [
            sim_statement(
                people.learner.email,
                "https://sim.example.edu/scenarios/sepsis",
                0.9,
                days_ago(3),
            )
        ]
    )
    from io import StringIO

    out = StringIO()
    call_command(
        "xapi",
        "import",
        "--program",
        people.program.slug,
        "--mapping",
        str(mapping),
        "--dry-run",
        stdout=out,
    )
    assert "1 statement(s) read" in out.getvalue() and "Dry run" in out.getvalue()
    assert not ImportCursor.objects.exists()
    out = StringIO()
    call_command(
        "xapi", "import", "--program", people.program.slug, "--mapping", str(mapping), stdout=out
    )
    assert Assessment.objects.filter(source=AssessmentSource.IMPORT).count() == 1
    out = StringIO()
    call_command("xapi", "send", "--once", stdout=out)
    assert "sent" in out.getvalue()
    assert json.loads(json.dumps(stored(lrs)))  # the LRS still answers
