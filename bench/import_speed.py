"""The real assessment export imported through `trellis assessments import`.

Run by hand (it makes a fresh SQLite database in a temporary folder, or uses
DATABASE_URL if you give one it may fill):

    .venv/bin/python bench/import_speed.py [--profile]

Imports ../shared/real-data/cbme/cbd-dashboard/em-epa-assessments-subset.json (2,161
records, an emergency-medicine CBME dashboard) into the test personas' program with the
shipped mapping, then imports it again (a no-op), and prints the time of each.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
os.environ.setdefault("DEBUG", "1")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/import-bench.sqlite3"

EXPORT = Path(os.environ.get("TRELLIS_SHARED", REPO.parent / "shared")) / "real-data"
EXPORT = EXPORT / "cbme" / "cbd-dashboard" / "em-epa-assessments-subset.json"
MAPPING = REPO / "examples" / "mappings" / "cbd-dashboard.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print the top 25 by cumtime")
    args = parser.parse_args()
    if not EXPORT.is_file():
        sys.exit(f"{EXPORT} is missing: this bench needs the shared real data")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from trellis.assessments.models import Assessment
    from trellis.testing import make_people

    make_people()

    def run() -> tuple[float, str]:
        out = StringIO()
        start = time.perf_counter()
        call_command(
            "assessments", "import", str(EXPORT), "--program", "im-residency",
            "--mapping", str(MAPPING), stdout=out,
        )  # fmt: skip
        return time.perf_counter() - start, out.getvalue().splitlines()[0]

    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    first, said = run()
    if profiler:
        profiler.disable()
    again, said_again = run()
    print(f"first import:  {first:6.2f} s  ({said}; {Assessment.objects.count()} in the database)")
    print(f"second import: {again:6.2f} s  ({said_again})")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
