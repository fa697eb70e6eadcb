"""Read benchmark: the program view, one learner's record page and the learner PDF, timed
through Django's test Client on a database built by bench/build_scale.py.

    DATABASE_URL=postgres://trellis:trellis@localhost:5432/trellis_bench \
        .venv/bin/python bench/record_speed.py --runs 10

Reads only. Signs in (force_login) as the residency's program director; the learner is
the one with the most ratings. Prints p50 / p95 / max per page and the query count.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(50))
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # the test client speaks plain HTTP


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pdf-runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from trellis.assessments.models import Assessment, Rating
    from trellis.people.models import Membership, Program, Role

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    program = Program.objects.annotate(n=Count("assessments")).order_by("-n").first()
    if program is None:
        sys.exit("No program: build the database with bench/build_scale.py first.")
    director = Membership.objects.filter(program=program, role=Role.DIRECTOR).first()
    if director is None:
        sys.exit(f"{program.slug} has no director")
    top = (
        Assessment.objects.filter(program=program)
        .values("subject_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert top is not None
    learner_id = top["subject_id"]
    learners = Membership.objects.filter(program=program, role=Role.LEARNER).count()
    print(
        f"{connection.vendor}: {program.slug}, {learners} learner memberships, "
        f"{Rating.objects.count():,} ratings; learner {learner_id} has {top['n']} assessments"
    )
    client = Client()
    client.force_login(director.person)
    base = f"/programs/{program.slug}/records/"
    pages = [
        ("program view", base, args.runs),
        ("learner record", f"{base}learners/{learner_id}/", args.runs),
        ("trajectories PNG", f"{base}learners/{learner_id}/trajectories.png", args.runs),
        ("heat map PNG", f"{base}learners/{learner_id}/heatmap.png", args.runs),
        ("learner PDF", f"{base}learners/{learner_id}/report.pdf", args.pdf_runs),
    ]
    print(
        f"{'page':<18} {'first ms':>9} {'n':>3} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} "
        f"{'queries':>8}"
    )
    for name, url, runs in pages:
        times = []
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return execute(sql, params, many, context)

        start = time.perf_counter()
        with connection.execute_wrapper(count):
            response = client.get(url)  # warm up, and count the queries of one request
        first = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (url, response.status_code)
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        print(
            f"{name:<18} {first:>9.0f} {runs:>3} {statistics.median(times):>9.0f} "
            f"{pct(times, 0.95):>9.0f} {max(times):>9.0f} {len(queries):>8}"
        )


if __name__ == "__main__":
    main()
