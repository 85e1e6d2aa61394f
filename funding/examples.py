"""Realistic bodies for the API documentation: the Regio Deal Den Haag Zuidwest and the NPLV paying for a local work
company in Zuidwest (Swagger UI shows them as the example of each request and answer)."""

ALLOCATION = {
    "id": 14,
    "programme": 1,
    "project": 2,
    "year": 2026,
    "amount": "450000.00",
    "spent": "182340.50",
    "remaining": "267659.50",
}
ALLOCATION_REQUEST = {"programme": 1, "project": 2, "year": 2026, "amount": "450000.00"}
ALLOCATION_CHANGE = {"amount": "520000.00"}

TRANSACTION = {
    "id": 311,
    "programme": 1,
    "project": 2,
    "kind": "expenditure",
    "date": "2026-03-31",
    "amount": "12480.00",
    "receiver": 15,
    "description": "Two work coaches of the Lokaal Werkbedrijf Zuidwest, March 2026.",
    "createdBy": 4,
    "createdAt": "2026-04-02T10:15:00+02:00",
}
TRANSACTION_REQUEST = {key: value for key, value in TRANSACTION.items() if key not in ("id", "createdBy", "createdAt")}
CORRECTION_REQUEST = {
    **TRANSACTION_REQUEST,
    "date": "2026-04-03",
    "amount": "-1240.00",
    "description": "Correction: March's invoice counted one coach's holiday twice.",
}

CO_FINANCING = {
    "id": 8,
    "project": 2,
    "organisation": 12,
    "year": 2026,
    "amount": "85000.00",
    "form": "in_kind",
    "sector": "private",
}
CO_FINANCING_REQUEST = {key: value for key, value in CO_FINANCING.items() if key != "id"}
CO_FINANCING_CHANGE = {"amount": "92500.00"}
