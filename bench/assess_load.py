"""Load benchmark: 50 assessors at once load their learners and submit observations.

Run by hand against a PostgreSQL database you can empty (it is flushed!):

    DATABASE_URL=postgres://trellis:trellis@localhost:5432/trellis_bench \
        .venv/bin/python bench/assess_load.py --reset

It migrates, builds the demo institution with a year of assessments, then measures:

1. `assessment_submit` called directly (the service alone, one thread);
2. over HTTP, against `trellis serve` (gunicorn, `--workers` processes) started as a
   subprocess on a free 127.0.0.1 port, or with `--server inprocess` Django's threaded WSGI
   server (as `runserver` uses) in this process:
   a. one assessor, `--single-rounds` times: the trivial page (GET /health/), "my learners"
      (GET /assess/) and one observation sent (POST /assess/<program>/learner/<id>/ with a
      client key, as the phone form does): the time of each request beside a trivial one;
   b. `--assessors` client threads, each with its own signed-in session, each doing
      `--rounds` times: GET /assess/ and POST an observation.

Each observation sent says something new (its comment carries its client key), so each is
written, not taken for the one before sent again. `--warmup` rounds of one assessor go
first, unmeasured (a worker's first requests read its templates and connect). It prints
p50 / p95 / max latency per operation and the throughput. Requests are bounded by --rounds
and by --seconds; nothing listens beyond loopback, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(50))
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # the bench speaks plain HTTP on loopback
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Timings:
    name: str
    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, took: float, ok: bool) -> None:
        with self.lock:
            self.seconds.append(took)
            self.errors += not ok

    def line(self, wall: float) -> str:
        if not self.seconds:
            return f"{self.name:<28} no samples"
        ms = sorted(s * 1000 for s in self.seconds)
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        return (
            f"{self.name:<28} n={len(ms):<5} p50={statistics.median(ms):7.1f} ms  "
            f"p95={p95:7.1f} ms  max={ms[-1]:7.1f} ms  "
            f"{len(ms) / wall:6.1f}/s  errors={self.errors}"
        )


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def setup_database(args: argparse.Namespace) -> Any:
    import random

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from trellis.demo.assessments import generate_assessments
    from trellis.demo.generator import DemoSize, generate_demo

    if connection.vendor != "postgresql" and not args.allow_sqlite:
        sys.exit("Set DATABASE_URL to a PostgreSQL database (or pass --allow-sqlite).")
    if args.reuse:
        return _existing()
    if not args.reset:
        sys.exit("This flushes the database first: pass --reset to confirm (or --reuse).")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    size = DemoSize(learners_per_year=args.learners, years=args.years, faculty=args.faculty)
    took, demo = timed(
        lambda: generate_demo(size=size, today=timezone.localdate(), with_assessments=False)
    )
    print(f"demo institution: {took:.1f} s ({len(demo.people.everyone())} people)")
    took, made = timed(
        lambda: generate_assessments(demo=demo, rng=random.Random(1), bulk=args.bulk)
    )
    print(
        f"assessments: {took:.1f} s ({made.observations + made.end_of_rotation + made.teaching}"
        f" assessments, {made.ratings} ratings, {made.log_entries} log entries)"
    )
    return demo


@dataclass
class _Programs:
    residency: Any


@dataclass
class _People:
    faculty: list[Any]


@dataclass
class Existing:
    """The parts of a `Demo` the measurements use, read back from a database built before."""

    programs: _Programs
    people: _People


def _existing() -> Existing:
    from trellis.people.models import Program, Role, User

    program = Program.objects.filter(slug="riverside-im").first()
    if program is None:
        sys.exit("No demo residency in this database: run once with --reset.")
    faculty = User.objects.filter(
        memberships__program=program, memberships__role=Role.FACULTY
    ).order_by("email")
    return Existing(_Programs(program), _People(list(faculty.distinct())))


@dataclass(frozen=True)
class Target:
    """What one assessor's session posts: a learner they supervise today and the form."""

    email: str
    learner_id: int
    form_id: int
    version_id: int
    item_id: int


