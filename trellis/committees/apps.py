from __future__ import annotations

from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "trellis.committees"
    label = "committees"
    verbose_name = "Clinical Competency Committees"
