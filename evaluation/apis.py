"""The evaluation endpoints: parse, call one service or selector, shape the answer."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.rendering import CamelCaseJSONRenderer
from api.reports import ReportRenderer, report_schema
from api.serializers import NoBody
from api.viewsets import ServiceViewSet
from coalition.models import Role
from coalition.reports import CoordinatorsReportView

from . import examples, selectors, services
from .charts import effort_impact_svg
from .filters import EvaluationFilter, IndicatorFilter, IndicatorPeriodFilter, ResultFilter
from .serializers import (
    EffortImpactQuerySerializer,
    EffortImpactReportSerializer,
    EvaluationSerializer,
    IndicatorPeriodSerializer,
    IndicatorPeriodUpdateSerializer,
    IndicatorReportQuerySerializer,
    IndicatorReportSerializer,
    IndicatorSerializer,
    ResultSerializer,
    ResultUpdateSerializer,
    ReturnSerializer,
)

COORDINATORS = {Role.COORDINATOR}
COORDINATOR_WRITES = {"create": COORDINATORS, "partial_update": COORDINATORS}


def documented(**actions: tuple[str, str]):
    """Each action's summary and description in the API document."""
    return extend_schema_view(
        **{action: extend_schema(summary=summary, description=about) for action, (summary, about) in actions.items()}
    )


