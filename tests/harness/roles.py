"""The role matrix of contract §3: what each role may do with each routed action, on an object inside its scope
and on one outside it.

The expectations are the contract's, written out by hand; they are not derived from the code's own tables
(selectors.SCOPES, the viewsets' `roles`), or the tests built on them could not fail.
"""

import pytest

from tests.harness.routes import ROUTES
from tests.harness.world import IN, OUT

ROLES = ["coordinator", "superuser", "coach", "employer", "educator", "partner", "anonymous"]


ALL, OWN, NONE = frozenset({IN, OUT}), frozenset({IN}), frozenset()
SCOPED = (200, 404)  # works inside the caller's scope; outside it the object does not exist
FORBIDDEN = (403, 404)  # visible but not the caller's to change; outside the scope it does not exist
FOREIGN_KEY = (201, 400)  # creates with a foreign key in scope; one outside it "does not exist"


def row(coordinator, coach, employer, educator, anonymous=401) -> dict:
    """A list's visible sides, or a status; a pair is (inside the caller's scope, outside it).
    A superuser acts as a coordinator."""
    return {
        "coordinator": coordinator,
        "coach": coach,
        "employer": employer,
        "educator": educator,
        "anonymous": anonymous,
    }


REFERENCE_DATA = {  # organisations, neighbourhoods, programmes: everyone signed in reads, coordinators write
    "list": row(ALL, ALL, ALL, ALL),
    "retrieve": row(200, 200, 200, 200),
    "create": row(201, 403, 403, 403),
    "partial_update": row(200, 403, 403, 403),
}

