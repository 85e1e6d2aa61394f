"""The OpenAPI schema at /api/v1/openapi.json: the contract's rules, the ADR lint, answers that match it, Swagger UI."""

import json
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

from tests.factories import (
    CheckInFactory,
    CoFinancingFactory,
    EnrolmentFactory,
    EvaluationFactory,
    NotificationFactory,
    PlacementFactory,
    ProgrammeFactory,
    ProjectFactory,
    ResidentFactory,
    ResultFactory,
    StageChangeFactory,
    TransactionFactory,
)

# The Logius ruleset (CC BY 4.0) kept in the repository, so that a clone lints on its own; the steering
# repository's copy beside the project, where present, must be the same file.
RULESET = Path(__file__).parent / "adr" / "ruleset.yaml"
SHARED_RULESET = Path(settings.BASE_DIR).parent / "shared" / "adr" / "ruleset.yaml"
SPECTRAL = "@stoplight/spectral-cli@6"

# The contract's paths (relative to the server, /api/v1) that this schema must document.
CONTRACT_PATHS = {
    "/health": {"get"},
    "/auth/token": {"post"},
    "/auth/logout": {"post"},
    "/openapi.json": {"get"},
    "/me": {"get"},
    "/organisations": {"get", "post"},
    "/organisations/{id}": {"get", "patch"},
    "/neighbourhoods": {"get", "post"},
    "/neighbourhoods/{id}": {"get", "patch"},
    "/programmes": {"get", "post"},
    "/programmes/{id}": {"get", "patch"},
    "/users": {"get", "post"},
    "/users/{id}": {"get", "patch"},
    "/residents": {"get", "post"},
    "/residents/{id}": {"get", "patch"},
    "/residents/{id}/erase": {"post"},
    "/pathways": {"get", "post"},
    "/pathways/{id}": {"get"},
    "/pathways/{id}/transitions": {"post"},
    "/pathways/{id}/history": {"get"},
    "/modules": {"get", "post"},
    "/modules/{id}": {"get", "patch"},
    "/enrolments": {"get", "post"},
    "/enrolments/{id}": {"get", "patch"},
    "/enrolments/{id}/complete": {"post"},
    "/enrolments/{id}/drop": {"post"},
    "/placements": {"get", "post"},
    "/placements/{id}": {"get"},
    "/placements/{id}/confirm": {"post"},
    "/placements/{id}/decline": {"post"},
    "/placements/{id}/end": {"post"},
    "/check-ins": {"get"},
    "/check-ins/{id}": {"get"},
    "/check-ins/{id}/complete": {"post"},
    "/notifications": {"get"},
    "/notifications/{id}": {"get"},
    "/notifications/{id}/read": {"post"},
    "/access-log": {"get"},
    "/reports/retention": {"get"},
    "/reports/stages": {"get"},
    "/reports/programme-accountability": {"get"},
    "/reports/domains": {"get"},
    "/allocations": {"get", "post"},
    "/allocations/{id}": {"get", "patch"},
    "/transactions": {"get", "post"},
    "/transactions/{id}": {"get"},
    "/co-financing": {"get", "post"},
    "/co-financing/{id}": {"get", "patch", "delete"},
    "/reports/effort-impact": {"get"},
    "/reports/indicators": {"get"},
}
PUBLIC = {"/health", "/auth/token", "/openapi.json"}
NO_BODY_ACTIONS = [
    "/auth/logout",
    "/residents/{id}/erase",
    "/enrolments/{id}/drop",
    "/placements/{id}/confirm",
    "/notifications/{id}/read",
]
WRITES = {"post", "put", "patch", "delete"}
LOWER_CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")


