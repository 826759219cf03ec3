"""The whole API under schemathesis, once per role, in-process (WSGI) against the test database.

For every operation of `/api/schema/`, each role's token sends examples built from the schema:
valid ones and broken ones (wrong types, missing fields, out-of-range values), plus the coverage
phase's boundary cases. Every response must be no server error, carry a documented status code
and a body that matches the schema; broken input must be refused; and an operation that needs a
token must refuse a request without one or with a wrong one (schemathesis' default checks).

The demo data are seeded once for the module, inside a transaction that is rolled back at the
end, so each role reaches real units, applications, meetings and data sets; each role's run is a
test of its own, rolled back in turn. Runs are derandomized (a fixed seed, no example database),
so a clean clone sees the same requests every time. Run alone: `.venv/bin/pytest -q
tests/core/test_api_fuzz.py`; see docs/development.md for reproducing a failure.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterator
from typing import Any

import pytest
import hypothesis
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup

from bureau.models import User
from bureau.roles import Role

# The demo account of each role (bureau/demo.py).
ROLE_ACCOUNTS = {
    Role.LEADER: "leader",
    Role.BUREAU_STAFF: "staff",
    Role.DIVISION_STAFF: "division",
    Role.EXPERT: "expert",
    Role.API_CLIENT: "api_commerce",
    Role.AUDITOR: "auditor",
    Role.ADMIN: "admin",
}
ROLE_IDS = {
    Role.LEADER: "leader",
    Role.BUREAU_STAFF: "bureau_staff",
    Role.DIVISION_STAFF: "division_staff",
    Role.EXPERT: "expert",
    Role.API_CLIENT: "api_client",
    Role.AUDITOR: "auditor",
    Role.ADMIN: "admin",
}

# Examples per operation and role in the fuzzing phase (FUZZ_EXAMPLES=50 for a deeper run by hand).
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# Boundary cases per operation from the coverage phase.
MAX_COVERAGE_CASES = int(os.environ.get("FUZZ_COVERAGE", "4"))
COVERAGE_POOL = 200
# A fixed seed: the same requests on every run (FUZZ_SEED to explore others by hand).
SEED = int(os.environ.get("FUZZ_SEED", "20261128"))

CONFIG = {
    "seed": SEED,
    "generation": {
        "mode": "all",  # valid and invalid data
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
    },
    "checks": {
        # A request can match the schema and still be refused with a 400, rightly: the schema cannot
        # say that a referenced id must exist, that a password must be the right one, or that a
        # workflow step must fit the record's current state. The other checks all stay on.
        "positive_data_acceptance": {"enabled": False},
    },
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
}

# A JSON-lines upload goes on the wire as the bytes generated for it, like any binary body.
schemathesis.serializer.alias(["application/x-ndjson", "application/jsonl"], "application/octet-stream")


@pytest.fixture(scope="module")
def demo_tokens(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """The demo portal, seeded once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115
            tokens = {
                role: Token.objects.get_or_create(user=User.objects.get(username=username))[0].key
                for role, username in ROLE_ACCOUNTS.items()
            }
            yield tokens
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def in_process() -> Iterator[None]:
    """Requests run in this thread on the test's connection: keep Django from closing it after each."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def load_schema(token: str) -> Any:
    config = schemathesis.Config.from_dict(CONFIG)
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=config)
    schema.config.update(headers={"Authorization": f"Token {token}"})
    return schema


def run_case(case: Any, failures: dict[tuple[str, str], list[str]]) -> None:
    """Send one case and record what its checks find (the run goes on, to report every failure)."""
    # Each request in a savepoint of its own: one that fails in the database leaves the next
    # ones a working transaction, as a fresh request would have in production.
    with transaction.atomic():
        response = case.call()
    try:
        case.validate_response(response)
    except (Failure, FailureGroup) as exc:
        found = list(exc.exceptions) if isinstance(exc, FailureGroup) else [exc]
        for failure in found:
            key = (case.operation.label, failure.title)
            if key not in failures:
                failures[key] = [
                    f"{failure.message[:300]} -> {response.status_code} {response.text[:300]}",
                    case.as_curl_command(),
                ]
            failures[key].append("")


def fuzz_operation(schema: Any, operation: Any, failures: dict[tuple[str, str], list[str]]) -> None:
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    coverage = schema.iter_coverage_cases(operation, generation_modes=modes, generation_config=schema.config.generation)
    cases = list(itertools.islice(coverage, COVERAGE_POOL))
    # An even spread over the boundary cases (they come grouped by parameter), always the first.
    step = max(1, math.ceil(len(cases) / MAX_COVERAGE_CASES))
    for case in cases[::step]:
        run_case(case, failures)
    for mode in modes:

        @hypothesis.settings(
            max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck), verbosity=hypothesis.Verbosity.quiet,
        )  # fmt: skip
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case: Any) -> None:
            run_case(case, failures)

        try:
            fuzz()
        except hypothesis.errors.Unsatisfiable:
            # Nothing of this operation can be made invalid (say, a list whose only parameters
            # are free-text filters): there are no negative cases to send, which is no failure.
            if mode is GenerationMode.POSITIVE:
                raise


@pytest.mark.parametrize("role", list(ROLE_ACCOUNTS), ids=lambda role: ROLE_IDS[role])
def test_every_operation_answers_each_role_by_its_schema(
    role: Role, db: None, in_process: None, demo_tokens: dict[str, str]
) -> None:
    schema = load_schema(demo_tokens[role])
    failures: dict[tuple[str, str], list[str]] = {}
    operations = 0
    for result in schema.get_all_operations():
        fuzz_operation(schema, result.ok(), failures)
        operations += 1
    assert operations >= 90
    report = [
        f"{label}: {title} (x{len(found)})\n    {message}\n    {curl}"
        for (label, title), (message, curl, *found) in failures.items()
    ]
    assert not failures, f"{len(failures)} failures for {ROLE_IDS[role]}:\n" + "\n".join(report)
