"""A typed front end compiles against the schema: openapi-typescript generates the types from /api/v1/openapi.json
and `tsc --strict` compiles tests/client/usage.ts with them, which passes ids from bodies as path parameters and takes
a CSV report as text. It fails when the schema drifts from what a client needs."""

import subprocess
from pathlib import Path

import pytest
from rest_framework.test import APIClient

CLIENT = Path(__file__).parent / "client"


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=CLIENT, capture_output=True, text=True, timeout=300)


@pytest.mark.node
@pytest.mark.django_db
def test_a_typed_client_compiles_against_the_schema():
    (CLIENT / "openapi.json").write_bytes(APIClient().get("/api/v1/openapi.json").content)
    # The versions package-lock.json pins (node_modules is not kept in the repository); the first run downloads them.
    installed = run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
    assert installed.returncode == 0, installed.stderr
    generated = run("npx", "--no-install", "openapi-typescript", "openapi.json", "--output", "schema.d.ts")
    assert generated.returncode == 0, generated.stdout + generated.stderr

    compiled = run("npx", "--no-install", "tsc", "--noEmit", "--project", ".")

    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
