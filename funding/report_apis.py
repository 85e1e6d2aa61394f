"""The money reports (contract §12): parse the query, call the selector, shape the answer as JSON or CSV.
Coordinators only; to anyone else they do not exist (404)."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework import serializers
from rest_framework.response import Response

from api.reports import ReportView, report_schema
from api.serializers import MAX_ID, Named, Serializer
from coalition.models import Domain, Programme
from coalition.permissions import OnlyCoordinatorsSee

from .models import MONEY
from .reports import ZERO, domain_report, programme_accountability


def money(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY, help_text=help_text)


class ProgrammeNamed(Named):
    kind = serializers.ChoiceField(choices=Programme.Kind.choices)


class AccountabilityProjectSerializer(Serializer):
    project = Named()
    allocated = money("The programme's allocation to the project for the year.")
    spent_in_year = money("Its expenditures dated in the year.")
    spent_cumulative = money("Its expenditures up to the year's end.")
    co_financing_cumulative = money("The programme's share of the project's co-financing up to the year's end.")
    finished = serializers.BooleanField(help_text="The project is `stopped` or `completed`.")


class ProgrammeAccountabilityReportSerializer(Serializer):
    programme = ProgrammeNamed()
    year = serializers.IntegerField()
    budget = money("The programme's whole budget.")
    allocated = money("Its allocations for the year.")
    committed = money("Commitments against those allocations.")
    disbursed = money("Disbursements against those allocations.")
    spent_in_year = money("Expenditures dated in the year.")
    spent_cumulative = money("Expenditures up to the year's end.")
    co_financing_cumulative = money("Its proportional share of the co-financing up to the year's end.")
    co_financing_required = money("`coFinancingRatio` times `spentCumulative`, to the cent.")
    co_financing_met = serializers.BooleanField(help_text="`coFinancingCumulative` ≥ `coFinancingRequired`.")
    residents_reached = serializers.IntegerField(
        help_text="Residents of this programme with an enrolment, or a placement proposed, in the year."
    )
    placements = serializers.IntegerField(help_text="Their placements proposed in the year that started.")
    retained180 = serializers.IntegerField(help_text="Of those, the ones retained at day 180 (section 8).")
    projects = AccountabilityProjectSerializer(many=True)


class DomainProgrammeSerializer(Serializer):
    programme = Named()
    spent = money("What the programme's expenditures put into the domain.")


class DomainRowSerializer(Serializer):
    domain = serializers.ChoiceField(
        choices=Domain.choices, allow_null=True, help_text="`null`: the spending of projects without domains."
    )
    spent = money("The domain's part of the year's expenditures.")
    by_programme = DomainProgrammeSerializer(many=True)
    projects = serializers.IntegerField(help_text="Projects whose expenditures in the year reached the domain.")


class DomainsReportSerializer(Serializer):
    year = serializers.IntegerField()
    spent = money("All expenditures dated in the year: the domains' `spent` add up to exactly this.")
    results = DomainRowSerializer(many=True)


YEAR = serializers.IntegerField(min_value=2000, max_value=2100, help_text="The calendar year, e.g. 2026.")


class AccountabilityQuerySerializer(serializers.Serializer):  # query parameters: others (e.g. format) are ignored
    programme = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The programme's id.")
    year = YEAR


class DomainsQuerySerializer(serializers.Serializer):
    year = YEAR


class MoneyReportView(ReportView):
    permission_classes = [OnlyCoordinatorsSee]
    answer_serializer: type[Serializer]

    def answer(self, report: dict) -> Response:
        return Response(self.answer_serializer(report).data)


ACCOUNTABILITY_REPORT = {
    "programme": {"id": 1, "name": "Regio Deal Den Haag Zuidwest", "kind": "regio_deal"},
    "year": 2026,
    "budget": "7500000.00",
    "allocated": "1850000.00",
    "committed": "1620000.00",
    "disbursed": "1410000.00",
    "spentInYear": "1288450.35",
    "spentCumulative": "4977310.80",
    "coFinancingCumulative": "5102000.00",
    "coFinancingRequired": "4977310.80",
    "coFinancingMet": True,
    "residentsReached": 412,
    "placements": 96,
    "retained180": 61,
    "projects": [
        {
            "project": {"id": 4, "name": "Leerwerkbedrijf Zuidwest"},
            "allocated": "450000.00",
            "spentInYear": "398112.50",
            "spentCumulative": "1204990.10",
            "coFinancingCumulative": "1250000.00",
            "finished": False,
        },
        {
            "project": {"id": 9, "name": "Wijkkeuken Moerwijk"},
            "allocated": "120000.00",
            "spentInYear": "87000.00",
            "spentCumulative": "87000.00",
            "coFinancingCumulative": "40000.00",
            "finished": True,
        },
    ],
}
ACCOUNTABILITY_CSV = (
    "projectId,projectName,allocated,spentInYear,spentCumulative,coFinancingCumulative,finished\r\n"
    "4,Leerwerkbedrijf Zuidwest,450000.00,398112.50,1204990.10,1250000.00,false\r\n"
    "9,Wijkkeuken Moerwijk,120000.00,87000.00,87000.00,40000.00,true\r\n"
    ",total,1850000.00,1288450.35,4977310.80,5102000.00,\r\n"
)
DOMAINS_REPORT = {
    "year": 2026,
    "spent": "1000.01",
    "results": [
        {
            "domain": "work_economy",
            "spent": "600.01",
            "byProgramme": [
                {"programme": {"id": 2, "name": "NPLV Zuidwest"}, "spent": "150.00"},
                {"programme": {"id": 1, "name": "Regio Deal Den Haag Zuidwest"}, "spent": "450.01"},
            ],
            "projects": 2,
        },
        {
            "domain": "social_cohesion",
            "spent": "400.00",
            "byProgramme": [{"programme": {"id": 1, "name": "Regio Deal Den Haag Zuidwest"}, "spent": "400.00"}],
            "projects": 1,
        },
    ],
}
DOMAINS_CSV = (
    "domain,spent,projects,NPLV Zuidwest,Regio Deal Den Haag Zuidwest\r\n"
    "work_economy,600.01,2,150.00,450.01\r\n"
    "social_cohesion,400.00,1,0.00,400.00\r\n"
    "total,1000.01,,150.00,850.01\r\n"
)


class ProgrammeAccountabilityView(MoneyReportView):
    query_serializer = AccountabilityQuerySerializer
    finds_by_query = True  # a programme that does not exist: 404, in the schema too
    answer_serializer = ProgrammeAccountabilityReportSerializer
    csv_header = [
        "projectId",
        "projectName",
        "allocated",
        "spentInYear",
        "spentCumulative",
        "coFinancingCumulative",
        "finished",
    ]

    def csv_table(self, data: dict) -> list[list]:
        money = ["allocated", "spent_in_year", "spent_cumulative", "co_financing_cumulative"]
        rows = [
            [row["project"]["id"], row["project"]["name"], *(row[column] for column in money), row["finished"]]
            for row in data["projects"]
        ]
        return [self.csv_header, *rows, [None, "total", *(data[column] for column in money), None]]

    @report_schema(
        AccountabilityQuerySerializer,
        ProgrammeAccountabilityReportSerializer,
        example=ACCOUNTABILITY_REPORT,
        also={"text/csv": ACCOUNTABILITY_CSV},
        summary="A programme's accountability for a year",
        description=(
            "Coordinators only (anyone else: 404). What one programme did with its money in one calendar year: "
            "its `budget`; `allocated`, `committed` and `disbursed` against the year's allocations; what was "
            "spent in the year and up to its end; its share of the partners' co-financing (each year's "
            "co-financing of a project split over the programmes that allocated to it that year, in proportion "
            "to their allocations, rounded by largest remainder) against what its `coFinancingRatio` requires; "
            "and the residents it reached — residents whose programme is this one with an enrolment, or a "
            "placement proposed, in the year (Europe/Amsterdam), so that no resident counts under two "
            "programmes — with their placements proposed in the year that started and those retained at day 180 "
            "(section 8). `projects`: every project with an allocation from the programme that year. Both "
            "parameters are required (400 naming the one missing or wrong); a programme that does not exist answers "
            "404.\n\n"
            "With `Accept: text/csv` (or `?format=csv`) a CSV file: a header row, one row per project and a "
            "total row (the programme's figures)."
        ),
    )
    def get(self, request):
        query = self.query()
        programme = get_object_or_404(Programme, pk=query["programme"])
        report = programme_accountability(programme=programme, year=query["year"], today=timezone.localdate())
        return self.answer(report)


class DomainsReportView(MoneyReportView):
    query_serializer = DomainsQuerySerializer
    answer_serializer = DomainsReportSerializer

    def csv_table(self, data: dict) -> list[list]:
        """A column per programme: what it put into each domain, and in the total row into all of them."""
        every = [by["programme"] for row in data["results"] for by in row["by_programme"]]
        names = {programme["id"]: programme["name"] for programme in every}
        programmes = sorted(names, key=lambda programme: (names[programme], programme))
        rows, totals = [], dict.fromkeys(programmes, ZERO)
        for row in data["results"]:
            spent = {by["programme"]["id"]: Decimal(by["spent"]) for by in row["by_programme"]}
            rows.append([row["domain"], row["spent"], row["projects"], *(spent.get(p, ZERO) for p in programmes)])
            for programme, amount in spent.items():
                totals[programme] += amount
        header = ["domain", "spent", "projects", *(names[programme] for programme in programmes)]
        return [header, *rows, ["total", data["spent"], None, *totals.values()]]

    @report_schema(
        DomainsQuerySerializer,
        DomainsReportSerializer,
        example=DOMAINS_REPORT,
        also={"text/csv": DOMAINS_CSV},
        summary="The year's spending across the policy domains",
        description=(
            "Coordinators only (anyone else: 404). The integral view: every expenditure dated in the year is "
            "split over its project's policy domains by their shares, rounded to cents by largest remainder "
            "(ties to the larger share, then to the domain listed first; a negative amount is split as its "
            "absolute value and negated), so that each split adds up exactly to its expenditure and the domains' "
            "`spent` add up exactly to the year's `spent`. Per domain also what each programme's money put into "
            "it (`byProgramme`) and how many projects reached it. Every domain is listed, also one with nothing "
            "spent; `year` is required (400).\n\n"
            "With `Accept: text/csv` (or `?format=csv`) a CSV file: a header row, one row per domain with a "
            "column per programme, and a total row."
        ),
    )
    def get(self, request):
        return self.answer(domain_report(year=self.query()["year"]))
