"""Malformed requests, as tables of the writes and lists: none answers 5xx, none changes the database.

Every POST and PATCH the URL configuration routes (actions included, and logging in) starts from a body that
would succeed (the role matrix's) and is broken one way at a time. What the parser, the middleware and the strict
serializer do with the body as a whole (a non-object, malformed or deeply nested JSON, invalid UTF-8, the wrong
content type, unknown and read-only fields) and with the id in the path is the same for every write of one shape,
so each is asked of one write of each shape. Each kind of field (text, choice, id, ...) is given values of the
wrong type, impossible dates, ids beyond 64 bits, NUL bytes on its first field; every field is given what it
refuses by its own declaration (null, its bounds, its length, a rule of its own: OWN_BOUNDS, FIELD_VALUES).
Every list is asked with garbage in its filters (each filter class's parsing once, each filter's bounds) and, once
per way of paginating, in its pagination.

Each answer is a 4xx problem (`application/problem+json` with type, title, status and detail); a validation
error names the field in `invalidParams` as the request names it; and the row counts of every table, and the
fields of the object written to, are what they were before.
"""

import json
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import pytest
from django.urls import resolve, reverse
from django_filters import (
    BooleanFilter,
    CharFilter,
    ChoiceFilter,
    DateFilter,
    IsoDateTimeFilter,
    NumberFilter,
    OrderingFilter,
)

from api.serializers import ID_PATTERN
from tests.factories import UserFactory
from tests.harness.database import snapshot
from tests.harness.http import assert_problem
from tests.harness.routes import ROUTES, api_patterns
from tests.harness.world import CALLS, IN, PLAIN_WRITES, WRITES, new_world

HUGE = "x" * 1_000_000  # a megabyte of text
MISSING = object()

# --- What a field is, for breaking it ------------------------------------------------------------------------

OBJECT, OBJECT_LIST = "object", "object_list"
TEXT, CHOICE, ID, INT, DATE, DATETIME, DECIMAL, BOOL, ID_LIST, INT_LIST, CHOICE_LIST = (
    "text",
    "choice",
    "id",
    "int",
    "date",
    "datetime",
    "decimal",
    "bool",
    "id_list",
    "int_list",
    "choice_list",
)

KINDS = {
    "name": TEXT,
    "kind": CHOICE,
    "isActive": BOOL,
    "neighbourhoods": ID_LIST,
    "city": TEXT,
    "budget": DECIMAL,
    "startsOn": DATE,
    "endsOn": DATE,
    "checkInDays": INT_LIST,
    "username": TEXT,
    "password": TEXT,
    "role": CHOICE,
    "organisation": ID,
    "firstName": TEXT,
    "lastName": TEXT,
    "email": TEXT,
    "phone": TEXT,
    "dateOfBirth": DATE,
    "neighbourhood": ID,
    "programme": ID,
    "consentGivenAt": DATETIME,
    "resident": ID,
    "to": CHOICE,
    "note": TEXT,
    "title": TEXT,
    "theme": CHOICE,
    "provider": ID,
    "hours": INT,
    "capacity": INT,
    "pathway": ID,
    "module": ID,
    "attendedHours": INT,
    "employer": ID,
    "jobTitle": TEXT,
    "startDate": DATE,
    "hoursPerWeek": INT,
    "contractType": CHOICE,
    "reason": TEXT,
    "endDate": DATE,
    "endReason": CHOICE,
    "outcome": CHOICE,
    "notes": TEXT,
    "supportNeeds": CHOICE_LIST,
    "description": TEXT,
    "leadOrganisation": ID,
    "partners": ID_LIST,
    "domains": OBJECT_LIST,
    "location": OBJECT,
    "continuity": OBJECT,
    "risks": OBJECT_LIST,
    "unit": TEXT,
    "direction": CHOICE,
    "aggregation": CHOICE,
    "source": CHOICE,
    "project": ID,
    "indicator": ID,
    "periodStart": DATE,
    "periodEnd": DATE,
    "baseline": DECIMAL,
    "target": DECIMAL,
    "year": INT,
    "amount": DECIMAL,
    "date": DATE,
    "receiver": ID,
    "form": CHOICE,
    "sector": CHOICE,
    "period": ID,
    "value": DECIMAL,
    "measuredOn": DATE,
    "round": TEXT,
    "impact": DECIMAL,
    "effort": DECIMAL,
    "decision": CHOICE,
    "rationale": TEXT,
    "reviewNote": TEXT,
}
NULLABLE = {
    "dateOfBirth",
    "neighbourhood",
    "programme",
    "location",
    "baseline",
    "target",
    "receiver",
}  # null is a valid value for these

