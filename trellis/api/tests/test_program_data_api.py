"""The program's data over REST (issue 12): schedule (read and import), curriculum map,
learner record summary, committee levels, logs and plans; each endpoint answers as its
web page does: outsiders 404, members without the right 403, anonymous 401."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from trellis.assessments.models import LogEntry, LogKind, LogRole, LogType
from trellis.committees.services import committee_level_record
from trellis.committees.tests.factories import L, decide_all_and_sign, make_committee
from trellis.curriculum.tests.factories import build_crafted
from trellis.people.models import User
from trellis.plans.services import plan_create
from trellis.records.tests.factories import make_record
from trellis.scheduling.models import Assignment
from trellis.scheduling.tests.factories import make_schedule
from trellis.testing import People

AsUser = Callable[[User], APIClient]
P = "/api/v1/programs/im-residency/"


def test_the_schedule_for_staff_one_learner_for_others(as_user: AsUser, people: People) -> None:
    sched = make_schedule(people)
    everyone = as_user(people.coordinator).get(P + "schedule/")
    assert everyone.status_code == 200
    (row,) = everyone.json()["results"]
    assert row == {
        "id": sched.first.pk,
        "learner": people.learner.pk,
        "learner_name": "Lena Park",
        "rotation": "WARDS",
        "rotation_title": "General Medicine Wards",
        "site": "UH",
        "start_date": sched.first.start_date.isoformat(),
        "end_date": sched.first.end_date.isoformat(),
        "supervisors": [people.faculty.pk],
    }
    assert as_user(people.learner).get(P + "schedule/?learner=me").json()["count"] == 1
    assert as_user(people.learner).get(P + "schedule/").status_code == 403
    mine = as_user(people.learner2).get(P + "schedule/?learner=me")
    assert mine.status_code == 200 and mine.json()["count"] == 0
    assert (
        as_user(people.learner2).get(P + f"schedule/?learner={people.learner.pk}").status_code
        == 403
    )
    assert as_user(people.outsider).get(P + "schedule/").status_code == 404
    assert as_user(people.coordinator).get(P + "schedule/?year=1999-2000").status_code == 404
    assert as_user(people.coordinator).get(P + "schedule/?learner=x").status_code == 400
    # Thousands of digits: refused by count before Python is asked to read them (a 500).
    huge = as_user(people.coordinator).get(P + "schedule/?learner=" + "9" * 5000)
    assert huge.status_code == 400
    assert APIClient().get(P + "schedule/").status_code == 401


def test_a_schedule_import_is_all_or_nothing_and_for_managers(
    as_user: AsUser, people: People
) -> None:
    sched = make_schedule(people)
    free = sched.blocks[0] if sched.blocks[0] != sched.block_now() else sched.blocks[1]
    row = (
        f"learner2@riverside.test,CARD,UH,{free.start_date},{free.end_date},faculty@riverside.test"
    )
    good = f"learner_email,rotation,site,start_date,end_date,supervisors\n{row}\n".encode()
    bad = good + b"nobody@riverside.test,CARD,UH,2026-13-01,2026-01-01,\n"

    def post(who: User, data: bytes, **extra: str) -> object:
        upload = SimpleUploadedFile("schedule.csv", data, content_type="text/csv")
        return as_user(who).post(
            P + "schedule/import", {"file": upload, **extra}, format="multipart"
        )

    refused = post(people.coordinator, bad)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    errors = refused.json()["errors"]  # type: ignore[attr-defined]
    assert errors and all(e["line"] == 3 for e in errors)
    assert not Assignment.objects.filter(learner=people.learner2).exists()
    checked = post(people.coordinator, good, dry_run="true").json()  # type: ignore[attr-defined]
    assert checked["created"] == 1 and checked["dry_run"] is True
    assert not Assignment.objects.filter(learner=people.learner2).exists()
    done = post(people.director, good)
    assert done.status_code == 200 and done.json()["created"] == 1  # type: ignore[attr-defined]
    again = post(people.director, good).json()  # type: ignore[attr-defined]
    assert (again["created"], again["unchanged"]) == (0, 1)
    assert post(people.faculty, good).status_code == 403  # type: ignore[attr-defined]
    assert post(people.outsider, good).status_code == 404  # type: ignore[attr-defined]


def test_the_curriculum_map_for_every_member(as_user: AsUser, people: People) -> None:
    crafted = build_crafted(people)
    response = as_user(people.learner).get(P + "curriculum/")
    assert response.status_code == 200
    by_code = {a["code"]: a for a in response.json()["results"]}
    wards = by_code["WARDS"]
    assert wards["kind"] == "clinical_experience" and wards["training_year"] == 1
    assert {(m["code"], m["emphasis"]) for m in wards["mappings"]} >= {("PC1", "A"), ("PC2", "I")}
    assert next(m for m in wards["mappings"] if m["emphasis"] == "A")["assessment_method"] == (
        "direct_observation"
    )
    session = by_code["DID-1"]
    assert session["parent"] == crafted.course.pk
    assert session["mappings"] == [
        {
            "item": session["mappings"][0]["item"],
            "code": "MK1",
            "framework": crafted.framework.slug,
            "emphasis": "R",
            "assessment_method": "",
            "objective": "DID-1.1",
        }
    ]
    assert as_user(people.outsider).get(P + "curriculum/").status_code == 404


def test_a_learner_record_summary_as_the_page_shows_it(as_user: AsUser, people: People) -> None:
    rec = make_record(people)
    c = make_committee(people)
    committee_level_record(
        review=c.review, item=rec.pc1, level=L("2.5"), acting_user=people.committee
    )
    decide_all_and_sign(c)
    url = P + f"learners/{people.learner.pk}/record"
    body = as_user(people.learner).get(url).json()
    assert body["learner"] == people.learner.pk and body["program"] == "im-residency"
    pc1 = next(i for i in body["items"] if i["code"] == "PC1" and i["kind"] == "subcompetency")
    assert pc1["observations"] == 3 and pc1["latest_level"] == "2.0"
    assert pc1["committee_level"] == "2.5"
    assert as_user(people.director).get(url).status_code == 200
    assert as_user(people.learner2).get(url).status_code == 403
    assert as_user(people.outsider).get(url).status_code == 404
    assert as_user(people.director).get(P + "learners/999999/record").status_code == 404


def test_committee_levels_for_the_committee(as_user: AsUser, people: People) -> None:
    c = make_committee(people)
    committee_level_record(review=c.review, item=c.pc1, level=L("3"), acting_user=people.committee)
    url = P + "committee/levels/"
    assert as_user(people.committee).get(url).json()["count"] == 0  # nothing signed off yet
    decide_all_and_sign(c)
    body = as_user(people.committee).get(url).json()
    assert [(r["learner"], r["code"], r["level"]) for r in body["results"]] == [
        (people.learner.pk, "PC1", "3.0")
    ]
    assert as_user(people.coordinator).get(url + "?cycle=2026 Spring").json()["count"] == 1
    assert as_user(people.coordinator).get(url + "?cycle=nope").status_code == 404
    for who in ("learner", "faculty"):
        assert as_user(getattr(people, who)).get(url).status_code == 403, who
    assert as_user(people.outsider).get(url).status_code == 404


def test_logs_for_the_learner_and_staff(as_user: AsUser, people: People) -> None:
    kind = LogType.objects.create(
        program=people.program, code="LP", name="Lumbar puncture", kind=LogKind.PROCEDURE
    )
    LogEntry.objects.create(
        program=people.program,
        learner=people.learner,
        log_type=kind,
        performed_on=dt.date.today(),
        role=LogRole.PERFORMED,
        supervisor=people.faculty,
    )
    mine = as_user(people.learner).get(P + "logs/?learner=me").json()["results"]
    assert [(e["log_type"], e["kind"], e["verified"]) for e in mine] == [
        ("Lumbar puncture", "procedure", False)
    ]
    theirs = P + f"logs/?learner={people.learner.pk}"
    assert as_user(people.coordinator).get(theirs).json()["count"] == 1
    assert as_user(people.learner2).get(theirs).status_code == 403
    assert as_user(people.outsider).get(theirs).status_code == 404
    assert as_user(people.learner).get(P + "logs/").status_code == 400


def test_plans_are_their_owners(as_user: AsUser, people: People) -> None:
    rec = make_record(people)
    plan_create(
        owner=people.learner,
        program=people.program,
        item=rec.pc1,
        current_level=Decimal("2"),
        target_level=Decimal("3"),
        actions="Present two new admissions a week.",
        acting_user=people.learner,
    )
    (plan,) = as_user(people.learner).get("/api/v1/plans/").json()["results"]
    assert (plan["code"], plan["target_level"], plan["status"]) == ("PC1", "3.0", "open")
    assert as_user(people.learner2).get("/api/v1/plans/").json()["count"] == 0
    assert APIClient().get("/api/v1/plans/").status_code == 401
