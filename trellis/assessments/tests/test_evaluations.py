"""Program evaluation: learners evaluate their rotations and teachers through the requests
the schedule makes, and the results are read in groups (3 for ratings, 5 for comments),
by academic year, by the people allowed to read them; the Annual Program Evaluation
export gathers them."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from trellis.assessments.capture.services import CommentInput, RatingInput, assessment_submit
from trellis.assessments.evaluations import (
    evaluation_results,
    period_containing,
    period_for,
)
from trellis.assessments.models import (
    Assessment,
    AssessorRole,
    FormKind,
    FormVersion,
    Request,
    RequestStatus,
)
from trellis.assessments.requests.services import requests_generate_from_schedule
from trellis.assessments.tests.capture_setup import Capture, make_capture
from trellis.people.models import Role, User
from trellis.scheduling.models import Assignment
from trellis.scheduling.services import assignment_create
from trellis.testing import People, add_member, make_user

pytestmark = pytest.mark.django_db
BASE = "/programs/im-residency/assessments/evaluations/"


@pytest.fixture
def cap(people: People) -> Capture:
    return make_capture(people)


def version(slug: str) -> FormVersion:
    return FormVersion.objects.get(form__slug=slug, form__program__isnull=True)


def learners(cap: Capture, n: int, first: int = 0) -> list[User]:
    out = []
    for i in range(first, first + n):
        person = make_user(f"resident{i}@riverside.test", f"Res{i}", "Ident")
        add_member(person, cap.people.program, Role.LEARNER, training_year=1)
        out.append(person)
    return out


def on_wards(cap: Capture, learner: User) -> Assignment:
    now = cap.sched.block_now()
    return assignment_create(
        program=cap.people.program,
        year=cap.sched.year,
        learner=learner,
        rotation=cap.sched.wards,
        site=cap.sched.uh,
        start_date=now.start_date,
        end_date=now.end_date,
        supervisors=[cap.people.faculty],
        acting_user=None,
    )


def evaluate_rotation(
    cap: Capture, learner: User, level: str, comment: str = "", *, day: dt.date | None = None
) -> Assessment:
    form = version("rotation-evaluation")
    assignment = on_wards(cap, learner)
    question = form.questions.select_related("item").get()
    return assessment_submit(
        program=cap.people.program,
        form_version=form,
        subject=learner,
        assessor=learner,
        assessor_role=AssessorRole.LEARNER,
        observed_on=day or timezone.localdate(),
        ratings=[RatingInput(question.item, Decimal(level))],
        comments=[CommentInput("next-time", comment)] if comment else [],
        acting_user=learner,
        client_key=f"rot-{learner.pk}",
        assignment=assignment,
    ).assessment


def evaluate_teacher(cap: Capture, learner: User, teacher: User, level: str) -> Assessment:
    form = version("teaching-evaluation")
    return assessment_submit(
        program=cap.people.program,
        form_version=form,
        subject=teacher,
        assessor=learner,
        assessor_role=AssessorRole.LEARNER,
        observed_on=timezone.localdate(),
        ratings=[
            RatingInput(q.item, Decimal(level)) for q in form.questions.select_related("item")
        ],
        comments=[CommentInput("went-well", f"Teaching note from {learner.first_name}")],
        acting_user=learner,
        client_key=f"teach-{learner.pk}-{teacher.pk}",
    ).assessment


def ended_assignment(cap: Capture) -> Assignment:
    """learner2 on Cardiology in a block that has just ended, under faculty@."""
    today = timezone.localdate()
    return Assignment.objects.create(
        learner=cap.people.learner2,
        rotation=cap.sched.card,
        site=cap.sched.uh,
        start_date=today - dt.timedelta(days=28),
        end_date=today - dt.timedelta(days=1),
    )


# -- the capture flow


def test_a_learner_answers_the_rotation_and_teaching_evaluations_the_schedule_asks_for(
    cap: Capture,
) -> None:
    assignment = ended_assignment(cap)
    assignment.supervisors.set([cap.people.faculty])
    requests_generate_from_schedule(
        program=cap.people.program, on=timezone.localdate(), acting_user=None
    )
    rotation = Request.objects.get(form__kind=FormKind.ROTATION)
    teaching = Request.objects.get(form__kind=FormKind.TEACHING)
    client = Client()
    client.force_login(cap.people.learner2)
    due = client.get("/programs/im-residency/assessments/requests/mine/").content.decode()
    assert f"/assess/r/{rotation.token}/" in due and f"/assess/r/{teaching.token}/" in due

    page = client.get(f"/assess/r/{rotation.token}/").content.decode()
    assert "<h1>Cardiology</h1>" in page
    assert "Use another form" not in page and "Raise a concern" not in page
    question = version("rotation-evaluation").questions.get()
    key = re.search(r'name="client_key" value="([^"]+)"', page)
    assert key is not None
    data = {
        "form_version": version("rotation-evaluation").pk,
        "client_key": key.group(1),
        f"rating-{question.item_id}": "4",
        "comment-next-time": "More teaching on echo reading.",
        "observed_on": timezone.localdate().isoformat(),
        "action": "submit",
    }
    r = client.post(f"/assess/r/{rotation.token}/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    client.post(f"/assess/r/{rotation.token}/", data)  # a phone's retry: no second one
    made = Assessment.objects.get(form_version__form__kind=FormKind.ROTATION)
    assert (made.assessor, made.subject, made.assessor_role) == (
        cap.people.learner2,
        cap.people.learner2,
        AssessorRole.LEARNER,
    )
    assert made.assignment == assignment
    rotation.refresh_from_db()
    assert rotation.status == RequestStatus.COMPLETED

    page = client.get(f"/assess/r/{teaching.token}/").content.decode()
    assert "Farah Mendes" in page
    key = re.search(r'name="client_key" value="([^"]+)"', page)
    assert key is not None
    form = version("teaching-evaluation")
    data = {
        "form_version": form.pk,
        "client_key": key.group(1),
        **{f"rating-{q.item_id}": "3" for q in form.questions.all()},
        "observed_on": timezone.localdate().isoformat(),
        "action": "submit",
    }
    assert client.post(f"/assess/r/{teaching.token}/", data).status_code == 302
    written = Assessment.objects.get(form_version__form__kind=FormKind.TEACHING)
    assert (written.subject, written.assessor_role) == (cap.people.faculty, AssessorRole.LEARNER)
    # The writer sees their own response; the teacher and the staff never one by one.
    assert client.get(f"/assess/a/{written.pk}/").status_code == 200
    for who in (cap.people.faculty, cap.people.director, cap.people.coordinator):
        client.force_login(who)
        assert client.get(f"/assess/a/{written.pk}/").status_code == 404
        assert client.get(f"/assess/a/{made.pk}/").status_code == 404


def test_only_the_learner_asked_answers_an_evaluation(cap: Capture) -> None:
    ended_assignment(cap).supervisors.set([cap.people.faculty])
    requests_generate_from_schedule(
        program=cap.people.program, on=timezone.localdate(), acting_user=None
    )
    rotation = Request.objects.get(form__kind=FormKind.ROTATION)
    client = Client()
    for who, status in (
        (cap.people.learner, 403),
        (cap.people.faculty, 403),
        (cap.people.director, 403),
        (cap.people.outsider, 404),
    ):
        client.force_login(who)
        assert client.get(f"/assess/r/{rotation.token}/").status_code == status, who
    assert not Assessment.objects.exists()


# -- results in groups


def test_ratings_show_from_three_responses_and_comments_from_five(cap: Capture) -> None:
    people = learners(cap, 5)
    period, _ = period_for(program=cap.people.program, key=None)

    def wards() -> object:
        results = evaluation_results(
            program=cap.people.program, kind=FormKind.ROTATION, period=period
        )
        return next(g for g in results.groups if g.label == "General Medicine Wards")

    for person, level in zip(people[:2], ("2", "3"), strict=True):
        evaluate_rotation(cap, person, level, f"Comment by {person.first_name}")
    g = wards()
    assert (g.responses, g.released, g.mean, g.items, g.comments) == (2, False, None, [], [])
    evaluate_rotation(cap, people[2], "4", "Comment by Res2")
    g = wards()
    assert g.released and g.mean == Decimal("3.0") and g.items[0].ratings == 3
    assert g.comments == []  # free text waits for five
    for person in people[3:]:
        evaluate_rotation(cap, person, "5", f"Comment by {person.first_name}")
    sixth = learners(cap, 1, first=5)[0]
    evaluate_rotation(cap, sixth, "5", "Comment by Res4")  # the same words as another
    g = wards()
    assert g.mean == Decimal("4.0")
    [block] = g.comments
    assert block.prompt == "One change that would improve it"
    assert block.texts == [(f"Comment by Res{i}", 2 if i == 4 else 1) for i in range(5)]


def test_the_program_mean_leaves_out_withheld_rotations(cap: Capture) -> None:
    """Else the program mean less the rotations shown would give the withheld one's."""
    people = learners(cap, 4)
    period, _ = period_for(program=cap.people.program, key=None)
    for person in people[:3]:
        evaluate_rotation(cap, person, "4")
    card = Assignment.objects.create(
        learner=people[3],
        rotation=cap.sched.card,
        site=cap.sched.uh,
        start_date=cap.sched.block_now().start_date,
        end_date=cap.sched.block_now().end_date,
    )
    form = version("rotation-evaluation")
    assessment_submit(
        program=cap.people.program,
        form_version=form,
        subject=people[3],
        assessor=people[3],
        assessor_role=AssessorRole.LEARNER,
        observed_on=timezone.localdate(),
        ratings=[RatingInput(form.questions.get().item, Decimal(1))],
        comments=[],
        acting_user=people[3],
        client_key="card",
        assignment=card,
    )
    results = evaluation_results(program=cap.people.program, kind=FormKind.ROTATION, period=period)
    assert {g.label: g.mean for g in results.groups} == {
        "Cardiology": None,
        "General Medicine Wards": Decimal("4.0"),
    }
    assert results.mean == Decimal("4.0") and results.responses == 4 and results.withheld == 1