WRONG_TYPES = [("list", []), ("object", {}), ("bool", True)]
BAD_IDS = [
    ("2**64", 2**64),
    ("2**63", 2**63),
    ("10**30", 10**30),
    ("minus-1", -1),
    ("zero", 0),
    ("1e3", "1e3"),
    ("float", 1.5),
    ("digits-5000", "1" * 5000),
    ("superscript-digit", "²"),
    ("trailing-text", "12abc"),
    ("digits-as-text", "12"),  # the schema says a number
    ("empty-text", ""),  # DRF would take it for null
    ("nul", "1\x00"),
]
BAD_VALUES: dict[str, list[tuple[str, object]]] = {
    TEXT: [("1mb", HUGE), ("nul", "a\x00b"), ("lone-surrogate", "\ud800"), ("number", 1), *WRONG_TYPES],
    CHOICE: [("unknown", "nope"), ("1mb", HUGE), ("nul", "\x00"), ("number", 1), *WRONG_TYPES],
    ID: [*BAD_IDS, *WRONG_TYPES],
    INT: [
        ("2**64", 2**64),
        ("10**30", 10**30),
        ("minus-1", -1),
        ("float", 1.5),
        ("1e3", "1e3"),
        ("text", "abc"),
        ("digits-as-text", "5"),
        ("digits-5000", "1" * 5000),
        *WRONG_TYPES,
    ],
    DATE: [
        ("february-30", "2026-02-30"),
        ("year-0", "0000-01-01"),
        ("month-13", "2026-13-01"),
        ("year-10000", "10000-01-01"),
        ("yesterday", "yesterday"),
        ("1mb", HUGE),
        ("nul", "2026-01-01\x00"),
        ("number", 20260101),
        *WRONG_TYPES,
    ],
    DATETIME: [
        ("february-30", "2026-02-30T10:00:00+01:00"),
        ("year-0", "0000-01-01T00:00:00Z"),
        ("hour-25", "2026-01-01T25:00:00+01:00"),
        ("offset-25h", "2026-01-01T10:00:00+25:00"),
        ("after-year-9999-in-amsterdam", "9999-12-31T23:59:59-12:00"),
        ("before-year-1-in-utc", "0001-01-01T00:00:00+14:00"),
        ("before-1937-in-amsterdam", "1900-01-01T00:00:00Z"),  # its offset then had seconds: +00:19:32
        ("without-offset", "2026-11-01T10:00:00"),  # whose local time? (contract §1)
        ("yesterday", "yesterday"),
        ("1mb", HUGE),
        ("nul", "2026-01-01T10:00:00\x00"),
        ("number", 1767222000),
        *WRONG_TYPES,
    ],
    DECIMAL: [
        ("nan", "NaN"),
        ("infinity", "Infinity"),
        ("negative", "-1"),
        ("1e400", "1e400"),
        ("10**30", 10**30),
        ("digits-5000", "1" * 5000),
        ("text", "abc"),
        ("number", 5),  # a decimal string
        *WRONG_TYPES,
    ],
    BOOL: [
        ("text", "maybe"),
        ("text-true", "true"),
        ("number", 2),
        ("zero", 0),
        ("nul", "\x00"),
        ("list", []),
        ("object", {}),
    ],
    ID_LIST: [
        ("text", "x"),
        ("object", {}),
        *[(f"item-{label}", [value]) for label, value in BAD_IDS],
        ("null-item", [None]),
    ],
    INT_LIST: [
        ("text", "x"),
        ("object", {}),
        ("empty", []),
        ("item-2**64", [2**64]),
        ("item-minus-1", [-1]),
        ("item-float", [1.5]),
        ("item-digits-as-text", ["5"]),
        ("item-null", [None]),
        ("too-many", list(range(1, 100))),
    ],
    CHOICE_LIST: [
        ("text", "x"),
        ("object", {}),
        ("item-unknown", ["nope"]),
        ("item-null", [None]),
        ("item-list", [[]]),
        ("item-nul", ["\x00"]),
        ("too-many", ["other"] * 100),
    ],
    OBJECT: [("text", "x"), ("number", 1), ("list", []), ("bool", True)],
    OBJECT_LIST: [
        ("text", "x"),
        ("object", {}),
        ("item-text", ["x"]),
        ("item-null", [None]),
        ("item-list", [[]]),
    ],
}

