"""A `trellis` command starts about as fast as Django itself: loading every command and
running one imports neither the URL configuration (the system checks would) nor the heavy
libraries behind the pages. Timed by hand in bench/command_start.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
HEAVY = ["matplotlib", "weasyprint", "pandas", "duckdb", "pyspark", "statsmodels", "sklearn",
         "scipy", "pyarrow", "openpyxl", "drf_spectacular"]  # fmt: skip

PROBE = """
import json, sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, skip_checks=True)  # an empty database to list from
bare = set(sys.modules)  # what Django itself loads (the installed apps) is the baseline
from django.core.management import get_commands, load_command_class
for name, app in get_commands().items():
    if app.startswith("trellis."):
        load_command_class(app, name)
call_command("programs", "list")
new = set(sys.modules) - bare
print(json.dumps(sorted(m for m in new if m.split(".")[0] in HEAVY or m == "trellis.urls")))
"""


def test_loading_every_command_and_running_one_imports_nothing_heavy(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "trellis.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/start.sqlite3",
        "PYTHONPATH": str(REPO),
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{PROBE}"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == []
