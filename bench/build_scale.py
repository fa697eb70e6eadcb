"""Build benchmark: a national-size residency, ~120 learners a year over 4 years, with about
300,000 ratings, through the demo generator's bulk path.

    DATABASE_URL=postgres://trellis:trellis@localhost:5432/trellis_bench \
        .venv/bin/python bench/build_scale.py --reset

Flushes the database first (hence --reset). Prints how long each step took, the row
counts, and the time of a few reads a learner record and a program view make over the
ratings table.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(50))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset", action="store_true", help="flush the database first (required)")
    parser.add_argument("--allow-sqlite", action="store_true")
    parser.add_argument("--learners", type=int, default=120, help="residents per training year")
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--faculty", type=int, default=150)
    parser.add_argument("--months", type=int, default=48)
    parser.add_argument("--rate", type=float, default=5.2, help="observations a learner-week")
    args = parser.parse_args()

    import datetime as dt
    import random

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Avg, Count
    from django.utils import timezone

    from trellis.assessments.models import Assessment, Comment, Rating
    from trellis.demo.assessments import generate_assessments
    from trellis.demo.generator import DemoSize, generate_demo

    if connection.vendor != "postgresql" and not args.allow_sqlite:
        sys.exit("Set DATABASE_URL to a PostgreSQL database (or pass --allow-sqlite).")
    if not args.reset:
        sys.exit("This flushes the database first: pass --reset to confirm.")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)

    size = DemoSize(learners_per_year=args.learners, years=args.years, faculty=args.faculty)
    start = time.perf_counter()
    demo = generate_demo(size=size, today=timezone.localdate(), with_assessments=False)
    print(f"demo institution and schedule: {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    made = generate_assessments(
        demo=demo,
        rng=random.Random(1),
        months=args.months,
        rate=args.rate,
        bulk=True,
        extras=False,
    )
    took = time.perf_counter() - start
    print(
        f"assessments (bulk): {took:.1f} s: {made.observations + made.end_of_rotation} "
        f"assessments, {made.ratings} ratings ({made.ratings / took:,.0f} ratings/s)"
    )
    print(
        f"rows: {Assessment.objects.count()} assessments, {Rating.objects.count()} ratings, "
        f"{Comment.objects.count()} comments"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"database size: {cursor.fetchone()[0]}")
        cursor.execute("ANALYZE")

    learner = demo.people.residents[max(demo.people.residents)][0]
    program = demo.programs.residency
    reads = {
        "one learner's ratings by item": lambda: list(
            Rating.objects.filter(assessment__subject=learner, level__isnull=False)
            .values("item_id")
            .annotate(n=Count("id"), mean=Avg("level"))
        ),
        "program mean level by item": lambda: list(
            Rating.objects.filter(assessment__program=program, level__isnull=False)
            .values("item_id")
            .annotate(n=Count("id"), mean=Avg("level"))
        ),
        "program assessments last 30 days": lambda: Assessment.objects.filter(
            program=program,
            status="submitted",
            observed_on__gte=timezone.localdate() - dt.timedelta(days=30),
        ).count(),
    }
    for name, read in reads.items():
        times = []
        for _ in range(5):
            t = time.perf_counter()
            read()
            times.append((time.perf_counter() - t) * 1000)
        print(f"{name:<36} best {min(times):7.1f} ms  worst {max(times):7.1f} ms")


if __name__ == "__main__":
    main()
