"""Realistic bodies for the API documentation (Swagger UI shows them as the example of each request and answer)."""

NEIGHBOURHOOD = {"id": 3, "name": "Moerwijk", "city": "Den Haag"}
NEIGHBOURHOOD_REQUEST = {"name": "Vollenhove", "city": "Zeist"}

ORGANISATION = {"id": 12, "name": "Staedion", "kind": "housing_corporation", "neighbourhoods": [3, 4], "isActive": True}
ORGANISATION_REQUEST = {"name": "Buurtcentrum De Boog", "kind": "neighbourhood_organisation", "neighbourhoods": [3]}

PROGRAMME = {
    "id": 1,
    "name": "Regio Deal Den Haag Zuidwest",
    "kind": "regio_deal",
    "funder": 1,
    "budget": "7500000.00",
    "coFinancingRatio": "1.00",
    "startsOn": "2026-01-01",
    "endsOn": "2028-12-31",
    "checkInDays": [7, 30, 90, 180, 365],
}
PROGRAMME_REQUEST = {key: value for key, value in PROGRAMME.items() if key != "id"}

USER = {
    "id": 7,
    "username": "fatima.elamrani",
    "email": "f.elamrani@werkpad.example",
    "firstName": "Fatima",
    "lastName": "El Amrani",
    "role": "coach",
    "organisation": 12,
    "isActive": True,
}
USER_REQUEST = {
    "username": "jeroen.vandijk",
    "email": "j.vandijk@werkpad.example",
    "firstName": "Jeroen",
    "lastName": "van Dijk",
    "role": "coach",
    "organisation": 12,
    "password": "Zuidwest-aan-het-werk-2026",
}

PROJECT = {
    "id": 2,
    "name": "Participatiekeuken",
    "description": "A community kitchen: 120,000 meals a year, cooked by residents learning the trade.",
    "leadOrganisation": 12,
    "partners": [15],
    "neighbourhoods": [3],
    "domains": [
        {"domain": "participation_poverty", "share": 40},
        {"domain": "work_economy", "share": 35},
        {"domain": "social_cohesion", "share": 25},
    ],
    "startsOn": "2024-01-01",
    "endsOn": None,
    "status": "active",
    "location": {"name": "Buurthuis De Henneburg", "demolitionOn": None},
    "continuity": {
        "fundedUntil": "2027-12-31",
        "plan": "Structural funding from the municipality.",
        "successorFunder": 1,
    },
    "risks": [],
    "isPearl": True,
}
PROJECT_REQUEST = {key: value for key, value in PROJECT.items() if key not in ("id", "status", "isPearl")}