@documented(
    list=(
        "List indicators",
        "The catalogue of what the coalition measures; filter by `source` or `direction`. "
        "Readable by every signed-in user.",
    ),
    retrieve=("Get an indicator", "One indicator of the catalogue."),
    create=(
        "Add an indicator",
        "Coordinators add an indicator: `manual` (reported by projects) or computed from "
        "the pathway data (aggregation `sum`).",
    ),
    partial_update=("Update an indicator", "Coordinators change it; send only the fields that change."),
)
class IndicatorViewSet(ServiceViewSet):
    """The coalition's shared catalogue of what it measures: reported by projects (`manual`) or computed from the
    pathway data. Everyone signed in reads it; coordinators write."""

    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    roles = COORDINATOR_WRITES

    def get_queryset(self):
        return selectors.indicator_list()

    def create(self, request):
        return self.respond(services.indicator_create(**self.validated()), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        indicator = self.get_object()
        data = self.validated(instance=indicator, partial=True)
        return self.respond(services.indicator_update(indicator=indicator, data=data))


@documented(
    list=(
        "List indicator periods",
        "The periods of the projects the caller may see (coordinators: all; others: "
        "their organisation's projects), with `actual` and `progress` computed.",
    ),
    retrieve=("Get an indicator period", "One period, with its `actual` value and `progress` towards the target."),
    create=(
        "Add an indicator period",
        "Coordinators measure a project on an indicator over at most 366 days; "
        "periods of the same project and indicator never overlap (409).",
    ),
    partial_update=("Update an indicator period", "Coordinators change baseline, target or dates."),
)
class IndicatorPeriodViewSet(ServiceViewSet):
    """A project measured on an indicator over at most 366 days, with baseline, target, the actual value and the
    progress towards the target. Coordinators write; coordinators and the project's members read."""

    filterset_class = IndicatorPeriodFilter
    roles = COORDINATOR_WRITES

    def get_queryset(self):
        return selectors.indicator_period_list(user=self.request.user)

    def get_serializer_class(self):
        return IndicatorPeriodUpdateSerializer if self.action == "partial_update" else IndicatorPeriodSerializer

    def create(self, request):
        period = services.indicator_period_create(**self.validated())
        return self.respond(self.get_queryset().get(pk=period.pk), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        period = self.get_object()
        data = self.validated(instance=period, partial=True)
        services.indicator_period_update(period=period, data=data)
        return self.respond(self.get_queryset().get(pk=period.pk))


@documented(
    list=("List results", "Reported figures of the projects the caller may see, in every review state."),
    retrieve=("Get a result", "One reported figure with its review."),
    create=(
        "Report a result",
        "A member of the project (or a coordinator) reports a figure for a period of a manual indicator, as a draft.",
    ),
    partial_update=("Edit a result", "Drafts and returned results may be edited by the project's members."),
    submit=("Submit a result", "Submit a draft or returned result for review. No body."),
    approve=("Approve a result", "Coordinators approve a submitted result: it counts from now on. No body."),
    return_=("Return a result", "Coordinators return a submitted result with a `reviewNote` saying what to fix."),
)
class ResultViewSet(ServiceViewSet):
    """Figures a project's members report for a period of a manual indicator: drafts they submit, which a
    coordinator approves or returns with a note. Only approved results count."""

    filterset_class = ResultFilter
    roles = {"approve": COORDINATORS, "return_": COORDINATORS}

    def get_queryset(self):
        return selectors.result_list(user=self.request.user)

    def get_serializer_class(self):
        return ResultUpdateSerializer if self.action == "partial_update" else ResultSerializer

    def create(self, request):
        return self.respond(services.result_create(by=request.user, **self.validated()), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        result = self.get_object()
        data = self.validated(instance=result, partial=True)
        return self.respond(services.result_update(result=result, data=data))

    @extend_schema(request=None, responses={200: ResultSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft or returned result for review (the project's members)."""
        result = self.get_object()
        self.validated(NoBody)
        return self.respond(services.result_submit(result=result, by=request.user))

    @extend_schema(request=None, responses={200: ResultSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a submitted result (coordinators): it counts from now on, and is final."""
        result = self.get_object()
        self.validated(NoBody)
        return self.respond(services.result_approve(result=result, by=request.user))

    @extend_schema(request=ReturnSerializer, responses={200: ResultSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Return a submitted result to the project's members with a note saying what to put right."""
        result = self.get_object()
        data = self.validated(ReturnSerializer)
        return self.respond(services.result_return(result=result, by=request.user, **data))


@documented(
    list=("List evaluations", "The evaluations of the projects the caller may see; filter by `project` or `round`."),
    retrieve=("Get an evaluation", "One evaluation: the project's quadrant, the suggested and the taken decision."),
    create=(
        "Evaluate a project",
        "Coordinators place a project on the effort-impact matrix in a round and decide; "
        "`stop` stops the project and notifies its members, in the same transaction.",
    ),
)
class EvaluationViewSet(ServiceViewSet):
    """A project's place on the effort-impact matrix in a round, and the decision: investigate, continue or stop.
    A record: once made never changed or deleted. Coordinators write; coordinators and the members read."""

    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter
    http_method_names = ["get", "post", "head", "options"]
    roles = {"create": COORDINATORS}

    def get_queryset(self):
        return selectors.evaluation_list(user=self.request.user)

    def create(self, request):
        evaluation = services.evaluation_create(by=request.user, **self.validated())
        return self.respond(evaluation, status.HTTP_201_CREATED)


# --- Reports (coordinators) -------------------------------------------------------------------------------------


class EffortImpactSVGRenderer(ReportRenderer):
    """The effort-impact report as a chart: the matrix drawn by evaluation.charts."""

    media_type = "image/svg+xml"
    format = "svg"

    def render_report(self, data: dict, view) -> bytes:
        return effort_impact_svg(round=data["round"], results=data["results"])


class EffortImpactReportView(CoordinatorsReportView):
    query_serializer = EffortImpactQuerySerializer
    renderer_classes = [CamelCaseJSONRenderer, EffortImpactSVGRenderer]

    @report_schema(
        EffortImpactQuerySerializer,
        EffortImpactReportSerializer,
        example=examples.EFFORT_IMPACT_REPORT,
        also={"image/svg+xml": examples.EFFORT_IMPACT_SVG},
        summary="The effort-impact matrix of a round",
        description=(
            "Coordinators: every project evaluated in the `round`, by project name, with its impact and effort "
            "(1.0 to 5.0), its quadrant (`quick_win`, `major_project`, `fill_in`, `thankless`), the decision taken, "
            "its policy domains and whether it is a pearl (`isPearl`, as the project shows it: its latest "
            "evaluation has impact 4.0 or more and decided `continue`, and it spans two domains or more with a "
            "share of 20 or more). A round without evaluations answers an empty list.\n\n"
            "With `Accept: image/svg+xml` (or `?format=svg`) the same report is an SVG image of the matrix: effort "
            "across and impact up, both from 1 to 5, the quadrants split at 3 and named, one point per project "
            "labelled with its name, pearls drawn as stars. Every label is SVG `<text>`, so that the image can be "
            "searched, translated and read aloud."
        ),
    )
    def get(self, request):
        return Response(selectors.effort_impact_report(round=self.query()["round"]))


class IndicatorReportView(CoordinatorsReportView):
    query_serializer = IndicatorReportQuerySerializer
    renderer_classes = [CamelCaseJSONRenderer]
    finds_by_query = True  # a project that does not exist: 404, in the schema too

    @report_schema(
        IndicatorReportQuerySerializer,
        IndicatorReportSerializer,
        example=examples.INDICATOR_REPORT,
        also={},
        summary="A project's indicators",
        description=(
            "Coordinators: every indicator period of the `project`, by indicator name and start, each with its "
            "indicator, baseline, target, `actual` and `progress` computed as in `/indicator-periods` (approved "
            "results for a manual indicator, the pathway data for a computed one). A project that does not exist "
            "answers 404."
        ),
    )
    def get(self, request):
        report = selectors.indicator_report(project=self.query()["project"])
        return Response(IndicatorReportSerializer(report).data)
