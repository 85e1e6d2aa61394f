"""The placement and check-in endpoints: parse, call one service or selector, shape the answer."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from api.docs import answer_example, request_example
from api.serializers import NoBody

from ..journey.apis import COACH, COORDINATOR, EMPLOYER, STAFF, ResidentsViewSet
from . import examples, selectors, services
from .filters import CheckInFilter, PlacementFilter
from .serializers import (
    CheckInCompleteSerializer,
    CheckInSerializer,
    PlacementDeclineSerializer,
    PlacementEndSerializer,
    PlacementSerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary="List placements",
        description="Jobs for residents: a coach sees their residents' placements, an employer's staff those at "
        "their organisation (with only the resident's name), a coordinator all. Filter by `pathway`, `resident`, "
        "`employer` or `status`.",
        examples=[answer_example("Confirmed", examples.PLACEMENT)],
    ),
    retrieve=extend_schema(
        summary="Get a placement",
        description="One placement, with the resident's name.",
        examples=[answer_example("Confirmed", examples.PLACEMENT)],
    ),
    create=extend_schema(
        summary="Propose a placement",
        description="A coach (or coordinator) proposes a job for a resident whose pathway is at `job_search`; the "
        "employer's staff then confirm or decline it. `startDate` may lie in the past (registered after the "
        "fact), at most 5 years before today and at most 2 years after it.",
        examples=[
            request_example("Heat pump fitter", examples.PLACEMENT_REQUEST),
            answer_example(
                "Proposed",
                {**examples.PLACEMENT, "status": "proposed", "confirmedAt": None, "confirmedBy": None},
            ),
        ],
    ),
    confirm=extend_schema(
        summary="Confirm a placement",
        description="The employer's own staff (or a coordinator) confirm a proposed placement: the pathway moves "
        "to `placed` and the check-ins after placement are scheduled, in one step. No body.",
        examples=[answer_example("Confirmed", examples.PLACEMENT)],
    ),
    decline=extend_schema(
        summary="Decline a placement",
        description="The employer's own staff (or a coordinator) decline a proposed placement, saying why.",
        examples=[request_example("Filled internally", examples.PLACEMENT_DECLINE_REQUEST)],
    ),
    end=extend_schema(
        summary="End a placement",
        description="The employer, the resident's coach or a coordinator end a confirmed placement. Check-ins due "
        "after `endDate` are cancelled; the pathway goes back to `job_search` unless it is already closed.",
        examples=[request_example("Contract ended", examples.PLACEMENT_END_REQUEST)],
    ),
)
class PlacementViewSet(ResidentsViewSet):
    """Jobs for residents: proposed by a coach, confirmed or declined by the employer, ended when the job ends."""

    serializer_class = PlacementSerializer
    filterset_class = PlacementFilter
    http_method_names = ["get", "post", "head", "options"]
    resident_key = "resident.id"
    roles = {
        "create": STAFF,
        "confirm": {COORDINATOR, EMPLOYER},
        "decline": {COORDINATOR, EMPLOYER},
        "end": {COORDINATOR, COACH, EMPLOYER},
    }

    def get_queryset(self):
        return selectors.placement_list(user=self.request.user)

    def create(self, request):
        placement = services.placement_propose(by=request.user, **self.validated())
        return self.respond(placement, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PlacementSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        placement = self.get_object()
        self.validated(NoBody)
        return self.respond(services.placement_confirm(placement=placement, by=request.user))

    @extend_schema(request=PlacementDeclineSerializer, responses={200: PlacementSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        placement = self.get_object()
        data = self.validated(PlacementDeclineSerializer)
        return self.respond(services.placement_decline(placement=placement, by=request.user, **data))

    @extend_schema(request=PlacementEndSerializer, responses={200: PlacementSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        placement = self.get_object()
        data = self.validated(PlacementEndSerializer)
        return self.respond(services.placement_end(placement=placement, by=request.user, **data))


@extend_schema_view(
    list=extend_schema(
        summary="List check-ins",
        description="The conversations after a placement, on the days the programme sets (7, 30, 90, 180, 365 "
        "after the start): a coach sees their residents', a coordinator all. Filter by `status`, `placement`, "
        "`coach`, or the due date with `dueOnAfter` and `dueOnBefore` (both included).",
        examples=[answer_example("Day 30, at risk", examples.CHECK_IN)],
    ),
    retrieve=extend_schema(
        summary="Get a check-in",
        description="One check-in, with the resident's name.",
        examples=[answer_example("Day 30, at risk", examples.CHECK_IN)],
    ),
    complete=extend_schema(
        summary="Record a check-in",
        description="The coach (or a coordinator) records how the conversation went, from 7 days before `dueOn` "
        "on (earlier: 409 saying from when), also when it is late (`missed`). Outcome `left_job` ends the "
        "placement as of today.",
        examples=[
            request_example("At risk: transport", examples.CHECK_IN_COMPLETE_REQUEST),
            answer_example("Recorded", examples.CHECK_IN),
        ],
    ),
)
class CheckInViewSet(ResidentsViewSet):
    """The conversations after placement: the work only begins once someone has a job."""

    serializer_class = CheckInSerializer
    filterset_class = CheckInFilter
    http_method_names = ["get", "post", "head", "options"]
    roles = {"complete": STAFF}
    resident_key = "resident.id"

    def get_queryset(self):
        return selectors.check_in_list(user=self.request.user)

    @extend_schema(request=CheckInCompleteSerializer, responses={200: CheckInSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        check_in = self.get_object()
        data = self.validated(CheckInCompleteSerializer)
        return self.respond(services.check_in_complete(check_in=check_in, by=request.user, **data))