@pytest.fixture(scope="module")
def served(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():  # requests are atomic; the schema itself reads no rows
        return APIClient().get("/api/v1/openapi.json")


@pytest.fixture(scope="module")
def schema(served) -> dict:
    return json.loads(served.content)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def component(schema: dict, ref: str) -> dict:
    return schema["components"]["schemas"][ref.removeprefix("#/components/schemas/")]


def test_served_publicly_with_version_and_open_cors(served, schema):
    assert served.status_code == 200
    assert served["API-Version"] == settings.API_VERSION
    assert served["Access-Control-Allow-Origin"] == "*"
    assert schema["info"]["version"] == settings.API_VERSION
    assert re.fullmatch(r"\d+\.\d+\.\d+", schema["info"]["version"])
    assert set(schema["info"]["contact"]) >= {"name", "url", "email"}
    assert [server["url"] for server in schema["servers"]] == ["/api/v1"]


def test_every_contract_path_is_documented_without_trailing_slash(schema):
    documented = {path: set(item) for path, item in schema["paths"].items()}
    missing = {path: methods - documented.get(path, set()) for path, methods in CONTRACT_PATHS.items()}
    assert not {path: methods for path, methods in missing.items() if methods}
    for path in documented:
        assert not path.endswith("/") and not path.startswith("/api/"), path


def test_every_operation_documents_its_problems_and_every_response_the_version_header(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        for code, response in responses.items():
            assert "API-Version" in response.get("headers", {}), f"{where} {code}"
            if code >= "400":
                assert list(response["content"]) == ["application/problem+json"], f"{where} {code}"
                problem = component(schema, response["content"]["application/problem+json"]["schema"]["$ref"])
                assert {"type", "title", "status", "detail"} <= set(problem["required"]), f"{where} {code}"
        assert {"429", "500"} <= set(responses), where
        assert "Retry-After" in responses["429"]["headers"], where
        assert ("401" in responses) == (path not in PUBLIC), where
        if method in WRITES or operation.get("parameters"):
            assert responses["400"]["content"]["application/problem+json"]["schema"]["$ref"].endswith(
                "/ValidationProblem"
            ), where
        if "{id}" in path or "page" in {parameter["name"] for parameter in operation.get("parameters", [])}:
            assert "404" in responses, where
        if method in WRITES:
            assert "413" in responses, where


def test_public_endpoints_claim_no_auth_and_the_others_a_token(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    for path, method, operation in operations(schema):
        if path in PUBLIC:
            assert "security" not in operation, path
        else:
            assert {"tokenAuth": []} in operation["security"], f"{method} {path}"


def test_query_parameters_are_lower_camel_case(schema):
    names = {}
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                assert LOWER_CAMEL.match(parameter["name"]), f"{method} {path}: {parameter['name']}"
                names.setdefault(path, set()).add(parameter["name"])
    assert {"page", "pageSize", "dueOnBefore", "dueOnAfter", "status", "coach"} <= names["/check-ins"]
    assert {"neighbourhood", "coach", "programme", "stage", "search", "ordering"} <= names["/residents"]
    assert "isRead" in names["/notifications"]


def test_health_documents_its_unavailable_problem(schema):
    responses = schema["paths"]["/health"]["get"]["responses"]
    problem = component(schema, responses["503"]["content"]["application/problem+json"]["schema"]["$ref"])
    assert {"status", "title", "detail", "database", "broker"} <= set(problem["required"])


def test_actions_without_a_body_document_none_and_history_is_a_plain_list(schema):
    for path in NO_BODY_ACTIONS:
        assert "requestBody" not in schema["paths"][path]["post"], path
    history = schema["paths"]["/pathways/{id}/history"]["get"]
    assert history["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/StageChange"},
    }
    assert not [p for p in history.get("parameters", []) if p["in"] == "query"]


def test_fields_are_documented_as_they_behave(schema):
    schemas = schema["components"]["schemas"]
    for name, field in [("Placement", "startDate"), ("Placement", "endDate"), ("CheckIn", "dueOn"),
                        ("Module", "startsOn"), ("Resident", "dateOfBirth")]:  # fmt: skip
        assert schemas[name]["properties"][field]["format"] == "date", (name, field)
    for name, field in [("Resident", "consentGivenAt"), ("Placement", "confirmedAt"), ("StageChange", "at")]:
        assert schemas[name]["properties"][field]["format"] == "date-time", (name, field)
    assert schemas["UserRequest"]["properties"]["password"]["writeOnly"] is True
    assert "password" not in schemas["User"]["properties"]
    assert schemas["Pathway"]["properties"]["stage"]["readOnly"] is True
    assert schemas["Resident"]["properties"]["currentPathway"]["nullable"] is True
    assert "coach" in schemas["ResidentRequest"]["properties"]  # coordinators may set it
    assert {"budget", "coFinancingRatio"}.isdisjoint(schemas["Programme"]["required"])  # other roles don't get them
    assert not [name for name in schemas if re.search(r"\d", name)]  # no "Status844Enum"


# --- Written for the front end's developers (contract §1, documentation) -----------------------------------------


def test_every_operation_has_a_summary_and_a_description_and_every_tag_a_description(schema):
    for path, method, operation in operations(schema):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        assert operation.get("description"), where
        assert "rows.py" not in operation["description"] and "`.values()`" not in operation["description"], where
    described = {tag["name"] for tag in schema["tags"] if tag.get("description")}
    used = {tag for _, _, operation in operations(schema) for tag in operation["tags"]}
    assert used <= described


def test_the_transitions_operation_shows_the_stage_table(schema):
    description = schema["paths"]["/pathways/{id}/transitions"]["post"]["description"]
    assert "| from | to | guard |" in description
    for stage in ("intake", "learning", "job_search", "placed", "completed", "exited"):
        assert stage in description


def test_path_ids_are_integers_like_the_ids_in_bodies(schema):
    path_parameters = [
        (f"{method} {path}", parameter)
        for path, method, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    ]
    assert len(path_parameters) > 20
    for where, parameter in path_parameters:
        assert parameter["schema"]["type"] == "integer", where


def test_csv_answers_are_text(schema):
    for path in ("/reports/retention", "/reports/stages", "/reports/programme-accountability", "/reports/domains"):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert content["text/csv"]["schema"] == {"type": "string"}, path
        assert content["application/json"]["schema"]["$ref"].endswith("Report"), path


def test_the_effort_impact_chart_is_an_svg_text(schema):
    content = schema["paths"]["/reports/effort-impact"]["get"]["responses"]["200"]["content"]
    assert content["image/svg+xml"]["schema"] == {"type": "string"}
    assert content["application/json"]["schema"]["$ref"].endswith("/EffortImpactReport")


def test_search_and_ordering_name_fields_as_clients_do(schema):
    parameters = {parameter["name"]: parameter for parameter in schema["paths"]["/residents"]["get"]["parameters"]}
    assert "`firstName`, `lastName`, `email`" in parameters["search"]["description"]
    ordering = parameters["ordering"]["description"]
    assert "* `lastName` - lastName\n" in ordering and "Lastname" not in ordering


def test_examples_are_valid_bodies(schema):
    """Every example in the document is a body its schema accepts, and the main resources each have one."""
    validated = set()
    for path, method, operation in operations(schema):
        bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
        bodies += [(code, response.get("content", {})) for code, response in operation["responses"].items()]
        for where, content in bodies:
            for body in content.values():
                for name, example in body.get("examples", {}).items():
                    assert_valid(schema, body["schema"], example["value"], f"{method} {path} {where} {name}")
                    validated.add((method, path, where))
    for path in ("/residents", "/placements", "/enrolments", "/modules", "/organisations", "/users", "/allocations",
                 "/transactions", "/co-financing"):  # fmt: skip
        assert {("post", path, "request"), ("get", path, "200")} <= validated, path
    assert {("get", "/reports/stages", "200"), ("post", "/pathways/{id}/transitions", "request")} <= validated


# --- The answers the API gives match what the schema says --------------------------------------------------


def _json_schema(node):
    """OpenAPI 3.0 → JSON Schema: `nullable` becomes an alternative of null."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    return {"anyOf": [node, {"type": "null"}]} if node.pop("nullable", False) else node


def assert_valid(schema: dict, body_schema: dict, body, where: str) -> None:
    root = {**_json_schema(body_schema), "components": _json_schema(schema["components"])}
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(body)]
    assert not errors, f"{where}: {errors[:5]}"


def assert_documented(schema: dict, method: str, path: str, response) -> None:
    documented = schema["paths"][path][method]["responses"].get(str(response.status_code))
    assert documented, f"{method.upper()} {path} answered an undocumented {response.status_code}"
    media_type = response["Content-Type"].split(";")[0]
    body_schema = documented["content"][media_type]["schema"]
    assert_valid(schema, body_schema, response.json(), f"{method.upper()} {path}")


@pytest.mark.django_db
def test_every_read_answers_as_documented(schema, api, coordinator, coach):
    resident = ResidentFactory(coach=coach, email="", phone="", date_of_birth=None)
    StageChangeFactory(pathway=resident.current_pathway)
    EnrolmentFactory(completed=True)
    PlacementFactory(declined=True)
    CheckInFactory(completed=True)
    ProgrammeFactory()
    NotificationFactory(recipient=coordinator)
    ProjectFactory()
    result = ResultFactory(approved=True)
    evaluation = EvaluationFactory()
    TransactionFactory()  # and its allocation
    CoFinancingFactory()
    api.as_user(coordinator)
    for path, method, operation in operations(schema):
        required_query = [p for p in operation.get("parameters", []) if p["in"] == "query" and p.get("required")]
        if method != "get" or path in ("/openapi.json", "/health") or required_query:
            continue
        url = "/api/v1" + path
        if "{id}" in path:
            collection = "/api/v1" + path.split("/{id}")[0]
            url = url.replace("{id}", str(api.get(collection).json()["results"][0]["id"]))
        assert_documented(schema, method, path, api.get(url))
    reports = {
        "/reports/effort-impact": {"round": evaluation.round},
        "/reports/indicators": {"project": result.period.project_id},
    }
    for path, query in reports.items():
        assert_documented(schema, "get", path, api.get("/api/v1" + path, query))

    api.as_user(coach)  # another role sees less: a programme without its budget
    assert_documented(schema, "get", "/programmes", api.get("/api/v1/programmes"))


@pytest.mark.django_db
def test_problems_answer_as_documented(schema, api, coordinator, coach):
    assert_documented(schema, "get", "/residents/{id}", APIClient().get("/api/v1/residents/1"))
    api.as_user(coordinator)
    assert_documented(schema, "get", "/residents/{id}", api.get("/api/v1/residents/999999"))
    assert_documented(schema, "get", "/residents", api.get("/api/v1/residents?page=99"))
    assert_documented(schema, "post", "/residents", api.post("/api/v1/residents", {}, format="json"))
    api.as_user(coach)  # to other roles the money's paths do not exist, also where no id is named
    assert_documented(schema, "post", "/allocations", api.post("/api/v1/allocations", {}, format="json"))


# --- The NL API Design Rules lint, as CI runs it ----------------------------------------------------------------


def test_the_kept_ruleset_is_the_shared_one():
    if not SHARED_RULESET.exists():
        pytest.skip(f"no shared ruleset at {SHARED_RULESET} to compare with")
    assert RULESET.read_bytes() == SHARED_RULESET.read_bytes()


@pytest.mark.node
def test_passes_the_api_design_rules_lint(served, tmp_path):
    document = tmp_path / "openapi.json"
    document.write_bytes(served.content)
    # The first run downloads Spectral from the npm registry; later runs take seconds.
    lint = subprocess.run(
        ["npx", "--yes", SPECTRAL, "lint", "--ruleset", str(RULESET), "--fail-severity", "error", str(document)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


# --- Swagger UI -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_swagger_ui_is_served_from_the_project_not_a_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "/api/v1/openapi.json" in page
    scripts = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
    sidecar = [url for url in scripts if "drf_spectacular_sidecar/swagger-ui-dist/" in url]
    assert any(url.endswith("swagger-ui-bundle.js") for url in sidecar), scripts
    assert not [url for url in scripts if url.startswith(("http:", "https:", "//"))], scripts
    for url in sidecar:
        assert finders.find(url[url.index("drf_spectacular_sidecar/") :]), url
