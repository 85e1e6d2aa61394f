"""Realistic answers for the docs page."""

NOTIFICATION = {
    "id": 804,
    "kind": "check_in_due",
    "subject": "Check-in due: Sanne de Jong, day 30",
    "body": "Sanne de Jong started as Monteur warmtepompen at Eneco Installatie on 2027-02-15. Their day-30 "
    "check-in is due on 2027-03-17. Record it in Werkpad once you have spoken with them.",
    "createdAt": "2027-03-17T07:00:02+01:00",
    "readAt": None,
    "objectType": "check_in",
    "objectId": 311,
}
