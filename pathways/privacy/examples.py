"""Realistic bodies for the API documentation (Swagger UI shows them as the example of each request and answer):
the access log."""

ACCESS_LOG_ENTRY = {
    "id": 90211,
    "at": "2027-03-16T15:38:12+01:00",
    "user": 7,
    "role": "coach",
    "resident": 42,
    "method": "GET",
    "path": "/api/v1/residents/42",
}
