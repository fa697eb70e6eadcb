"""Server time per request, in process: the trivial page, "my learners" and the POST.

Run by hand against the demo that `assess_load.py --reset` built (it is not flushed, but
each POST writes an assessment):

    DATABASE_URL=postgres://trellis:trellis@localhost:5432/trellis_bench \
        .venv/bin/python bench/server_time.py [--requests 40] [--queries]

One faculty member who supervises someone today, signed in on Django's test Client (no
network, no server: the time is the view, its middleware and its database round trips).
After `--warmup` unmeasured requests of each kind, `--requests` rounds of GET /health/,
GET /assess/ and POST an observation (new content each time, as `assess_load.py` sends).
Prints p50 / p95 per request, with its queries and the time spent inside them ("SQL");
`--queries` lists the POST's queries once.
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
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")


class SqlTimer:
    """An execute wrapper that counts the queries and the time inside them."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1
            self.sql.append(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--queries", action="store_true", help="list the POST's queries once")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.assess_load import _existing, observation, targets
    from trellis.people.models import User

    demo = _existing()
    target = targets(demo)[0]
    client = Client()
    client.force_login(User.objects.get(email=target.email))
    path = f"/assess/{demo.programs.residency.slug}/learner/{target.learner_id}/"
    today = timezone.localdate().isoformat()
    kinds = {
        "GET /health/ (trivial)": lambda: client.get("/health/"),
        "GET /assess/": lambda: client.get("/assess/"),
        "POST observation": lambda: client.post(path, observation(target, today)),
    }
    expected = {"GET /health/ (trivial)": 200, "GET /assess/": 200, "POST observation": 302}
    times: dict[str, list[float]] = {k: [] for k in kinds}
    sql: dict[str, list[float]] = {k: [] for k in kinds}
    queries: dict[str, int] = {}
    for n in range(args.warmup + args.requests):
        for name, call in kinds.items():
            timer = SqlTimer()
            with connection.execute_wrapper(timer):
                start = time.perf_counter()
                response = call()
                took = time.perf_counter() - start
            if response.status_code != expected[name]:
                sys.exit(f"{name}: {response.status_code}")
            if n < args.warmup:
                continue
            times[name].append(took * 1000)
            sql[name].append(timer.seconds * 1000)
            queries[name] = timer.count
            if args.queries and name == "POST observation" and n == args.warmup:
                for q in timer.sql:
                    print(f"  {q[:160]}")
    for name in kinds:
        ms = sorted(times[name])
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        print(
            f"{name:<24} n={len(ms):<4} p50={statistics.median(ms):6.1f} ms  p95={p95:6.1f} ms  "
            f"SQL p50={statistics.median(sql[name]):5.1f} ms  queries={queries[name]}"
        )


if __name__ == "__main__":
    main()
