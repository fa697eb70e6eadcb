"""Every record URL, every kind of caller."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from trellis.records.record import HEATMAP_MAX_PERIODS, learner_record
from trellis.records.tests.factories import Record, make_record, rate
from trellis.scheduling.tests.factories import make_schedule
from trellis.testing import People

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec(people: People) -> Record:
    make_schedule(people)  # the learner is on Wards under faculty@
    return make_record(people)


def learner_urls(rec: Record, learner_id: int | None = None) -> list[str]:
    slug = rec.people.program.slug
    lid = learner_id or rec.people.learner.pk
    return [
        reverse("records:learner", args=[slug, lid]),
        reverse("records:item", args=[slug, lid, rec.pc1.pk]),
        reverse("records:item-png", args=[slug, lid, rec.pc1.pk]),
        reverse("records:trajectories-png", args=[slug, lid]),
        reverse("records:heatmap-png", args=[slug, lid]),
        reverse("reports:learner-pdf", args=[slug, lid]),
    ]


def program_urls(rec: Record) -> list[str]:
    slug = rec.people.program.slug
    return [
        reverse("records:program", args=[slug]),
        reverse("reports:program-xlsx", args=[slug]),
        reverse("reports:program-pdf", args=[slug]),
    ]


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, rec: Record) -> None:
    for url in learner_urls(rec) + program_urls(rec):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_it_hides_the_program_from_outsiders(client: Client, rec: Record) -> None:
    client.force_login(rec.people.outsider)
    for url in learner_urls(rec) + program_urls(rec):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["director", "coordinator", "committee", "admin", "learner"])
def test_it_shows_the_learner_their_record_and_staff_every_record(
    client: Client, rec: Record, who: str
) -> None:
    client.force_login(getattr(rec.people, who))
    for url in learner_urls(rec):
        assert client.get(url).status_code == 200, url


def test_it_shows_faculty_only_the_learners_they_supervise(client: Client, rec: Record) -> None:
    client.force_login(rec.people.faculty)
    assert client.get(learner_urls(rec)[0]).status_code == 200
    for url in learner_urls(rec, rec.people.learner2.pk):
        assert client.get(url).status_code == 403, url


def test_it_refuses_a_learner_anothers_record(client: Client, rec: Record) -> None:
    client.force_login(rec.people.learner2)
    for url in learner_urls(rec):
        assert client.get(url).status_code == 403, url


def test_it_404s_someone_who_was_never_a_learner(client: Client, rec: Record) -> None:
    client.force_login(rec.people.director)
    url = reverse("records:learner", args=[rec.people.program.slug, rec.people.faculty.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["director", "coordinator", "committee"])
def test_it_shows_program_staff_the_program_view(client: Client, rec: Record, who: str) -> None:
    client.force_login(getattr(rec.people, who))
    for url in program_urls(rec):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["faculty", "learner"])
def test_it_refuses_the_program_view_to_faculty_and_learners(
    client: Client, rec: Record, who: str
) -> None:
    client.force_login(getattr(rec.people, who))
    for url in program_urls(rec):
        assert client.get(url).status_code == 403, url


def test_it_allows_only_get(client: Client, rec: Record) -> None:
    client.force_login(rec.people.director)
    for url in learner_urls(rec) + program_urls(rec):
        assert client.post(url).status_code == 405, url


def test_the_record_shows_the_figures_and_links_to_the_assessments(
    client: Client, rec: Record
) -> None:
    client.force_login(rec.people.director)
    html = client.get(learner_urls(rec)[0]).content.decode()
    latest = rec.assessments[2]  # PC1 2.0 ten days ago
    assert reverse("assessments:detail", args=[latest.pk]) in html
    row = re.search(r"PC1</a>.*?</tr>", html, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', row.group(0), re.S)
    assert ">3</a>" in cells[0]  # three observations (not the draft or anonymous one)
    assert ">2</a>" in cells[1]  # latest 2
    assert cells[2] == "2"  # expected in year 1 of 3
    assert "Entrustment reached" in html
    assert 'alt="Trajectories of' in html


def test_the_item_page_lists_every_assessment_behind_it(client: Client, rec: Record) -> None:
    client.force_login(rec.people.learner)
    html = client.get(learner_urls(rec)[1]).content.decode()
    for a in rec.assessments[:3]:
        assert reverse("assessments:detail", args=[a.pk]) in html
    for a in rec.assessments[3:5]:  # the draft and the anonymous evaluation
        assert reverse("assessments:detail", args=[a.pk]) not in html
    assert "Presents clearly" in html


def test_charts_are_png(client: Client, rec: Record) -> None:
    client.force_login(rec.people.learner)
    for url in learner_urls(rec)[2:5]:
        response = client.get(url)
        assert response["Content-Type"] == "image/png"
        assert response.content.startswith(b"\x89PNG")


def test_the_program_view_shades_cells_against_the_expected_level(
    client: Client, rec: Record, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(rec.people.director)
    client.get(program_urls(rec)[0])  # the analytics behind the flags are computed once
    with django_assert_max_num_queries(16):
        response = client.get(program_urls(rec)[0])
    rows = {r.learner.pk: r for r in response.context["overview"].rows}
    lena, luis = rows[rec.people.learner.pk], rows[rec.people.learner2.pk]
    pc1 = next(c for c in lena.cells if c.item.pk == rec.pc1.pk)
    assert pc1.latest == 2 and not pc1.below
    luis_pc1 = next(c for c in luis.cells if c.item.pk == rec.pc1.pk)
    assert luis_pc1.latest == 2 and luis_pc1.below  # year 2 expects 2.5
    assert luis.recent_observations < 3 and luis.below_count == 1
    assert (lena.requested, lena.completed, lena.completion) == (1, 0, 0)
    # No history to calibrate against and too few observations: no flag fires.
    assert lena.flags == [] and luis.flags == []
    assert "cell-below" in response.content.decode()


def test_the_program_view_filters_by_training_year(client: Client, rec: Record) -> None:
    client.force_login(rec.people.director)
    response = client.get(program_urls(rec)[0], {"year": "2"})
    assert [r.learner for r in response.context["overview"].rows] == [rec.people.learner2]


def test_the_learner_pdf_is_a_pdf_with_the_name(client: Client, rec: Record) -> None:
    client.force_login(rec.people.learner)
    data = client.get(learner_urls(rec)[5]).content
    assert data.startswith(b"%PDF")
    assert "Lena Park" in pdf_text(data)


def test_the_workbook_lists_the_learners(client: Client, rec: Record) -> None:
    client.force_login(rec.people.coordinator)
    wb = load_workbook(io.BytesIO(client.get(program_urls(rec)[1]).content))
    names = [r[0] for r in wb["Learners"].iter_rows(min_row=2, values_only=True)]
    assert set(names) == {"Lena Park", "Luis Alvarez"}
    head = next(wb["Learners"].iter_rows(max_row=1, values_only=True))
    assert "PC1" in head


def pdf_text(data: bytes) -> str:
    """The text drawing operators of a PDF, decompressed (WeasyPrint writes hex glyphs with
    a ToUnicode map, so look for the title in the document info instead)."""
    chunks = [data.decode("latin-1")]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(m.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(chunks)


def test_the_record_page_makes_a_fixed_number_of_queries(
    client: Client, rec: Record, django_assert_max_num_queries, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(rec.people.director)
    url = learner_urls(rec)[0]
    # The first view also builds the fact table, unless this process kept the analyses of
    # data that looked the same (a rolled-back SQLite database reuses ids).
    with django_assert_max_num_queries(28):
        assert client.get(url).status_code == 200
    # Later ones read the analyses kept in the process. Four are the learner's own: their
    # self-assessed levels, their coach, the notes they shared, whether the viewer coaches
    # them (and so sees their private plans).
    with django_assert_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    # As many with more evidence, comments included, as the page reads none of them.
    for n in range(1, 6):
        rate(
            rec,
            subject=rec.people.learner,
            day=dt.date.today() - dt.timedelta(days=n),
            levels={rec.pc1: Decimal("2.5"), rec.pc2: Decimal("2.0")},
            comment=f"Observation {n}: summarise before the plan.",
        )
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx.captured_queries) == 20
    assert not any("assessments_comment" in q["sql"] for q in ctx.captured_queries)


def test_the_record_shows_the_learners_open_plans_but_not_developmental_ones(
    client: Client, rec: Record
) -> None:
    from decimal import Decimal

    from trellis.frameworks.models import Item
    from trellis.plans.services import plan_create

    people = rec.people
    pc1 = Item.objects.get(framework__slug="im-milestones-2", code="PC1")
    plan_create(
        owner=people.learner,
        program=people.program,
        item=pc1,
        current_level=Decimal("1.5"),
        target_level=Decimal("2.5"),
        actions="Present two new admissions a week with a focused history.",
        acting_user=people.director,
    )
    teaching = Item.objects.get(framework__slug="clinician-educator-milestones", code="ETP7")
    plan_create(
        owner=people.learner,
        program=people.program,
        item=teaching,
        current_level=Decimal("1"),
        target_level=Decimal("2"),
        actions="Private reflection on bedside teaching.",
        acting_user=people.learner,
    )
    client.force_login(people.director)
    html = client.get(learner_urls(rec)[0]).content.decode()
    assert "Present two new admissions a week" in html
    assert "Private reflection on bedside teaching" not in html


def test_the_heat_map_draws_at_most_40_quarters_and_says_so(client: Client, rec: Record) -> None:
    # An observation dated 0001-01-01 made ~8,100 columns and held a worker 90 s, and broke
    # the trajectories date axis (issue 16);
    # the services refuse such a date now, but the chart is bounded whatever is held.
    rate(rec, subject=rec.people.learner, day=dt.date(1, 1, 1), levels={rec.pc1: Decimal(1)})
    client.force_login(rec.people.director)
    started = time.monotonic()
    html = client.get(learner_urls(rec)[0]).content.decode()
    assert "The heat map shows the latest 40 quarters" in html
    for url in learner_urls(rec)[2:5]:
        assert client.get(url).status_code == 200
    assert time.monotonic() - started < 10
    record = learner_record(program=rec.people.program, learner=rec.people.learner)
    assert len(record.periods) == HEATMAP_MAX_PERIODS
    assert record.periods[-1].end >= max(a.observed_on for a in rec.assessments)


def test_a_recent_record_draws_every_quarter_and_says_nothing(client: Client, rec: Record) -> None:
    client.force_login(rec.people.director)
    html = client.get(learner_urls(rec)[0]).content.decode()
    assert "The heat map shows the latest" not in html


def test_the_charts_come_drawn_for_a_phone_when_asked(client, people) -> None:  # type: ignore[no-untyped-def]
    import io

    from PIL import Image

    from trellis.records.tests.factories import make_record

    make_record(people)
    client.force_login(people.director)
    page = client.get(f"/programs/{people.program.slug}/records/learners/{people.learner.pk}/")
    assert page.content.decode().count("for=phone") == 2
    for name in ("trajectories", "heatmap"):
        url = f"/programs/{people.program.slug}/records/learners/{people.learner.pk}/{name}.png"
        desk = Image.open(io.BytesIO(client.get(url).content))
        phone = Image.open(io.BytesIO(client.get(url + "?for=phone").content))
        # Drawn for about 360 px at twice the density: narrower in inches, taller in shape
        assert phone.size[0] / phone.info.get("dpi", (192, 192))[0] < desk.size[0] / 96
        assert phone.size[1] / phone.size[0] > desk.size[1] / desk.size[0]