# The values a field refuses by its own declaration (its bounds, its length): tried on every field of the kind.
# The kind's other values test its parsing, which every field of the kind shares: tried on its first field.
OWN_BOUNDS = {
    TEXT: {"1mb"},
    INT: {"2**64", "minus-1"},
    DECIMAL: {"negative", "10**30"},
    INT_LIST: {"empty", "item-2**64", "item-minus-1", "too-many"},
    CHOICE_LIST: {"too-many"},
}
# Fields that take what their kind's bounds refuse elsewhere: a correction is a negative transaction (contract §12).
TAKES = {("transaction", "amount"): {"negative"}}
# Values only some fields refuse, by a rule of their own: tried on every write that has the field.
# A start date further off than the contract allows (§6) is a 400, where one in the year 9999 was once taken and its
# confirmation then failed.
FIELD_VALUES: dict[str, list[tuple[str, object]]] = {
    "startDate": [("year-9999", "9999-12-31"), ("year-1", "0001-01-01"), ("ten-years-ago", "2016-01-01")]
}

# Fields a client may read but never write (by whom, where it depends on the role).
READ_ONLY = {
    "resident": {"createdAt": "2026-01-01T00:00:00Z", "currentPathway": {"id": 1, "stage": "placed"}},
    "pathway": {"stage": "placed", "startedAt": "2026-01-01T00:00:00Z", "closedAt": None, "exitReason": "x"},
    "enrolment": {"status": "completed", "enrolledAt": "2026-01-01T00:00:00Z", "completedAt": None},
    "placement": {"status": "confirmed", "confirmedBy": 1, "proposedBy": 1, "endDate": "2026-01-01"},
    "project": {"status": "stopped", "isPearl": True},
    "indicator-period": {"actual": "1.00", "progress": 1},
    "result": {"status": "approved", "submittedBy": 1, "reviewedBy": 1, "reviewNote": "x"},
    "evaluation": {"quadrant": "quick_win", "suggestedDecision": "stop", "decidedBy": 1, "decidedAt": None},
    "allocation": {"spent": "1.00", "remaining": "1.00"},
    "transaction": {"createdBy": 1, "createdAt": "2026-01-01T00:00:00Z"},
}

# --- The cases ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    label: str
    status: int = 400
    field: str | None = None  # the name invalidParams must give
    value: object = MISSING  # `field` set to this, in an otherwise valid body
    extra: dict = dataclass_field(default_factory=dict)  # added to an otherwise valid body
    raw: bytes | None = None  # the whole body
    content_type: str = "application/json"
    query: str = ""
    pk: str | None = None  # instead of the target's id in the path
    role: str = "coordinator"


