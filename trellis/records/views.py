"""Record pages: the program view, a learner's record, one item's evidence, and charts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trellis.assessments.evidence import ENTRUSTMENT_MIN_TIMES
from trellis.committees.analytics import learner_insight
from trellis.frameworks.models import Item
from trellis.people.access import viewer
from trellis.plans.coaching import coach_of, notes_shared
from trellis.records import charts
from trellis.records.access import get_learner_for, get_records_for
from trellis.records.exams import item_exam_cohorts
from trellis.records.program import program_overview
from trellis.records.record import (
    HEATMAP_MAX_PERIODS,
    learner_record,
    record_keep,
    record_recall,
)


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() else None


def _token(request: HttpRequest) -> str:
    """The page's record token a chart URL carries (see `record_keep`)."""
    return request.GET.get("r", "")[:64]


def _png(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response


@login_required
@require_GET
def program(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    access.require_program_view()
    overview = program_overview(program=access.program, training_year=_year(request))
    return render(
        request,
        "records/program.html",
        {"program": access.program, "overview": overview, "access": access},
    )


@login_required
@require_GET
def learner(request: HttpRequest, slug: str, learner_id: int) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    person = get_learner_for(access, learner_id)
    full = access.sees_decisions(person)
    # The page shows no comments (one item's page does).
    record = learner_record(
        program=access.program,
        learner=person,
        full=full,
        with_comments=False,
        private_plans=access.sees_private_plans(person),
    )
    return render(
        request,
        "records/learner.html",
        {
            "program": access.program,
            "record": record,
            "insight": learner_insight(program=access.program, learner_id=person.pk),
            "record_token": record_keep(record),
            "ev": record.evidence,
            "sees_all": access.sees_all,
            "full": full,
            "entrust_times": ENTRUSTMENT_MIN_TIMES,
            "trajectories_alt": charts.trajectories_alt(record.evidence),
            "heatmap_alt": charts.heatmap_alt(record.evidence, record.periods),
            "heatmap_max_periods": HEATMAP_MAX_PERIODS,
            "coaching": coach_of(program=access.program, learner=person) if full else None,
            "shared_notes": list(notes_shared(program=access.program, learner=person))
            if full
            else [],
        },
    )


@login_required
@require_GET
def item(request: HttpRequest, slug: str, learner_id: int, item_id: int) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    person = get_learner_for(access, learner_id)
    record = learner_record(
        program=access.program, learner=person, full=access.sees_decisions(person)
    )
    ev = record.evidence.for_item(item_id)
    if ev is None:
        raise Http404("No such item in this program's record")
    exams = (
        item_exam_cohorts(
            program=access.program, item_id=item_id, learner=person, cohort=access.sees_all
        )
        if access.sees_decisions(person)
        else []
    )
    return render(
        request,
        "records/item.html",
        {
            "program": access.program,
            "learner": person,
            "ev": ev,
            "record_token": record_keep(record),
            "alt": charts.trajectory_alt(ev),
            "points": list(reversed(ev.points)),
            "exams": [(x, charts.exam_cohort_alt(x, item_code=ev.item.code)) for x in exams],
            "cohort": access.sees_all,
        },
    )


@login_required
@require_GET
def item_exam_png(
    request: HttpRequest, slug: str, learner_id: int, item_id: int, exam_id: int
) -> HttpResponse:
    """The cohort's scores on one exam against their committee level on the item: for
    those who see every learner's record."""
    access = get_records_for(viewer(request), slug)
    person = get_learner_for(access, learner_id)
    if not access.sees_all:
        raise Http404("No such chart")
    cohorts = item_exam_cohorts(
        program=access.program, item_id=item_id, learner=person, cohort=True
    )
    cohort = next((x for x in cohorts if x.exam_id == exam_id), None)
    item = Item.objects.filter(pk=item_id).only("code").first()
    if cohort is None or item is None:
        raise Http404("No such exam on this item")
    return _png(charts.exam_cohort_png(cohort, item_code=item.code, phone=_for_phone(request)))


@login_required
@require_GET
def item_png(request: HttpRequest, slug: str, learner_id: int, item_id: int) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    person = get_learner_for(access, learner_id)
    record = record_recall(token=_token(request), program=access.program, learner=person)
    ev = record.evidence.for_item(item_id)
    if ev is None:
        raise Http404("No such item in this program's record")
    return _png(charts.trajectory_png(ev))


def _for_phone(request: HttpRequest) -> bool:
    """?for=phone: the page's <picture> asks for it below phone width."""
    return request.GET.get("for") == "phone"


@login_required
@require_GET
def trajectories_png(request: HttpRequest, slug: str, learner_id: int) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    person = get_learner_for(access, learner_id)
    record = record_recall(token=_token(request), program=access.program, learner=person)
    return _png(charts.trajectories_png(record.evidence, phone=_for_phone(request)))


@login_required
@require_GET
def heatmap_png(request: HttpRequest, slug: str, learner_id: int) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    person = get_learner_for(access, learner_id)
    record = record_recall(token=_token(request), program=access.program, learner=person)
    return _png(charts.heatmap_png(record.evidence, record.periods, phone=_for_phone(request)))