def test_results_are_read_by_academic_year(cap: Capture) -> None:
    people = learners(cap, 3)
    for person in people:
        evaluate_rotation(cap, person, "4")
    this_year = period_containing(program=cap.people.program, day=timezone.localdate())
    last_year = period_containing(
        program=cap.people.program, day=this_year.start - dt.timedelta(days=1)
    )
    assert last_year.end == this_year.start - dt.timedelta(days=1)
    now = evaluation_results(program=cap.people.program, kind=FormKind.ROTATION, period=this_year)
    before = evaluation_results(
        program=cap.people.program, kind=FormKind.ROTATION, period=last_year
    )
    assert now.responses == 3 and before.responses == 0
    # The page offers the program's academic years, not dates to type.
    client = Client()
    client.force_login(cap.people.coordinator)
    html = client.get(BASE).content.decode()
    assert 'name="period"' in html and 'type="date"' not in html
    assert cap.sched.year.name in html


# -- the pages and who may read them


def test_who_may_read_the_program_evaluation_pages(cap: Capture) -> None:
    people = learners(cap, 3)
    for person in people:
        evaluate_rotation(cap, person, "4")
        evaluate_teacher(cap, person, cap.people.faculty, "4")
    wards = f"{BASE}rotations/{cap.sched.wards.pk}/"
    teacher = f"{BASE}teachers/{cap.people.faculty.pk}/"
    xlsx = "/programs/im-residency/records/program-evaluation.xlsx"
    pdf = "/programs/im-residency/records/program-evaluation.pdf"
    expected = {
        "director": (200, 200, 200, 200, 200),
        "coordinator": (200, 200, 403, 200, 200),
        "faculty": (403, 403, 200, 403, 403),  # their own teaching only
        "committee": (403, 403, 403, 403, 403),
        "learner": (403, 403, 403, 403, 403),
        "outsider": (404, 404, 404, 404, 404),
    }
    client = Client()
    for name, statuses in expected.items():
        client.force_login(getattr(cap.people, name))
        got = tuple(client.get(u).status_code for u in (BASE, wards, teacher, xlsx, pdf))
        assert got == statuses, name
    client.force_login(cap.people.director)
    other = User.objects.create(email="nobody@riverside.test")
    assert client.get(f"{BASE}teachers/{other.pk}/").status_code == 404
    assert client.get(f"{BASE}rotations/999999/").status_code == 404


