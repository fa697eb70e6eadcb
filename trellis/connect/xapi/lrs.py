"""A learning record store over HTTP (xAPI 1.0.3, Basic authentication): post statements,
read them page by page from a `stored` time on. Plain `requests`, a timeout on every call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests
from django.conf import settings

from trellis.connect.xapi.statements import XAPI_VERSION

TIMEOUT = 15


class LrsError(Exception):
    """The LRS could not be reached or refused what was sent; the message says which, and
    `status` is its HTTP answer (None when there was none)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Lrs:
    endpoint: str  # ends in /xAPI/ or the like: statements live at endpoint + "statements"
    username: str
    password: str

    @classmethod
    def configured(cls) -> Lrs | None:
        endpoint = str(getattr(settings, "XAPI_LRS_ENDPOINT", "") or "")
        if not endpoint:
            return None
        return cls(
            endpoint.rstrip("/") + "/",
            str(getattr(settings, "XAPI_LRS_USERNAME", "")),
            str(getattr(settings, "XAPI_LRS_PASSWORD", "")),
        )

    @property
    def statements_url(self) -> str:
        return self.endpoint + "statements"

    def _call(self, method: str, url: str, **kw: Any) -> requests.Response:
        headers = {"X-Experience-API-Version": XAPI_VERSION, **kw.pop("headers", {})}
        try:
            response = requests.request(
                method,
                url,
                auth=(self.username, self.password),
                headers=headers,
                timeout=TIMEOUT,
                **kw,
            )
        except requests.RequestException as exc:
            raise LrsError(f"the LRS at {self.endpoint} could not be reached: {exc}") from exc
        return response

    def post(self, statements: list[dict[str, Any]]) -> None:
        """Store the statements. A 409 (some already there, with these ids) counts as
        stored: sending the same statement twice is how a retry looks."""
        response = self._call("POST", self.statements_url, json=statements)
        if response.status_code in (200, 204, 409):
            return
        raise LrsError(
            f"the LRS answered {response.status_code}: {response.text[:300]}",
            response.status_code,
        )

    def read(self, *, since: dt.datetime | None, page: int = 500) -> Iterator[dict[str, Any]]:
        """Every statement stored after `since`, oldest first, following `more`."""
        params: dict[str, Any] = {"ascending": "true", "limit": page}
        if since is not None:
            params["since"] = since.astimezone(dt.UTC).isoformat()
        url: str | None = self.statements_url
        while url:
            response = self._call("GET", url, params=params)
            if response.status_code != 200:
                raise LrsError(
                    f"the LRS answered {response.status_code}: {response.text[:300]}",
                    response.status_code,
                )
            body = response.json()
            yield from body.get("statements", [])
            more = body.get("more") or ""
            url, params = (urljoin(self.endpoint, more), {}) if more else (None, {})
