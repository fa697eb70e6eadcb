"""The API against its own OpenAPI schema, fuzzed by schemathesis: every operation, with
generated valid and then invalid parameters and bodies, signed in as a program director.
No answer may be a server error; each status code, content type and body must be one
the schema declares; input the schema forbids must be refused. (A request the schema
allows may still be refused with a 400 for what no schema can say, such as an
observation dated 1850 or an item outside the form: that check is left out.)

Bounded (a fixed number of examples per operation, derandomized) so that it takes
seconds and never flakes. schemathesis's own pytest plugin does not run under pytest 9
yet, so the operations are walked here and each is given to hypothesis directly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from trellis.frameworks.models import Framework
from trellis.people.models import User
from trellis.testing import People

EXAMPLES = 20


@pytest.fixture
def wsgi_keeps_the_connection() -> Iterator[None]:
    """Calls straight into the WSGI app, as a server would, end each request by closing
    the database connection; inside the test's transaction (PostgreSQL) that would end it.
    Django's own test client disconnects the same handlers."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def bearer(
    people: People,
    catalogue_framework: Framework,
    own_framework: Framework,
    token_for: Callable[[User], str],
) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(people.director)}"}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_to_the_schema(
    mode: GenerationMode, bearer: dict[str, str], wsgi_keeps_the_connection: None
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            case.call_and_validate(headers=bearer, excluded_checks=[positive_data_acceptance])

        check()