def test_the_director_and_the_teacher_see_the_summary_and_the_coordinator_only_counts(
    cap: Capture,
) -> None:
    people = learners(cap, 5)
    for person in people:
        evaluate_teacher(cap, person, cap.people.faculty, "4")
    client = Client()
    client.force_login(cap.people.coordinator)
    html = client.get(BASE).content.decode()
    assert "Farah Mendes" in html and "for the director" in html
    assert f"teachers/{cap.people.faculty.pk}/" not in html
    client.force_login(cap.people.director)
    html = client.get(BASE).content.decode()
    assert f"teachers/{cap.people.faculty.pk}/" in html
    client.force_login(cap.people.faculty)
    mine = client.get("/assess/teaching/").content.decode()
    assert f"{BASE}teachers/{cap.people.faculty.pk}/" in mine
    page = client.get(f"{BASE}teachers/{cap.people.faculty.pk}/").content.decode()
    assert "Your teaching" in page and "Teaching note from Res3" in page
    assert "Ident" not in page  # no learner's name


def test_the_annual_program_evaluation_export(cap: Capture, tmp_path: Path) -> None:
    people = learners(cap, 5)
    for person in people:
        evaluate_rotation(cap, person, "4", f"Rotation comment {person.first_name}")
    client = Client()
    client.force_login(cap.people.coordinator)
    r = client.get("/programs/im-residency/records/program-evaluation.xlsx")
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == [
        "Rotations",
        "Rotation comments",
        "Completion",
        "Curriculum gaps",
        "About",
    ]
    rows = list(book["Rotations"].values)
    assert rows[1][:4] == ("General Medicine Wards", 0, 0, 5)
    assert any(row[-1] == 4.0 for row in rows if row[0] == "All rotations shown (mean)")
    comments = [row[2] for row in book["Rotation comments"].values][1:]
    assert comments == [f"Rotation comment Res{i}" for i in range(5)]
    assert book["Curriculum gaps"].max_row > 1  # the adopted frameworks' gaps
    pdf = client.get("/programs/im-residency/records/program-evaluation.pdf")
    assert pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    out = StringIO()
    target = tmp_path / "ape.xlsx"
    call_command("reports", "ape", "--program", "im-residency", "-o", str(target), stdout=out)
    assert load_workbook(target).sheetnames[0] == "Rotations"
    with pytest.raises(Exception, match="No academic year '1999-2000'"):
        call_command(
            "reports", "ape", "--program", "im-residency", "--year", "1999-2000", "-o", str(target)
        )
