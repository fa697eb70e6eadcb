from __future__ import annotations

import sys
from typing import Any

from django.apps import AppConfig, apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate

# The catalogue writes through these apps' models, so all their migrations must be applied.
CATALOGUE_APPS = ("people", "audit", "frameworks")


def _schema_ready(using: str) -> bool:
    """True when every table the catalogue writes exists and no migration of its apps is
    pending, so a partial or backwards `migrate` never trips over a missing column."""
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    needed = {
        model._meta.db_table
        for label in CATALOGUE_APPS
        for model in apps.get_app_config(label).get_models()
    }
    if not needed <= tables:
        return False
    executor = MigrationExecutor(connection)
    targets = [node for node in executor.loader.graph.leaf_nodes() if node[0] in CATALOGUE_APPS]
    return not executor.migration_plan(targets)


def install_catalogue(sender: AppConfig, *, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """After `migrate` (and `flush`, which sends the same signal) make sure the shipped
    scales and frameworks are there: a fresh database, the test database and a flushed one
    all start with the catalogue."""
    if using != DEFAULT_DB_ALIAS or not _schema_ready(using):
        return
    from trellis.frameworks.catalogue import catalogue_install

    created = catalogue_install()
    if created and kwargs.get("verbosity", 1) >= 1:
        stdout = kwargs.get("stdout") or sys.stdout
        stdout.write(f"  Installed the catalogue: {', '.join(f.slug for f in created)}\n")


class FrameworksConfig(AppConfig):
    name = "trellis.frameworks"
    label = "frameworks"
    verbose_name = "Competency frameworks"

    def ready(self) -> None:
        post_migrate.connect(install_catalogue, sender=self, dispatch_uid="frameworks.catalogue")
