"""The learner milestone report for the semiannual meeting: a PDF printed from HTML with
the same charts the record page serves."""

from __future__ import annotations

import base64

from django.template.loader import render_to_string
from django.utils import timezone

from trellis.assessments.evidence import ENTRUSTMENT_MIN_TIMES
from trellis.people.models import Program, User
from trellis.records import charts
from trellis.records.record import LearnerRecord, learner_record

COMMENTS_SHOWN = 12


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def learner_report_html(record: LearnerRecord) -> str:
    ev = record.evidence
    comments = sorted(
        {c for e in ev.items for c in e.comments}, key=lambda c: (c[1], c[0]), reverse=True
    )[:COMMENTS_SHOWN]
    return render_to_string(
        "reports/learner_pdf.html",
        {
            "record": record,
            "ev": ev,
            "generated": timezone.now(),
            "entrust_times": ENTRUSTMENT_MIN_TIMES,
            "trajectories": data_uri(charts.trajectories_png(ev)),
            "trajectories_alt": charts.trajectories_alt(ev),
            "heatmap": data_uri(charts.heatmap_png(ev, record.periods)),
            "heatmap_alt": charts.heatmap_alt(ev, record.periods),
            "comments": comments,
        },
    )


def learner_report_pdf(*, program: Program, learner: User, full: bool = True) -> bytes:
    """The record as a PDF; not `full`: a supervisor's (see records.record.learner_record)."""
    from weasyprint import HTML  # imported late: slow to load, only PDFs need it

    html = learner_report_html(learner_record(program=program, learner=learner, full=full))
    return bytes(HTML(string=html).write_pdf())
