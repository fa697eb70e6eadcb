"""Ralph, the open-source learning record store, started on 127.0.0.1 for a test: its own
data folder and credentials, its own port, stopped afterwards. `make test` installs it in
.venv-lrs (TRELLIS_RALPH names another `ralph` program)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from trellis.connect.xapi.lrs import Lrs
from trellis.testing import free_port

ROOT = Path(__file__).resolve().parents[4]
USERNAME, PASSWORD = "trellis", "lrs-test-secret"


def ralph_program() -> Path:
    program = Path(os.environ.get("TRELLIS_RALPH", ROOT / ".venv-lrs" / "bin" / "ralph"))
    if program.exists():
        return program
    reason = f"Ralph not found at {program} (make install builds .venv-lrs)"
    if os.environ.get("TRELLIS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; TRELLIS_REQUIRE_BROWSER=1 requires it")
    pytest.skip(reason)


@dataclass
class RalphLrs:
    process: subprocess.Popen[bytes]
    lrs: Lrs

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_ralph(folder: Path) -> RalphLrs:
    program = ralph_program()
    data = folder / "data"
    data.mkdir()
    env = {
        **os.environ,
        "RALPH_AUTH_FILE": str(folder / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(data),
        "RALPH_APP_DIR": str(folder / "app"),
    }
    subprocess.run(  # noqa: S603 (the LRS program make install built)
        [str(program), "auth", "-u", USERNAME, "-p", PASSWORD, "-s", "all",
         "-M", "mailto:lrs@example.org", "-w"],
        env=env, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    port = free_port()
    log = (folder / "ralph.log").open("wb")
    python = program.parent / "python"
    process = subprocess.Popen(  # noqa: S603 (the LRS program make install built)
        [str(python), str(Path(__file__).with_name("lrs_serve.py")), str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder,
    )  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}/xAPI/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/__heartbeat__", timeout=1).ok:
                return RalphLrs(process, Lrs(endpoint, USERNAME, PASSWORD))
        except requests.RequestException:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"Ralph did not start: {(folder / 'ralph.log').read_text()[-2000:]}")
