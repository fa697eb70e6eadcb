from __future__ import annotations

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "trellis.records"
    label = "records"
    verbose_name = "Records"
