"""The whole API under schemathesis, once per role, in-process (WSGI) against the test database.

For every operation of `/api/schema/`, each role's token sends examples built from the schema:
valid ones and broken ones (wrong types, missing fields, out-of-range values), plus the coverage
phase's boundary cases. Every response must be no server error, carry a documented status code
and a body that matches the schema; broken input must be refused; and an operation that needs a
token must refuse a request without one or with a wrong one (schemathesis' default checks).

The demo data are seeded once for the module, inside a transaction that is rolled back at the
end, so each role reaches real units, applications, meetings and data sets; each role's run is a
test of its own, rolled back in turn. Runs are seeded (a fixed seed, no example database), so a
clean clone sees the same requests every time. Run alone: `.venv/bin/pytest -q
tests/core/test_api_fuzz.py`; see docs/development.md for reproducing a failure.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup
from werkzeug.test import Client

from bureau.models import User
from bureau.roles import Role
from bureau.services import api_token_issue_for_sign_in

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

# Examples per operation, role and mode (valid, invalid) from Hypothesis (FUZZ_EXAMPLES=12 for a deeper run by hand).
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# Boundary cases per operation from the coverage phase.
MAX_COVERAGE_CASES = int(os.environ.get("FUZZ_COVERAGE", "4"))
COVERAGE_POOL = 200
# A fixed seed: the same requests on every run (FUZZ_SEED to explore others by hand).
SEED = int(os.environ.get("FUZZ_SEED", "20261128"))

CONFIG = {
    "seed": SEED,
    # Every request carries the role's real token; generating a random session cookie beside it
    # would make a request that the token rightly lets through look like one let in by the
    # generated credential. Missing and wrong credentials are still probed by `ignored_auth`.
    "generation": {"with-security-parameters": False},
    "checks": {
        # A request can match the schema and still be refused with a 400, rightly: the schema cannot
        # say that a referenced id must exist, that a password must be the right one, or that a
        # workflow step must fit the record's current state. The other checks all stay on.
        "positive_data_acceptance": {"enabled": False},
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
                role: api_token_issue_for_sign_in(user=User.objects.get(username=username))[1]
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


def load_schema() -> Any:
    config = schemathesis.Config.from_dict(CONFIG)
    return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=config)


@dataclass
class Found:
    """One kind of failure of one operation: the first example of it, and how often it came."""

    message: str
    curl: str
    count: int = 0


def run_case(case: Any, token: str, failures: dict[tuple[str, str], Found]) -> None:
    """Send one case and record what its checks find (the run goes on, to report every failure)."""
    # The role's token on every case, and as the checks' explicit credential: `ignored_auth` then
    # probes the operation without it and with a wrong one. Each request runs in a savepoint of its
    # own: one that fails in the database leaves the next a working transaction, as in production.
    credentials = {"Authorization": f"Token {token}"}
    with transaction.atomic():
        response = case.call(headers=credentials)
    try:
        case.validate_response(response, headers=credentials)
    except (Failure, FailureGroup) as exc:
        for failure in exc.exceptions if isinstance(exc, FailureGroup) else [exc]:
            message = f"{failure.message[:300]} -> {response.status_code} {response.text[:300]}"
            found = failures.setdefault((case.operation.label, failure.title), Found(message, case.as_curl_command()))
            found.count += 1


def visible_record(operation: Any, token: str) -> dict[str, Any] | None:
    """The path parameters of a record the role sees: the first of the list that the operation's path extends."""
    list_path, brace, rest = operation.path.partition("{")
    if not brace:
        return None
    name = rest.partition("}")[0]
    with transaction.atomic():
        # Through WSGI like the cases (Django's test client would reconnect the handlers closing the connection).
        response = Client(operation.schema.app).get(list_path, headers={"Authorization": f"Token {token}"})
    results = response.get_json().get("results") if response.status_code == 200 else None
    return {name: results[0][name]} if results and name in results[0] else None


def fuzz_operation(schema: Any, operation: Any, token: str, failures: dict[tuple[str, str], Found]) -> None:
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    coverage = schema.iter_coverage_cases(operation, generation_modes=modes, generation_config=schema.config.generation)
    cases = list(itertools.islice(coverage, COVERAGE_POOL))
    # An even spread over the boundary cases (they come grouped by parameter), always the first.
    step = max(1, math.ceil(len(cases) / MAX_COVERAGE_CASES))
    for case in cases[::step]:
        run_case(case, token, failures)
    # Aimed at a real record where the role sees one, so bodies and workflow steps reach the
    # code behind the lookup (a made-up id stops at the 404, and the boundary cases send those).
    record = visible_record(operation, token)
    for mode in modes:

        @hypothesis.seed(SEED)
        @hypothesis.settings(
            max_examples=MAX_EXAMPLES, database=None, deadline=None,
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck), verbosity=hypothesis.Verbosity.quiet,
        )  # fmt: skip
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode, path_parameters=record))
        def fuzz(case: Any) -> None:
            run_case(case, token, failures)

        try:
            fuzz()
        except hypothesis.errors.Unsatisfiable:
            # Nothing of this operation can be made invalid (say, a list whose only parameters
            # are free-text filters, or a fixed record's action without a body): there are no
            # negative cases to send, which is no failure.
            if mode is GenerationMode.POSITIVE:
                raise


@pytest.mark.parametrize("role", list(ROLE_ACCOUNTS), ids=lambda role: ROLE_IDS[role])
def test_every_operation_answers_each_role_by_its_schema(
    role: Role, db: None, in_process: None, demo_tokens: dict[str, str]
) -> None:
    token = demo_tokens[role]
    schema = load_schema()
    failures: dict[tuple[str, str], Found] = {}
    fuzzed = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        fuzz_operation(schema, operation, token, failures)
        fuzzed.add((operation.method.upper(), operation.path))
    declared = {
        (method.upper(), path)
        for path, item in schema.raw_schema["paths"].items()
        for method in item
        if method in ("get", "put", "post", "patch", "delete")
    }
    assert fuzzed == declared
    report = [
        f"{label}: {title} (x{found.count})\n    {found.message}\n    {found.curl}"
        for (label, title), found in failures.items()
    ]
    assert not failures, f"{len(failures)} kinds of failure for {ROLE_IDS[role]}:\n" + "\n".join(report)
