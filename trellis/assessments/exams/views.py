"""Program pages about exam scores: the list of exams and the CSV upload."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from trellis.assessments.access_program import get_assess_for
from trellis.assessments.exams.services import ExamImportResult, exam_scores_import
from trellis.assessments.instruments.forms import ExamUploadForm
from trellis.assessments.models import Exam


@login_required
@require_GET
def exams(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_manage()
    listed = (
        Exam.objects.filter(program=access.program)
        .annotate(scores_count=Count("scores", distinct=True), mean=Avg("scores__score"))
        .prefetch_related("items")
        .order_by("-taken_on", "name")
    )
    return render(
        request, "assessments/exams/list.html", {"program": access.program, "exams": listed}
    )


@login_required
@require_http_methods(["GET", "POST"])
def exam_import(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_manage()
    form = ExamUploadForm(request.POST or None, request.FILES or None)
    result: ExamImportResult | None = None
    if request.method == "POST" and form.is_valid():
        result = exam_scores_import(
            program=access.program,
            data=form.cleaned_data["file"].read(),
            acting_user=access.user,
            dry_run=form.cleaned_data["dry_run"],
            filename=form.cleaned_data["file"].name,
        )
    return render(
        request,
        "assessments/exams/import.html",
        {"program": access.program, "form": form, "result": result},
    )