WHOLE_BODY = [
    Case("body-list", raw=b"[]"),
    Case("body-string", raw=b'"x"'),
    Case("body-number", raw=b"1"),
    Case("body-null", raw=b"null"),
    Case("body-true", raw=b"true"),
    Case("json-truncated", raw=b'{"a": '),
    Case("json-single-quotes", raw=b"{'a': 1}"),
    Case("json-nan", raw=b"NaN"),
    Case("json-trailing-garbage", raw=b"{} x"),
    Case("json-trailing-comma", raw=b'{"a": 1,}'),
    Case("json-raw-nul", raw=b'{"a": "\x00"}'),
    Case("nested-10000-lists", raw=b"[" * 10_000 + b"]" * 10_000),
    Case("nested-10000-objects", raw=b'{"a":' * 10_000 + b"1" + b"}" * 10_000),
    Case("utf8-invalid", raw=b'{"a": "\xff\xfe"}'),
    Case("utf8-surrogate", raw=b'{"a": "\xed\xa0\x80"}'),
    Case("utf8-overlong", raw=b'{"a": "\xc0\xaf"}'),
    Case("unknown-field", field="bogusField", extra={"bogusField": 1}),
    Case("unknown-field-superuser", field="isSuperuser", extra={"isSuperuser": True}),
    Case("unknown-field-snake-case", field="is_superuser", extra={"is_superuser": True}),
    Case("unknown-field-with-nul", extra={"bo\x00gus": 1}),
    Case("read-only-id", field="id", extra={"id": 1}),
    Case("query-nul-value", query="x=%00"),
    Case("query-nul-key", query="%00=1"),
    *[
        Case(f"content-type-{name}", status=415, content_type=content_type)
        for name, content_type in [
            ("text", "text/plain"),
            ("form", "application/x-www-form-urlencoded"),
            ("multipart", "multipart/form-data; boundary=x"),
            ("xml", "application/xml"),
        ]
    ],
]
PATH_IDS = [
    Case("path-id-20-digits", status=404, pk="99999999999999999999"),
    Case("path-id-2**64", status=404, pk=str(2**64)),
    Case("path-id-negative", status=404, pk="-1"),
    Case("path-id-zero", status=404, pk="0"),
    Case("path-id-exponent", status=404, pk="1e3"),
    Case("path-id-float", status=404, pk="1.5"),
    Case("path-id-true", status=404, pk="true"),
    Case("path-id-fullwidth-digit", status=404, pk="\uff11"),
    Case("path-id-nul", status=400, pk="1%00"),
]
# Where an empty body leaves out something required (elsewhere an empty body is a valid "nothing to change").
BODY_REQUIRED = {
    key
    for key, call in CALLS.items()
    if key[1] != "partial_update" and key != ("enrolment", "complete") and call.body is not None
}

BODY_REQUIRED |= set(PLAIN_WRITES)


def _field_names(key) -> list[str]:
    """The fields of the endpoint's valid body; building one needs no database, only ids, so use a stand-in."""
    body = WRITES[key][1].body
    if not callable(body):
        return list(body or {})
    return list(BODY_FIELDS[key])


# The fields of the bodies built from the world, written out (a check below keeps this true).
BODY_FIELDS = {
    ("organisation", "create"): ["name", "kind", "neighbourhoods"],
    ("neighbourhood", "create"): ["name", "city"],
    ("programme", "create"): ["name", "budget", "startsOn", "endsOn", "checkInDays"],
    ("user", "create"): ["username", "password", "role", "organisation"],
    ("resident", "create"): [
        "firstName",
        "lastName",
        "email",
        "phone",
        "dateOfBirth",
        "neighbourhood",
        "programme",
        "consentGivenAt",
    ],
    ("pathway", "create"): ["resident"],
    ("module", "create"): ["title", "theme", "provider", "hours", "capacity", "startsOn", "endsOn"],
    ("enrolment", "create"): ["pathway", "module"],
    ("placement", "create"): ["pathway", "employer", "jobTitle", "startDate", "hoursPerWeek", "contractType"],
    ("placement", "end"): ["endDate", "endReason"],
    ("auth", "token"): ["username", "password"],
    ("indicator", "create"): ["name", "unit", "direction", "source"],
    ("indicator-period", "create"): ["project", "indicator", "periodStart", "periodEnd", "baseline", "target"],
    ("result", "create"): ["period", "value", "measuredOn", "note"],
    ("evaluation", "create"): ["project", "round", "impact", "effort", "decision"],
    ("project", "create"): [
        "name",
        "leadOrganisation",
        "partners",
        "domains",
        "startsOn",
        "location",
        "continuity",
        "risks",
    ],
    ("allocation", "create"): ["programme", "project", "year", "amount"],
    ("transaction", "create"): ["programme", "project", "kind", "date", "amount", "receiver", "description"],
    ("co-financing", "create"): ["project", "organisation", "year", "amount", "form", "sector"],
}


