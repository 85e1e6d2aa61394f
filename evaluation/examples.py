"""Realistic answers for the API documentation (Swagger UI shows them as the example of each report)."""

EFFORT_IMPACT_REPORT = {
    "round": "2026",
    "results": [
        {
            "project": {"id": 4, "name": "Lokaal werkbedrijf Allekanten"},
            "impact": "4.5",
            "effort": "3.5",
            "quadrant": "major_project",
            "decision": "continue",
            "isPearl": True,
            "domains": [
                {"domain": "work_economy", "share": 50},
                {"domain": "living_environment", "share": 30},
                {"domain": "social_cohesion", "share": 20},
            ],
        },
        {
            "project": {"id": 2, "name": "Participatiekeuken"},
            "impact": "4.0",
            "effort": "2.5",
            "quadrant": "quick_win",
            "decision": "continue",
            "isPearl": True,
            "domains": [
                {"domain": "participation_poverty", "share": 40},
                {"domain": "work_economy", "share": 35},
                {"domain": "social_cohesion", "share": 25},
            ],
        },
    ],
}
# The start of the image: one <text> per label (abridged).
EFFORT_IMPACT_SVG = (
    '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="576pt" height="432pt" viewBox="0 0 576 432">\n'
    '  <text x="80" y="40" style="font-style: italic">quick win</text>\n'
    '  <text x="302" y="121">Participatiekeuken</text>\n'
    "</svg>\n"
)

INDICATOR_REPORT = {
    "project": {"id": 2, "name": "Participatiekeuken"},
    "results": [
        {
            "indicator": {"id": 3, "name": "Encounters a week", "unit": "encounters", "direction": "increase"},
            "periodStart": "2026-01-01",
            "periodEnd": "2026-12-31",
            "baseline": "900.00",
            "target": "1100.00",
            "actual": "1045.00",
            "progress": 0.95,
        },
        {
            "indicator": {"id": 6, "name": "Residents reached", "unit": "residents", "direction": "increase"},
            "periodStart": "2026-01-01",
            "periodEnd": "2026-12-31",
            "baseline": None,
            "target": "60.00",
            "actual": "48.00",
            "progress": 0.8,
        },
    ],
}
