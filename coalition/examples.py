"""Realistic bodies for the API documentation (Swagger UI shows them as the example of each request and answer)."""

NEIGHBOURHOOD = {"id": 3, "name": "Moerwijk", "city": "Den Haag"}
NEIGHBOURHOOD_REQUEST = {"name": "Vollenhove", "city": "Zeist"}

ORGANISATION = {"id": 12, "name": "Staedion", "kind": "housing_corporation", "neighbourhoods": [3, 4], "isActive": True}
ORGANISATION_REQUEST = {"name": "Buurtcentrum De Boog", "kind": "neighbourhood_organisation", "neighbourhoods": [3]}

PROGRAMME = {
    "id": 1,
    "name": "Regio Deal Den Haag Zuidwest",
    "budget": "2500000.00",
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
