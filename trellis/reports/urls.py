"""Downloads, under a program's records address (`programs/<slug>/records/`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from trellis.reports import views

app_name = "reports"

urlpatterns: list[URLPattern] = [
    path("program.xlsx", views.program_xlsx, name="program-xlsx"),
    path("program.pdf", views.program_pdf, name="program-pdf"),
    path("evidence/", views.evidence, name="evidence"),
    path("evidence/package.xlsx", views.evidence_xlsx, name="evidence-xlsx"),
    path("evidence/package.pdf", views.evidence_pdf, name="evidence-pdf"),
    path(
        "program-evaluation.xlsx",
        views.program_evaluation_xlsx,
        name="program-evaluation-xlsx",
    ),
    path("program-evaluation.pdf", views.program_evaluation_pdf, name="program-evaluation-pdf"),
    path("learners/<int:learner_id>/report.pdf", views.learner_pdf, name="learner-pdf"),
]