def _shape(key) -> tuple:
    """How a write is served, as the parser, the middleware and the strict serializer see it: each of the
    mechanisms in WHOLE_BODY and PATH_IDS is the same for every write of one shape."""
    route = WRITES[key][0]
    return route.method, route.detail, bool(_field_names(key)), key in PLAIN_WRITES


def _declared_at(key, name) -> tuple:
    """Where a field is declared: a resource's serializer, for its create and update alike, or an action's own."""
    basename, action = key
    return basename, "" if action in ("create", "partial_update") else action, name


def _write_cases() -> list:
    params, shapes, kinds, fields, resources = [], set(), set(), set(), set()
    for key in WRITES:
        basename, action = key
        route = WRITES[key][0]
        cases = []
        if _shape(key) not in shapes:
            shapes.add(_shape(key))
            cases += WHOLE_BODY + (PATH_IDS if route.detail else [])
        if key in BODY_REQUIRED:
            cases.append(Case("body-empty", raw=b""))
        for name in _field_names(key):
            if _declared_at(key, name) in fields:
                continue
            fields.add(_declared_at(key, name))
            kind = KINDS[name]
            values = [
                value
                for value in BAD_VALUES[kind]
                if (kind not in kinds or value[0] in OWN_BOUNDS.get(kind, ()))
                and value[0] not in TAKES.get((basename, name), ())
            ]
            kinds.add(kind)
            values += ([] if name in NULLABLE else [("null", None)]) + FIELD_VALUES.get(name, [])
            cases += [Case(f"{name}-{label}", field=name, value=value) for label, value in values]
        if action in ("create", "partial_update") and basename not in resources:
            resources.add(basename)
            cases += [
                Case(f"read-only-{name}", field=name, extra={name: value})
                for name, value in READ_ONLY.get(basename, {}).items()
            ]
        if key == ("resident", "create"):  # only coordinators assign coaches
            cases.append(Case("read-only-coach-for-a-coach", field="coach", extra={"coach": 1}, role="coach"))
        params += [pytest.param(key, case, id=f"{basename}-{action}-{case.label}") for case in cases]
    return params


WRITE_CASES = _write_cases()

# --- Helpers ------------------------------------------------------------------------------------------------


def encode(body) -> bytes:
    return json.dumps(body).encode()  # the standard library writes integers beyond 64 bits; ASCII with escapes


def assert_names(problem: dict, name: str | None) -> None:
    if problem["type"].endswith("/validation-error"):
        params = problem["invalidParams"]
        assert params and all(param.keys() == {"name", "reason"} for param in params), problem
        if name is not None:
            assert name in {param["name"] for param in params}, problem


# --- The tests ----------------------------------------------------------------------------------------------


def test_every_field_of_every_write_has_a_kind_to_break_it_by():
    for key, (_route, call) in WRITES.items():
        assert not callable(call.body) or key in BODY_FIELDS, f"{key}: write out the fields of its body"
        assert all(name in KINDS for name in _field_names(key)), f"{key}: a field has no kind to break it by"


def test_every_path_takes_its_id_as_the_path_id_cases_do():
    """The cases in PATH_IDS are asked of one path of each shape; every other takes its id the same way."""
    detail = [pattern for pattern in api_patterns() if "pk" in pattern.pattern.regex.groupindex]
    assert detail and all(f"(?P<pk>{ID_PATTERN})" in pattern.pattern.regex.pattern for pattern in detail)


@pytest.mark.django_db
def test_the_fields_written_out_are_the_bodies_fields(api):
    world = new_world()
    world.sign_in("coordinator")
    for key, fields in BODY_FIELDS.items():
        assert list(WRITES[key][1].body_for(world, IN)) == fields, key


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "case"), WRITE_CASES)
def test_malformed_write_is_refused_and_changes_nothing(key, case, api):
    world = new_world()
    client = api.as_user(world.sign_in(case.role))
    route, call = WRITES[key]
    target = world.make(key[0], IN, **call.state) if route.detail else None
    url = reverse(route.name, kwargs={"pk": target.pk} if target else None)
    if case.pk is not None:
        url = url.replace(f"/{target.pk}", f"/{case.pk}", 1)
    if case.raw is not None:
        data = case.raw
    else:
        body = dict(call.body_for(world, IN) or {})
        if case.value is not MISSING:
            body[case.field] = case.value
        data = encode({**body, **case.extra})
    before = snapshot(target)

    response = client.generic(
        route.method.upper(), f"{url}?{case.query}" if case.query else url, data, content_type=case.content_type
    )

    assert_names(assert_problem(response, case.status), case.field)
    assert snapshot(target) == before


