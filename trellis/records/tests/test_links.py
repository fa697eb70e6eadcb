"""Every link the learner record prints opens for every role that may open the record.

A page that shows a link to a 404 is a bug: the record lists assessments, items, charts,
plans and logs, and each of those doors has its own access check. They must agree with
the record's (one visibility policy, `trellis.people.visibility`).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trellis.records.tests.factories import Record, make_record, rate
from trellis.scheduling.tests.factories import make_schedule
from trellis.testing import People

pytestmark = pytest.mark.django_db

LINK = re.compile(r'(?:href|src)="(/[^"#]*)"')
# Links every page prints (the header and footer), not the record's own.
CHROME = ("/accounts/", "/static/")


def assessment_links(links: set[str]) -> list[str]:
    detail = re.compile(re.escape(reverse("assessments:detail", args=[999])).replace("999", r"\d+"))
    return [u for u in links if detail.fullmatch(u)]


def record_links(html: str) -> set[str]:
    return {
        url.replace("&amp;", "&")
        for url in LINK.findall(html)
        if not url.startswith(CHROME) and url != "/"
    }


@pytest.fixture
def rec(people: People) -> Record:
    make_schedule(people)  # the learner is on Wards under faculty@
    rec = make_record(people)
    # One assessment by someone other than the supervising faculty member, so that the
    # faculty member's links are not just to what they wrote themself.
    rate(
        rec,
        subject=people.learner,
        day=dt.date.today() - dt.timedelta(days=3),
        levels={rec.pc1: Decimal("2.5"), rec.epa1: Decimal(3)},
        assessor=people.director,
        comment="Clear plan; next time state the differential before the labs.",
    )
    return rec


@pytest.mark.parametrize(
    "role", ["learner", "faculty", "coordinator", "director", "committee", "admin"]
)
def test_it_opens_every_link_the_record_prints(client: Client, rec: Record, role: str) -> None:
    people = rec.people
    client.force_login(getattr(people, role))
    page = client.get(reverse("records:learner", args=[people.program.slug, people.learner.pk]))
    assert page.status_code == 200
    links = record_links(page.content.decode())
    assert assessment_links(links), "the record links to the assessments behind its figures"
    broken = {}
    for url in sorted(links):
        status = client.get(url).status_code
        if status != 200:
            broken[url] = status
    assert not broken, f"{role} sees links that do not open: {broken}"


def test_it_opens_the_item_page_links_for_supervising_faculty(client: Client, rec: Record) -> None:
    people = rec.people
    client.force_login(people.faculty)
    url = reverse("records:item", args=[people.program.slug, people.learner.pk, rec.pc1.pk])
    page = client.get(url)
    assert page.status_code == 200
    links = assessment_links(record_links(page.content.decode()))
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link


def _chart_sources(html: str) -> list[str]:
    return [s.replace("&amp;", "&") for s in re.findall(r'src="([^"]*\.png\?r=[^"]+)"', html)]


def _rating_reads(queries: list[dict[str, str]]) -> int:
    return sum('"assessments_rating"' in q["sql"] for q in queries)


def test_it_draws_the_page_charts_from_the_record_the_page_computed(
    client: Client, rec: Record
) -> None:
    people = rec.people
    client.force_login(people.director)
    page = client.get(reverse("records:learner", args=[people.program.slug, people.learner.pk]))
    sources = _chart_sources(page.content.decode())
    assert len(sources) == 2  # trajectories and heat map
    with CaptureQueriesContext(connection) as ctx:
        for src in sources:
            response = client.get(src)
            assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert _rating_reads(ctx.captured_queries) == 0, "the charts re-read the evidence"


def test_it_recomputes_a_chart_whose_token_is_another_learners(client: Client, rec: Record) -> None:
    people = rec.people
    client.force_login(people.director)
    page = client.get(reverse("records:learner", args=[people.program.slug, people.learner.pk]))
    token = _chart_sources(page.content.decode())[0].split("?r=")[1]
    other = reverse("records:trajectories-png", args=[people.program.slug, people.learner2.pk])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"{other}?r={token}").status_code == 200
    assert _rating_reads(ctx.captured_queries) > 0
