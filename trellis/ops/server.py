"""Gunicorn, run from Python (`trellis serve`) rather than from its own command line, so
that an operator starts one command and sets Trellis's own environment variables."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

# A request still running this long after a worker is told to stop is cut off; a worker
# silent this long is restarted (a PDF of a whole program takes a few seconds).
GRACEFUL_TIMEOUT_S = 30
WORKER_TIMEOUT_S = 60


class TrellisServer(BaseApplication):
    def __init__(self, *, bind: str, workers: int) -> None:
        self.options: dict[str, Any] = {
            "bind": bind,
            "workers": workers,
            "accesslog": "-",  # stdout, for the journal
            "errorlog": "-",
            "graceful_timeout": GRACEFUL_TIMEOUT_S,
            "timeout": WORKER_TIMEOUT_S,
            "keepalive": 5,
            "proc_name": "trellis",
            # Load Django once in the master, then fork: workers start at once and share
            # the imported code's memory.
            "preload_app": True,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from django.core.wsgi import get_wsgi_application
        from django.urls import get_resolver

        application = get_wsgi_application()
        # Import every view, and the libraries they use, here in the master before the
        # workers fork; otherwise each worker's first request pays for it (2.3 s).
        get_resolver().url_patterns  # noqa: B018 (the attribute's import is the point)
        return application
