"""Realistic bodies for the API documentation (Swagger UI shows them as the example of each request and answer):
modules and enrolments."""

from ..journey.examples import RESIDENT_NAME

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
