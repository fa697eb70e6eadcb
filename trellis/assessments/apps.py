from __future__ import annotations

import sys
from typing import Any

from django.apps import AppConfig, apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate

# The built-in forms point at the catalogue's scales and items, and are audited.
BUILTIN_APPS = ("people", "audit", "frameworks", "assessments")


def _schema_ready(using: str) -> bool:
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    needed = {
        model._meta.db_table
        for label in BUILTIN_APPS
        for model in apps.get_app_config(label).get_models()
    }
    if not needed <= tables:
        return False
    executor = MigrationExecutor(connection)
    targets = [node for node in executor.loader.graph.leaf_nodes() if node[0] in BUILTIN_APPS]
    return not executor.migration_plan(targets)


def install_builtin_forms(
    sender: AppConfig, *, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> None:
    """After `migrate` and `flush` (post_migrate runs the frameworks' catalogue first, as
    that app comes first in INSTALLED_APPS) make sure the built-in forms are there."""
    if using != DEFAULT_DB_ALIAS or not _schema_ready(using):
        return
    from trellis.assessments.instruments.builtin import forms_install_builtin

    created = forms_install_builtin()
    if created and kwargs.get("verbosity", 1) >= 1:
        stdout = kwargs.get("stdout") or sys.stdout
        stdout.write(f"  Installed the built-in forms: {', '.join(f.slug for f in created)}\n")


class AssessmentsConfig(AppConfig):
    name = "trellis.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        post_migrate.connect(
            install_builtin_forms, sender=self, dispatch_uid="assessments.builtin_forms"
        )
