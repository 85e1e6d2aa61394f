"""Realistic bodies for the API documentation (Swagger UI shows them as the example of each request and answer):
placements and check-ins."""

from ..journey.examples import RESIDENT_NAME

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