# --- Lists with garbage in the query ------------------------------------------------------------------------

PAGINATION = [
    ("pageSize=abc", 400),  # an unusable page size is refused, as the schema says (an integer, 1 or more)
    ("pageSize=-1", 400),
    ("pageSize=0", 400),
    ("pageSize=99999999999999999999", 200),  # served as 200 rows
    ("page=0", 404),
    ("page=99999", 404),
    ("page=abc", 404),
    ("page=" + "9" * 5000, 404),
    ("x=%00", 400),
    ("%00=1", 400),
    ("search=" + "%00" * 3, 400),
    ("&".join(f"unknown{n}=1" for n in range(1000)), 200),  # unknown parameters are ignored
    ("unknown=" + "y" * 1_000_000, 200),
]


def _garbage(name: str, filter_) -> list[str]:
    """Values no filter of that kind can take."""
    if isinstance(filter_, OrderingFilter):
        return ["nope", "-nope", "password", ",", "id,"]  # an empty item would drop the list's order
    if isinstance(filter_, ChoiceFilter):
        return ["nope", "x" * 10_000]
    if isinstance(filter_, DateFilter):
        return ["2026-13-01", "2026-02-30", "yesterday", "0000-01-01"]
    if isinstance(filter_, IsoDateTimeFilter):
        return [
            "2026-13-01T09:00:00+01:00",
            "2026-02-30T09:00",
            "2026-11-27T25:00",
            "yesterday",
            "09:00",
            "2026-11-01T10:00:00",  # without its offset (contract §1)
        ]
    if isinstance(filter_, NumberFilter):
        return ["99999999999999999999", str(2**63), "-1", "0", "1e3", "1.5", "abc", "²", "1" * 5000]
    if isinstance(filter_, BooleanFilter):
        return ["maybe", "2"]
    if isinstance(filter_, CharFilter):
        return ["x" * 10_000]
    raise AssertionError(f"no garbage for the filter {name} ({type(filter_).__name__})")


# The values a filter refuses by its own declaration (its bounds, its length): tried on every filter of the kind.
# The others test the parsing of the filter's class: tried on its first filter.
# (An ordering's fields are its own: none orders by a password.)
FILTER_BOUNDS = {NumberFilter: {str(2**63), "0"}, CharFilter: {"x" * 10_000}, OrderingFilter: {"password"}}


def _own_bounds(filter_) -> set[str]:
    return next((bounds for kind, bounds in FILTER_BOUNDS.items() if isinstance(filter_, kind)), set())


def _query_cases() -> list:
    cases, listings, filter_classes = [], set(), set()
    for (basename, action), route in ROUTES.items():
        if action != "list":
            continue
        view = resolve(reverse(route.name)).func.cls
        if (view.pagination_class, view.list) not in listings:  # paginated and listed as one before: the same
            listings.add((view.pagination_class, view.list))
            cases += [
                pytest.param(route, query, status, None, id=f"{basename}-{query[:40]}") for query, status in PAGINATION
            ]
        filterset = getattr(view, "filterset_class", None)
        for name, filter_ in (filterset.base_filters if filterset else {}).items():
            values = _garbage(name, filter_)
            if type(filter_) in filter_classes:
                values = [value for value in values if value in _own_bounds(filter_)]
            filter_classes.add(type(filter_))
            cases += [
                pytest.param(route, f"{name}={value}", 400, name, id=f"{basename}-{name}={value[:30]}")
                for value in values
            ]
    return cases


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "query", "status", "name"), _query_cases())
def test_list_with_garbage_in_the_query(route, query, status, name, api):
    client = api.as_user(UserFactory(coordinator=True))
    response = client.get(f"{reverse(route.name)}?{query}")
    if status == 200:
        assert response.status_code == 200, response.content[:2000]
    else:
        assert_names(assert_problem(response, status), name)