def targets(demo: Any) -> list[Target]:
    from django.utils import timezone

    from trellis.assessments.capture.selectors import (
        capture_candidates,
        current_version,
        observation_form_default,
    )
    from trellis.assessments.models import Form
    from trellis.scheduling.selectors import supervised_learners_on

    program = demo.programs.residency
    form = observation_form_default(program=program)
    assert isinstance(form, Form)
    version = current_version(form)
    out = []
    for person in demo.people.faculty:
        for assignment in supervised_learners_on(faculty=person, day=timezone.localdate()):
            items, chosen = capture_candidates(program=program, version=version, assignment=None)
            out.append(
                Target(person.email, assignment.learner_id, form.pk, version.pk, items[0].pk)
            )
            break
    return out


def session_for(email: str) -> str:
    """A signed-in session, made the way `login()` makes one (the login form is rate-limited,
    and signing in is not what is measured)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from trellis.people.models import User

    user = User.objects.get(email=email)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    assert store.session_key is not None
    return store.session_key


class Client:
    def __init__(self, port: int, session: str) -> None:
        self.port = port
        self.csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
        self.cookie = f"sessionid={session}; csrftoken={self.csrf}"

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie, "Host": "127.0.0.1"}
        data = None
        if body is not None:
            data = urllib.parse.urlencode({**body, "csrfmiddlewaretoken": self.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()


class InProcess:
    """Django's threaded WSGI server in this process (what `runserver` uses)."""

    def __init__(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler
        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

        class Quiet(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
        self.server.set_app(WSGIHandler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]
        self.name = "Django's threaded WSGI server, in process"

    def stop(self) -> None:
        self.server.shutdown()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """`trellis serve` (gunicorn) as a subprocess on a free loopback port; its log goes to a
    temporary file, shown if it does not come up."""

    def __init__(self, workers: int, start_seconds: float = 60) -> None:
        self.port = free_port()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        command = [sys.executable, "-m", "trellis.cli", "serve"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
        self.process = subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
            command, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, env=os.environ.copy()
        )
        self.name = f"trellis serve (gunicorn), {workers} workers"
        deadline = time.monotonic() + start_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if Client(self.port, "").request("GET", "/health/") == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        self.log.seek(0)
        sys.exit(f"trellis serve did not come up:\n{self.log.read().decode()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn stops gracefully on SIGTERM
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def service_submits(demo: Any, pairs: list[Target], count: int) -> Timings:
    """The service alone: how long one `assessment_submit` takes, without HTTP."""
    from decimal import Decimal

    from django.utils import timezone

    from trellis.assessments.capture.services import CommentInput, RatingInput, assessment_submit
    from trellis.assessments.models import FormVersion
    from trellis.frameworks.models import Item
    from trellis.people.models import User

    timings = Timings("service assessment_submit")
    program = demo.programs.residency
    for n in range(count):
        t = pairs[n % len(pairs)]
        assessor = User.objects.get(email=t.email)
        subject = User.objects.get(pk=t.learner_id)
        version = FormVersion.objects.select_related("scale", "form").get(pk=t.version_id)
        item = Item.objects.get(pk=t.item_id)
        took, _ = timed(
            lambda a=assessor, s=subject, v=version, i=item: assessment_submit(
                program=program,
                form_version=v,
                subject=s,
                assessor=a,
                assessor_role="faculty",
                observed_on=timezone.localdate(),
                ratings=[RatingInput(i, Decimal(3))],
                comments=[
                    CommentInput("next-time", f"Commit to a diagnosis ({uuid.uuid4().hex[:8]}).")
                ],
                acting_user=a,
                client_key=uuid.uuid4().hex,
            )
        )
        timings.add(took, True)
    return timings


def observation(target: Target, today: str) -> dict[str, str]:
    key = uuid.uuid4().hex
    return {
        "client_key": key,
        "form": str(target.form_id),
        "form_version": str(target.version_id),
        "items": str(target.item_id),
        f"rating-{target.item_id}": "3",
        "comment-went-well": "Clear, organised presentation.",
        # Something new each time: the same content again would be taken for a resend.
        "comment-next-time": f"Say what would change your plan ({key[:8]}).",
        "observed_on": today,
        "context": "bench",
        "assessor_role": "faculty",
        "action": "submit",
    }


def load(
    port: int,
    demo: Any,
    pairs: list[Target],
    assessors: int,
    rounds: int,
    seconds: float,
    trivial: Timings | None = None,
) -> tuple[Timings, Timings, float]:
    """`assessors` threads, each `rounds` times: GET /assess/ and POST an observation (and
    GET /health/ first, timed into `trivial`, when given)."""
    from django.utils import timezone

    program = demo.programs.residency.slug
    sessions = [session_for(pairs[i % len(pairs)].email) for i in range(assessors)]
    page, submit = Timings("GET /assess/ (my learners)"), Timings("POST observation")
    deadline = time.monotonic() + seconds
    today = timezone.localdate().isoformat()
    barrier = threading.Barrier(assessors)

    def assessor(i: int) -> None:
        target, client = pairs[i % len(pairs)], Client(port, sessions[i])
        path = f"/assess/{program}/learner/{target.learner_id}/"
        barrier.wait()
        for _ in range(rounds):
            if time.monotonic() > deadline:
                return
            if trivial is not None:
                took, status = timed(lambda: client.request("GET", "/health/"))
                trivial.add(took, status == 200)
            took, status = timed(lambda: client.request("GET", "/assess/"))
            page.add(took, status == 200)
            body = observation(target, today)
            took, status = timed(lambda b=body: client.request("POST", path, b))
            submit.add(took, status == 302)

    threads = [threading.Thread(target=assessor, args=(i,)) for i in range(assessors)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return page, submit, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset", action="store_true", help="flush the database first (required)")
    parser.add_argument("--reuse", action="store_true", help="measure the demo already built")
    parser.add_argument("--allow-sqlite", action="store_true")
    parser.add_argument("--learners", type=int, default=20, help="residents per training year")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--faculty", type=int, default=60)
    parser.add_argument("--bulk", action="store_true", help="bulk-insert the demo assessments")
    parser.add_argument("--server", choices=["serve", "inprocess"], default="serve")
    parser.add_argument("--workers", type=int, help="for --server serve (default: its own)")
    parser.add_argument("--assessors", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10, help="page + submit per assessor")
    parser.add_argument("--single-rounds", type=int, default=30, help="rounds of one assessor")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured rounds first")
    parser.add_argument("--seconds", type=float, default=120, help="stop starting new rounds")
    parser.add_argument("--service-submits", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from trellis.ops.management.commands.serve import default_workers

    demo = setup_database(args)
    pairs = targets(demo)
    if not pairs:
        sys.exit("No faculty supervises anyone today; nothing to measure.")
    print(f"{len(pairs)} supervising faculty today; {args.assessors} sessions share them")
    service = service_submits(demo, pairs, args.service_submits)
    print(service.line(sum(service.seconds)))
    connection.close()
    server: InProcess | Served = (
        InProcess() if args.server == "inprocess" else Served(args.workers or default_workers())
    )
    try:
        # Unmeasured: each worker's first requests read its templates and connect.
        load(server.port, demo, pairs, 1, args.warmup, args.seconds)
        health = Timings("GET /health/ (trivial page)")
        page, submit, wall = load(
            server.port, demo, pairs, 1, args.single_rounds, args.seconds, trivial=health
        )
        print(f"{server.name} on 127.0.0.1:{server.port}; one assessor, {wall:.1f} s")
        for timings in (health, page, submit):
            print(timings.line(wall))
        page, submit, wall = load(
            server.port, demo, pairs, args.assessors, args.rounds, args.seconds
        )
    finally:
        server.stop()
    print(f"{args.assessors} concurrent assessors, {wall:.1f} s")
    print(page.line(wall))
    print(submit.line(wall))
    print(f"throughput: {(len(page.seconds) + len(submit.seconds)) / wall:.1f} requests/s")


if __name__ == "__main__":
    main()
