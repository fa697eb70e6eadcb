"""Exam scores: the CSV importer (`services`) and the program pages (`views`)."""

from __future__ import annotations

from trellis.assessments.exams.services import ExamImportResult, exam_scores_import

__all__ = ["ExamImportResult", "exam_scores_import"]
