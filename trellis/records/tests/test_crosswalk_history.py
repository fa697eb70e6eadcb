"""A program moves from one framework version to the next through a crosswalk, end to end:
its ratings, committee levels, curriculum map and plans stay on the items they were made
on (same rows, same ids, same items) and are shown against the new version's items, each
naming where it came from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from trellis.assessments.evidence import learner_evidence
from trellis.assessments.models import Assessment, AssessmentStatus, Rating
from trellis.committees.models import CommitteeLevel, CycleStatus, Review, ReviewCycle
from trellis.committees.selectors import previous_levels
from trellis.committees.services import cycle_create
from trellis.curriculum.models import Activity, ActivityKind, Emphasis, Mapping
from trellis.curriculum.selectors import curriculum_gaps
from trellis.frameworks import crosswalk as xw
from trellis.frameworks.models import Adoption
from trellis.frameworks.services import framework_adopt
from trellis.frameworks.tests.web_factories import (
    NextVersion,
    SmallFramework,
    make_framework,
    make_next_version,
)
from trellis.plans.models import Plan
from trellis.plans.selectors import plans_now
from trellis.records.tests.factories import version_of
from trellis.testing import People

L = Decimal
FROM_PC2 = "PC2, Test Internal Medicine Milestones 2.0"


class Moved:
    def __init__(self, people: People) -> None:
        self.people = people
        self.v1: SmallFramework = make_framework()
        self.v2: NextVersion = make_next_version(institution=people.institution)
        self.old_adoption = framework_adopt(
            program=people.program, framework=self.v1.framework, acting_user=None
        )
        today = dt.date.today()
        self.assessments = [
            self.rate(today - dt.timedelta(days=90), {self.v1.pc1: L("2"), self.v1.pc2: L("2")}),
            self.rate(today - dt.timedelta(days=30), {self.v1.pc2: L("3"), self.v1.epa: L("3")}),
        ]
        cycle = ReviewCycle.objects.create(
            program=people.program,
            name="2025 Autumn",
            period_start=today - dt.timedelta(days=180),
            period_end=today - dt.timedelta(days=20),
            meeting_date=today - dt.timedelta(days=15),
            status=CycleStatus.SIGNED_OFF,
        )
        review = Review.objects.create(cycle=cycle, learner=people.learner, training_year=1)
        self.level = CommitteeLevel.objects.create(
            review=review, item=self.v1.pc2, level=L("2.5"), recorded_by=people.committee
        )
        activity = Activity.objects.create(
            program=people.program,
            kind=ActivityKind.CLINICAL_EXPERIENCE,
            code="WARDS",
            title="Wards",
        )
        self.mapping = Mapping.objects.create(
            activity=activity, item=self.v1.pc2, emphasis=Emphasis.ASSESSED
        )
        self.plan = Plan.objects.create(
            owner=people.learner,
            program=people.program,
            item=self.v1.pc2,
            current_level=L("2"),
            target_level=L("3"),
            actions="Examine with a senior twice a week.",
            created_by=people.director,
        )
        self.before = self.snapshot()
        crosswalk = xw.crosswalk_propose(
            source=self.v1.framework,
            target=self.v2.framework,
            institution=people.institution,
            acting_user=people.coordinator,
        )
        for target in (self.v2.pc2a, self.v2.pc2b):
            xw.crosswalk_link_add(
                crosswalk=crosswalk, source_item=self.v1.pc2, target_item=target, acting_user=None
            )
        xw.crosswalk_mark_reviewed(crosswalk=crosswalk, acting_user=people.coordinator)
        xw.crosswalk_apply(program=people.program, crosswalk=crosswalk, acting_user=people.director)

    def rate(self, day: dt.date, levels: dict) -> Assessment:  # type: ignore[type-arg]
        a = Assessment.objects.create(
            program=self.people.program,
            form_version=version_of("end-of-rotation"),
            subject=self.people.learner,
            assessor=self.people.faculty,
            assessor_role="faculty",
            observed_on=day,
            status=AssessmentStatus.SUBMITTED,
        )
        for item, level in levels.items():
            Rating.objects.create(assessment=a, item=item, level=level)
        return a

    def snapshot(self) -> dict[str, list[tuple[int, int]]]:
        """Every history row about the program with the item it points at."""
        program = self.people.program
        return {
            "ratings": sorted(
                Rating.objects.filter(assessment__program=program).values_list("pk", "item_id")
            ),
            "levels": sorted(CommitteeLevel.objects.values_list("pk", "item_id")),
            "mappings": sorted(
                Mapping.objects.filter(activity__program=program).values_list("pk", "item_id")
            ),
            "plans": sorted(Plan.objects.filter(program=program).values_list("pk", "item_id")),
        }


@pytest.fixture
def moved(people: People) -> Moved:
    return Moved(people)


def test_nothing_is_rewritten_and_the_old_adoption_is_kept(moved: Moved) -> None:
    assert moved.snapshot() == moved.before
    moved.old_adoption.refresh_from_db()
    assert moved.old_adoption.replaced_at is not None
    assert moved.old_adoption.replaced_by is not None
    assert moved.old_adoption.replaced_by.framework == moved.v2.framework
    assert Adoption.objects.filter(pk=moved.old_adoption.pk).exists()


def test_the_learners_ratings_show_under_the_new_items_with_their_origin(moved: Moved) -> None:
    ev = learner_evidence(program=moved.people.program, learner=moved.people.learner)
    shown = {e.item.code for e in ev.items}
    assert shown == {"PC1", "PC2A", "PC2B", "PROF3", "PROF4"}  # v2's, the retired EPA gone
    for item in (moved.v2.pc2a, moved.v2.pc2b):  # a split: each part carries the history
        e = ev.for_item(item.pk)
        assert e is not None
        assert [p.level for p in e.points] == [L("2"), L("3")]
        assert {p.carried_from for p in e.points} == {FROM_PC2}
        assert e.latest_level == L("3")
    pc1 = ev.for_item(moved.v2.pc1.pk)
    assert pc1 is not None and [p.level for p in pc1.points] == [L("2")]
    # The retired EPA's rating is not lost: it is shown apart, on its own item.
    assert [(e.item, e.latest_level) for e in ev.retired] == [(moved.v1.epa, L("3"))]


def test_the_record_pages_show_the_carried_history(client: Client, moved: Moved) -> None:
    people = moved.people
    client.force_login(people.director)
    args = [people.program.slug, people.learner.pk]
    record = client.get(reverse("records:learner", args=args))
    assert record.status_code == 200
    html = record.content.decode()
    assert "PC2A" in html and "Physical examination technique" in html
    assert "Examine with a senior" in html and "now PC2A, PC2B" in html  # the plan
    assert "From earlier versions, retired" in html and "Admit a patient" in html
    item = client.get(reverse("records:item", args=[*args, moved.v2.pc2a.pk])).content.decode()
    assert f"carried from {FROM_PC2}" in item
    assert f"Assessment {moved.assessments[0].pk}" in item


def test_committee_levels_show_against_the_new_items(client: Client, moved: Moved) -> None:
    people = moved.people
    cycle = cycle_create(
        program=people.program,
        name="2026 Spring",
        period_start=dt.date.today() - dt.timedelta(days=19),
        period_end=dt.date.today() + dt.timedelta(days=150),
        meeting_date=dt.date.today() + dt.timedelta(days=160),
        acting_user=people.coordinator,
    )
    review = cycle.reviews.get(learner=people.learner)
    previous = previous_levels(review=review)
    assert previous[moved.v2.pc2a.pk].level == L("2.5")
    assert previous[moved.v2.pc2a.pk].carried_from == FROM_PC2
    assert previous[moved.v1.pc2.pk].carried_from == ""  # the row itself, on its own item
    client.force_login(people.director)
    url = reverse("committees:meeting", args=[people.program.slug, cycle.pk, review.pk])
    html = client.get(url).content.decode()
    assert "PC2A" in html and f"on {FROM_PC2}" in html


def test_the_curriculum_map_counts_the_old_mapping_for_the_new_items(moved: Moved) -> None:
    report = curriculum_gaps(program=moved.people.program, framework=moved.v2.framework)
    coverage = {c.item.code: c for c in report.coverage}
    for code in ("PC2A", "PC2B"):
        assert [a.code for a in coverage[code].assessed] == ["WARDS"]
        assert coverage[code].carried_from == (FROM_PC2,)
    assert not coverage["PROF4"].mapped  # new: nothing maps it yet


def test_the_plan_keeps_its_item_and_names_the_new_ones(moved: Moved) -> None:
    now = plans_now(program=moved.people.program, plans=[moved.plan])
    assert [i.code for i in now[moved.plan.pk]] == ["PC2A", "PC2B"]
    moved.plan.refresh_from_db()
    assert moved.plan.item_id == moved.v1.pc2.pk


def test_the_learners_self_assessment_carries_across_to_the_new_items(moved: Moved) -> None:
    from trellis.assessments.evidence import learner_self_levels

    people = moved.people
    said = Assessment.objects.create(
        program=people.program,
        form_version=version_of("self-assessment"),
        subject=people.learner,
        assessor=people.learner,
        assessor_role="self",
        observed_on=dt.date.today() - dt.timedelta(days=40),
        status=AssessmentStatus.SUBMITTED,
    )
    Rating.objects.create(assessment=said, item=moved.v1.pc2, level=L("3.5"))
    levels = learner_self_levels(program=people.program, learner=people.learner)
    for new in (moved.v2.pc2a, moved.v2.pc2b):
        assert (levels[new.pk].level, levels[new.pk].carried_from) == (L("3.5"), FROM_PC2)
    assert levels[moved.v1.pc2.pk].carried_from == ""  # the row itself is as it was made
    # On the learner's record, the Self column reads it under the new items, naming whence.
    client = Client()
    client.force_login(people.learner)
    page = client.get(
        reverse("records:learner", args=[people.program.slug, people.learner.pk])
    ).content.decode()
    assert f"on {FROM_PC2}" in page
