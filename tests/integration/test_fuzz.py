"""Schemathesis fuzzes the public and admin OpenAPI documents against the running gateway.

A bounded run: every operation gets generated valid and invalid requests, and must answer with
no 5xx, a documented status code and content type, and a body that matches its own schema.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               response_schema_conformance, status_code_conformance)

from tests.conftest import Live
from tests.integration.api import ADMIN, tenant_body

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                database=None)


@pytest.fixture(scope="module")
def fuzz_key(live: Live) -> str:
    body = tenant_body(max_concurrent_calls=1, rate_limits={"key_per_s": 10_000, "key_burst": 100_000,
                                                            "tenant_per_s": 10_000, "tenant_burst": 100_000})
    with httpx.Client(base_url=live.gateway_url) as http:
        assert http.post("/api/v1/admin/tenants", json=body, headers=ADMIN).status_code == 201
        r = http.post(f"/api/v1/admin/tenants/{body['id']}/api-keys", json={}, headers=ADMIN)
    # make-call reaches the carrier: the fuzzer may place (at most one, by the limit) real calls.
    assert live.stack.carrier is not None
    live.stack.carrier.add_account(body["twilio_account_sid"], body["twilio_auth_token"])
    return str(r.json()["key"])


def _fuzz(schema_url: str, base_url: str, headers: dict[str, str]) -> list[str]:
    """Fuzz every operation in both generation modes; return one line per failing operation."""
    schema = schemathesis.openapi.from_url(schema_url)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @FUZZ
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: schemathesis.Case) -> None:
                case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

            try:
                run()
            except Exception as exc:  # collect all, so one run reports every broken operation
                failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:600]}")
    return failures


def test_public_api_survives_fuzzing(live: Live, fuzz_key: str) -> None:
    failures = _fuzz(f"{live.gateway_url}/api-docs/public.json", live.gateway_url,
                     {"Authorization": f"Bearer {fuzz_key}"})
    assert not failures, "\n\n".join(failures)


def test_admin_api_survives_fuzzing(live: Live) -> None:
    failures = _fuzz(f"{live.gateway_url}/api-docs/admin.json", live.gateway_url, ADMIN)
    assert not failures, "\n\n".join(failures)