EXPECTED: dict[tuple[str, str], dict] = {
    **{
        (basename, action): cell
        for basename in ("organisation", "neighbourhood", "programme")
        for action, cell in REFERENCE_DATA.items()
    },
    # Users: coordinators only, reads included.
    ("user", "list"): row(ALL, 403, 403, 403),
    ("user", "retrieve"): row(200, 403, 403, 403),
    ("user", "create"): row(201, 403, 403, 403),
    ("user", "partial_update"): row(200, 403, 403, 403),
    # Residents: a coach's own caseload; employers and educators see residents only by name, inside their rows.
    ("resident", "list"): row(ALL, OWN, NONE, NONE),
    ("resident", "retrieve"): row(200, SCOPED, 404, 404),
    ("resident", "create"): row(201, 201, 403, 403),
    ("resident", "partial_update"): row(200, SCOPED, 404, 404),
    ("resident", "erase"): row(204, FORBIDDEN, 404, 404),  # erasure: coordinators only
    ("pathway", "list"): row(ALL, OWN, NONE, NONE),
    ("pathway", "retrieve"): row(200, SCOPED, 404, 404),
    ("pathway", "create"): row(201, FOREIGN_KEY, 403, 403),
    ("pathway", "transitions"): row(200, SCOPED, 404, 404),
    ("pathway", "history"): row(200, SCOPED, 404, 404),
    # Modules: the whole catalogue for coaches, their own organisation's for educators; coordinators write.
    ("module", "list"): row(ALL, ALL, NONE, OWN),
    ("module", "retrieve"): row(200, 200, 404, SCOPED),
    ("module", "create"): row(201, 403, 403, 403),
    ("module", "partial_update"): row(200, 403, 404, FORBIDDEN),
    # Enrolments: coaches enrol their residents; educators record attendance and completion in their modules.
    ("enrolment", "list"): row(ALL, OWN, NONE, OWN),
    ("enrolment", "retrieve"): row(200, SCOPED, 404, SCOPED),
    ("enrolment", "create"): row(201, FOREIGN_KEY, 403, 403),
    ("enrolment", "partial_update"): row(200, FORBIDDEN, 404, SCOPED),
    ("enrolment", "complete"): row(200, FORBIDDEN, 404, SCOPED),
    ("enrolment", "drop"): row(200, FORBIDDEN, 404, SCOPED),
    # Placements: coaches propose; the employer confirms or declines; the employer or the coach ends one.
    ("placement", "list"): row(ALL, OWN, OWN, NONE),
    ("placement", "retrieve"): row(200, SCOPED, SCOPED, 404),
    ("placement", "create"): row(201, FOREIGN_KEY, 403, 403),
    ("placement", "confirm"): row(200, FORBIDDEN, SCOPED, 404),
    ("placement", "decline"): row(200, FORBIDDEN, SCOPED, 404),
    ("placement", "end"): row(200, SCOPED, SCOPED, 404),
    ("check-in", "list"): row(ALL, OWN, NONE, NONE),
    ("check-in", "retrieve"): row(200, SCOPED, 404, 404),
    ("check-in", "complete"): row(200, SCOPED, 404, 404),
    # Notifications: each user their own, coordinators too.
    ("notification", "list"): row(OWN, OWN, OWN, OWN),
    ("notification", "retrieve"): row(SCOPED, SCOPED, SCOPED, SCOPED),
    ("notification", "read"): row(SCOPED, SCOPED, SCOPED, SCOPED),
    # The access log: coordinators only.
    ("access-log", "list"): row(ALL, 403, 403, 403),
    # Projects (§11): everyone signed in reads them, coordinators write.
    **{("project", action): cell for action, cell in REFERENCE_DATA.items()},
    **{("indicator", action): cell for action, cell in REFERENCE_DATA.items()},
    # A project's periods, results and evaluations: coordinators, and the project's members whatever their role.
    ("indicator-period", "list"): row(ALL, OWN, OWN, OWN),
    ("indicator-period", "retrieve"): row(200, SCOPED, SCOPED, SCOPED),
    ("indicator-period", "create"): row(201, 403, 403, 403),
    ("indicator-period", "partial_update"): row(200, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("result", "list"): row(ALL, OWN, OWN, OWN),
    ("result", "retrieve"): row(200, SCOPED, SCOPED, SCOPED),
    ("result", "create"): row(201, FOREIGN_KEY, FOREIGN_KEY, FOREIGN_KEY),
    ("result", "partial_update"): row(200, SCOPED, SCOPED, SCOPED),
    ("result", "submit"): row(200, SCOPED, SCOPED, SCOPED),
    ("result", "approve"): row(200, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("result", "return_"): row(200, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("evaluation", "list"): row(ALL, OWN, OWN, OWN),
    ("evaluation", "retrieve"): row(200, SCOPED, SCOPED, SCOPED),
    ("evaluation", "create"): row(201, 403, 403, 403),
}

# Money (§12): coordinators only; to every other role, partners included, the paths do not exist.
MONEY = {
    ("allocation", "list"): ALL,
    ("allocation", "retrieve"): 200,
    ("allocation", "create"): 201,
    ("allocation", "partial_update"): 200,
    ("transaction", "list"): ALL,
    ("transaction", "retrieve"): 200,
    ("transaction", "create"): 201,
    ("co-financing", "list"): ALL,
    ("co-financing", "retrieve"): 200,
    ("co-financing", "create"): 201,
    ("co-financing", "partial_update"): 200,
    ("co-financing", "destroy"): 204,
}
EXPECTED |= {key: row(cell, 404, 404, 404) for key, cell in MONEY.items()}

# Partners (§3, §11): like everyone, the reference data, the projects and the module catalogue; nothing of
# residents — 404 on each, and no such list — and no user but themselves.
PARTNER = {
    **{
        (basename, action): cell["educator"]
        for (basename, action), cell in EXPECTED.items()
        if basename in ("organisation", "neighbourhood", "programme", "project", "indicator")
        or basename in ("indicator-period", "result", "evaluation")  # as a member of the project, like any role
    },
    **{
        (basename, action): 404
        for basename, action in EXPECTED
        if basename in ("resident", "pathway", "enrolment", "placement", "check-in")
    },
    ("user", "list"): 403,
    ("user", "retrieve"): 403,
    ("user", "create"): 403,
    ("user", "partial_update"): 403,
    ("module", "list"): ALL,
    ("module", "retrieve"): 200,
    ("module", "create"): 403,
    ("module", "partial_update"): 403,
    ("notification", "list"): OWN,
    ("notification", "retrieve"): SCOPED,
    ("notification", "read"): SCOPED,
    ("access-log", "list"): 403,
    **dict.fromkeys(MONEY, 404),
}
for key, cell in PARTNER.items():
    EXPECTED[key]["partner"] = cell


# The routes outside the router: url name → (method, query, status by role).
def expected(key: tuple[str, str], role: str, side: str):
    value = EXPECTED[key]["coordinator" if role == "superuser" else role]
    return value[0 if side == IN else 1] if isinstance(value, tuple) else value


def _lists() -> list:
    """(role, basename, action) for every GET route that answers many rows, and every role that sees them."""
    cells = []
    for (basename, action), route in ROUTES.items():
        if route.method != "get" or action == "retrieve":
            continue
        for role in ROLES:
            seen = expected((basename, action), role, IN)
            if seen == 200 or (isinstance(seen, frozenset) and IN in seen):
                cells.append(pytest.param(role, basename, action, id=f"{role}-{basename}-{action}"))
    return cells


LISTS = _lists()
