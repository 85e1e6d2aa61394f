"""Realistic bodies for the API documentation (Swagger UI shows them as the example of each request and answer)."""

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

MODULE = {
    "id": 9,
    "title": "Warmtepompen installeren",
    "theme": "energy_transition",
    "provider": 15,
    "hours": 120,
    "capacity": 16,
    "startsOn": "2026-10-05",
    "endsOn": "2027-01-29",
    "project": None,
}
MODULE_REQUEST = {key: value for key, value in MODULE.items() if key != "id"}

ENROLMENT = {
    "id": 131,
    "pathway": 58,
    "module": 9,
    "resident": RESIDENT_NAME,
    "status": "completed",
    "enrolledAt": "2026-09-21T14:05:00+02:00",
    "completedAt": "2027-01-29T16:00:00+01:00",
    "droppedAt": None,
    "attendedHours": 112,
}
ENROLMENT_REQUEST = {"pathway": 58, "module": 9}
ATTENDANCE_REQUEST = {"attendedHours": 64}
ENROLMENT_COMPLETE_REQUEST = {"attendedHours": 112}

PLACEMENT = {
    "id": 27,
    "pathway": 58,
    "resident": RESIDENT_NAME,
    "employer": 21,
    "jobTitle": "Monteur warmtepompen",
    "startDate": "2027-02-15",
    "hoursPerWeek": 32,
    "contractType": "fixed_term",
    "status": "confirmed",
    "proposedAt": "2027-02-02T11:20:00+01:00",
    "proposedBy": 7,
    "confirmedAt": "2027-02-04T09:15:00+01:00",
    "confirmedBy": 33,
    "declinedAt": None,
    "declineReason": "",
    "endDate": None,
    "endReason": "",
}
PLACEMENT_REQUEST = {
    "pathway": 58,
    "employer": 21,
    "jobTitle": "Monteur warmtepompen",
    "startDate": "2027-02-15",
    "hoursPerWeek": 32,
    "contractType": "fixed_term",
}
PLACEMENT_DECLINE_REQUEST = {"reason": "De vacature is intern ingevuld."}
PLACEMENT_END_REQUEST = {"endDate": "2027-08-14", "endReason": "contract_ended"}

CHECK_IN = {
    "id": 311,
    "placement": 27,
    "resident": RESIDENT_NAME,
    "day": 30,
    "dueOn": "2027-03-17",
    "status": "completed",
    "completedAt": "2027-03-16T15:40:00+01:00",
    "outcome": "at_risk",
    "notes": "Werk bevalt, maar de reis naar Delft kost haar veel tijd.",
    "supportNeeds": ["transport"],
}
CHECK_IN_COMPLETE_REQUEST = {
    "outcome": "at_risk",
    "notes": "Werk bevalt, maar de reis naar Delft kost haar veel tijd.",
    "supportNeeds": ["transport"],
}

ACCESS_LOG_ENTRY = {
    "id": 90211,
    "at": "2027-03-16T15:38:12+01:00",
    "user": 7,
    "role": "coach",
    "resident": 42,
    "method": "GET",
    "path": "/api/v1/residents/42",
}


def _milestone(eligible: int, retained: int) -> dict:
    return {"eligible": eligible, "retained": retained, "rate": round(retained / eligible, 4) if eligible else None}


RETENTION_REPORT = {
    "results": [
        {
            "group": {"id": 3, "name": "Moerwijk"},
            "placements": 14,
            "milestones": {"30": _milestone(12, 11), "90": _milestone(9, 7), "180": _milestone(6, 4),
                           "365": _milestone(0, 0)},
        },
        {
            "group": {"id": None, "name": None},
            "placements": 2,
            "milestones": {"30": _milestone(2, 2), "90": _milestone(1, 1), "180": _milestone(0, 0),
                           "365": _milestone(0, 0)},
        },
    ]
}  # fmt: skip
RETENTION_REPORT_CSV = (
    "groupId,groupName,placements,eligible30,retained30,rate30,eligible90,retained90,rate90,"
    "eligible180,retained180,rate180,eligible365,retained365,rate365\r\n"
    "3,Moerwijk,14,12,11,0.9167,9,7,0.7778,6,4,0.6667,0,0,\r\n"
    ",,2,2,2,1.0,1,1,1.0,0,0,,0,0,\r\n"
)

STAGES_REPORT = {
    "results": [
        {
            "group": {"id": 6, "name": "Bouwlust"},
            "stages": {"intake": 8, "learning": 21, "job_search": 13, "placed": 9, "completed": 4, "exited": 2},
            "total": 57,
        },
        {
            "group": {"id": 3, "name": "Moerwijk"},
            "stages": {"intake": 11, "learning": 30, "job_search": 17, "placed": 14, "completed": 6, "exited": 3},
            "total": 81,
        },
        {
            "group": {"id": None, "name": None},
            "stages": {"intake": 2, "learning": 0, "job_search": 1, "placed": 0, "completed": 0, "exited": 0},
            "total": 3,
        },
    ]
}
STAGES_REPORT_CSV = (
    "groupId,groupName,intake,learning,job_search,placed,completed,exited,total\r\n"
    "6,Bouwlust,8,21,13,9,4,2,57\r\n"
    "3,Moerwijk,11,30,17,14,6,3,81\r\n"
    ",,2,0,1,0,0,0,3\r\n"
)
