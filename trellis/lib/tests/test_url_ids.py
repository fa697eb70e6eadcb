"""Every route that takes a number in its path, given one past any database integer
(2^66), as the program director and as an outsider: each answers 404 (or a refusal),
never a server error, on SQLite and PostgreSQL alike. Django (5.0+) reads an integer
lookup out of the column's range as matching nothing, and this keeps it so for every
view, including ones added later."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from trellis.testing import People

TOO_BIG = str(2**66)


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def numbered_urls(slug: str) -> list[str]:
    urls = []
    for route in _routes(get_resolver().url_patterns):
        if "<int:" not in route:
            continue
        url = re.sub(r"<int:\w+>", TOO_BIG, route)
        url = re.sub(r"<slug:\w+>", slug, url)
        urls.append("/" + re.sub(r"<(\w+:)?\w+>", "x", url))
    return urls


@pytest.mark.parametrize("who", ["director", "outsider"])
def test_no_numbered_route_fails_on_a_number_past_the_column(
    client: Client, people: People, who: str
) -> None:
    client.force_login(getattr(people, who))
    urls = numbered_urls(people.program.slug)
    assert len(urls) >= 30  # the walk found the routes
    failures = []
    for url in urls:
        for method in (client.get, client.post):
            status = method(url).status_code
            if status >= 500:
                failures.append(f"{method.__name__.upper()} {url}: {status}")
    assert failures == []
