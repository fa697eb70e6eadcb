"""`trellis serve` and the health endpoint, against a real gunicorn in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.test import Client

from trellis.ops.management.commands.serve import MAX_DEFAULT_WORKERS, default_workers
from trellis.testing import free_port

ROOT = Path(__file__).resolve().parents[3]


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def worker_pids(master: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@contextmanager
def serving(tmp_path: Path, database_url: str, workers: int = 2) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "TRELLIS_VAR_DIR": str(tmp_path / "var"),
        "TRELLIS_WORKERS": str(workers),  # from the environment, the option below is the bind
        "PYTHONPATH": str(ROOT),
    }
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(  # noqa: S603 (our own command)
        [sys.executable, "-m", "trellis.cli", "serve", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                get(base + "/health/")
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
        yield base, process.pid
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        rc = process.wait(timeout=40)
        log.close()
    # A SIGTERM is a graceful stop: gunicorn's master exits 0 once its workers have.
    assert rc == 0, (tmp_path / "serve.log").read_text()


def test_it_serves_pages_and_health_from_two_workers_and_stops_on_sigterm(tmp_path: Path) -> None:
    with serving(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}") as (base, master):
        status, headers, body = get(base + "/health/")
        assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})
        assert "no-cache" in headers["Cache-Control"]
        status, _, body = get(base + "/accounts/login/")
        assert status == 200
        assert b"<form" in body
        # gunicorn forks its workers one after another: on a loaded machine the second may
        # still be starting when the first has answered.
        assert wait_for(lambda: len(worker_pids(master)) == 2), worker_pids(master)
    assert worker_pids(master) == []
    log = (tmp_path / "serve.log").read_text()
    assert '"GET /health/ HTTP/1.1" 200' in log  # the access log goes to stdout


def test_health_is_503_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    closed = free_port()  # nothing listens here
    url = f"postgres://trellis:trellis@127.0.0.1:{closed}/trellis_nowhere"
    with serving(tmp_path, url, workers=1) as (base, _):
        status, _, body = get(base + "/health/")
    assert (status, json.loads(body)) == (503, {"status": "error", "database": "unreachable"})


def test_the_workers_fork_with_every_view_already_imported(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from trellis.ops.server import TrellisServer\n"
        "TrellisServer(bind='127.0.0.1:0', workers=1).load()\n"
        "print('trellis.records.views' in sys.modules, 'trellis.reports.views' in sys.modules)"
    )
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "trellis.settings",
        "TRELLIS_VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(  # noqa: S603 (our own interpreter and probe)
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]


@pytest.mark.django_db
def test_health_needs_no_sign_in_and_refuses_writes(client: Client) -> None:
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert client.post("/health/").status_code == 405


def test_the_default_workers_suit_the_cores() -> None:
    assert 1 < default_workers() <= MAX_DEFAULT_WORKERS
