"""Realistic bodies for the API documentation (Swagger UI shows them as the example of each request and answer):
residents and pathways."""

RESIDENT_NAME = {"id": 42, "firstName": "Sanne", "lastName": "de Jong"}

RESIDENT = {
    **RESIDENT_NAME,
    "email": "sanne.dejong@example.nl",
    "phone": "06 12345678",
    "dateOfBirth": "1994-03-17",
    "neighbourhood": 3,
    "coach": 7,
    "programme": 1,
    "consentGivenAt": "2026-09-14T10:30:00+02:00",
    "createdAt": "2026-09-14T10:32:11+02:00",
    "currentPathway": {"id": 58, "stage": "learning"},
}
RESIDENT_REQUEST = {
    "firstName": "Mohamed",
    "lastName": "Bakker",
    "email": "m.bakker@example.nl",
    "phone": "06 87654321",
    "dateOfBirth": "1988-11-02",
    "neighbourhood": 5,
    "programme": 1,
    "consentGivenAt": "2026-11-27T09:00:00+01:00",
}

PATHWAY = {
    "id": 58,
    "resident": 42,
    "stage": "job_search",
    "startedAt": "2026-09-14T10:32:11+02:00",
    "closedAt": None,
    "exitReason": "",
}
PATHWAY_REQUEST = {"resident": 42}
TRANSITION_REQUEST = {"to": "job_search", "note": "Certificaat warmtepompinstallateur behaald."}
EXIT_REQUEST = {"to": "exited", "note": "Verhuisd naar Rotterdam.", "exitReason": "Verhuisd buiten de regio"}

STAGE_CHANGE = {  # the history is a list of these, its first entry the opening (`fromStage` null)
    "fromStage": "intake",
    "toStage": "learning",
    "at": "2026-09-21T14:05:00+02:00",
    "by": 7,
    "note": "Ingeschreven voor Warmtepompen installeren.",
}
