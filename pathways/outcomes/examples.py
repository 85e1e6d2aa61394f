"""Realistic bodies for the API documentation (Swagger UI shows them as the example of each request and answer):
the reports, as JSON and as CSV."""


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
