"""The pathway endpoints: parse, call one service or selector, shape the answer."""

import csv
import io

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from api.docs import answer_example, request_example
from api.rendering import CamelCaseJSONRenderer
from api.serializers import NoBody
from api.viewsets import ServiceViewSet
from coalition.models import Role
from coalition.permissions import IsCoordinator

from . import examples, selectors, services
from .filters import (
    AccessLogFilter,
    CheckInFilter,
    EnrolmentFilter,
    ModuleFilter,
    PathwayFilter,
    PlacementFilter,
    ResidentFilter,
)
from .reports import GROUPS, MILESTONES, STAGE_GROUPS, retention_report, stage_report
from .serializers import (
    AccessLogEntrySerializer,
    AttendanceSerializer,
    CheckInCompleteSerializer,
    CheckInSerializer,
    EnrolmentCompleteSerializer,
    EnrolmentSerializer,
    ModuleSerializer,
    PathwaySerializer,
    PlacementDeclineSerializer,
    PlacementEndSerializer,
    PlacementSerializer,
    ResidentSerializer,
    RetentionReportSerializer,
    StageChangeSerializer,
    StagesReportSerializer,
    TransitionSerializer,
)
from .stages import Stage

COORDINATOR, COACH, EMPLOYER, EDUCATOR = Role.COORDINATOR, Role.COACH, Role.EMPLOYER, Role.EDUCATOR
STAFF = {COORDINATOR, COACH}


class ResidentsViewSet(ServiceViewSet):
    """About residents: partners see nothing of them, not even that such a list exists (contract §11)."""

    hidden_from = frozenset({Role.PARTNER})  # api.schema documents their 404 on every operation

    def check_permissions(self, request):
        # Before the role's permissions: 404 for every method the path has, not 403 for some. A method it has not
        # (no action) answers 405, to everyone alike.
        if self.role in self.hidden_from and self.action is not None:
            raise NotFound()
        super().check_permissions(request)


@extend_schema_view(
    list=extend_schema(
        summary="List residents",
        description="The residents the caller may see, sorted by name: a coach sees their own caseload, a "
        "coordinator everyone. Employers and educators see no residents here (they see names on placements and "
        "enrolments). Filter by `neighbourhood`, `coach`, `programme` or the `stage` of the current pathway; "
        "`search` finds words in the name or e-mail address. Every resident shown is written to the access log.",
        examples=[answer_example("Sanne de Jong, learning", examples.RESIDENT)],
    ),
    retrieve=extend_schema(
        summary="Get a resident",
        description="One resident's file, with `currentPathway`: the open pathway, or the last closed one. A "
        "resident the caller may not see answers 404. Written to the access log.",
        examples=[answer_example("Sanne de Jong, learning", examples.RESIDENT)],
    ),
    create=extend_schema(
        summary="Register a resident",
        description="Coaches and coordinators register a resident who agreed to their data being kept "
        "(`consentGivenAt`); their first pathway opens at `intake`. A coach who registers a resident becomes "
        "their coach; a coordinator may name one in `coach`. No citizen service number (BSN) is accepted.",
        examples=[
            request_example("Mohamed Bakker from Bouwlust", examples.RESIDENT_REQUEST),
            answer_example("Registered", {**examples.RESIDENT, "currentPathway": {"id": 58, "stage": "intake"}}),
        ],
    ),
    partial_update=extend_schema(
        summary="Update a resident",
        description="Change a resident's details; send only the fields that change. Only a coordinator may set "
        "`coach` (to reassign a resident). An erased resident can no longer be changed (409).",
        examples=[request_example("New phone number", {"phone": "06 11223344"})],
    ),
    erase=extend_schema(
        summary="Erase a resident",
        description="Irreversibly anonymise the resident: name, contact details, date of birth and every free "
        "text about them are replaced everywhere, history included. The resident stays, anonymous, so that "
        "counts and reports stay right, and can no longer be changed. Erasing again changes nothing. A coach who "
        "can see the resident gets 403.",
    ),
)
class ResidentViewSet(ResidentsViewSet):
    """Residents on a pathway: a coach's caseload, everyone for coordinators."""

    serializer_class = ResidentSerializer
    filterset_class = ResidentFilter
    roles = {"create": STAFF, "partial_update": STAFF, "erase": {COORDINATOR}}
    resident_key = "id"

    def get_queryset(self):
        return selectors.resident_list(user=self.request.user)

    def create(self, request):
        resident = services.resident_create(by=request.user, **self.validated())
        return self.respond(resident, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        resident = self.get_object()
        data = self.validated(instance=resident, partial=True)
        return self.respond(services.resident_update(resident=resident, by=request.user, data=data))

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        resident = self.get_object()
        self.validated(NoBody)
        services.resident_erase(resident=resident, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="List pathways",
        description="The pathways of the residents the caller may see (a coach: their caseload; a coordinator: "
        "all), newest first; filter by `resident` or `stage`. A resident has at most one open pathway.",
        examples=[answer_example("Looking for work", examples.PATHWAY)],
    ),
    retrieve=extend_schema(
        summary="Get a pathway",
        description="One pathway: its `stage`, when it started and, once closed, when and why.",
        examples=[answer_example("Looking for work", examples.PATHWAY)],
    ),
    create=extend_schema(
        summary="Open a new pathway",
        description="Start a resident again at `intake` after their last pathway closed (`completed` or "
        "`exited`). While a pathway is open, a new one answers 409.",
        examples=[request_example("Start again", examples.PATHWAY_REQUEST)],
    ),
    transitions=extend_schema(
        summary="Move a pathway to another stage",
        description="Coaches (for their residents) and coordinators move a pathway along its stages. Allowed:\n\n"
        "| from | to | guard |\n| --- | --- | --- |\n"
        "| intake | learning | — |\n"
        "| intake, learning | job_search | — |\n"
        "| job_search | learning | — |\n"
        "| job_search | placed | only by confirming a placement, never asked here |\n"
        "| placed | job_search | only by ending the placement early, never asked here |\n"
        "| placed | completed | every check-in of the placement is `completed` or `cancelled`, or a "
        "coordinator asks |\n"
        "| any open stage | exited | `exitReason` required |\n\n"
        "`exitReason` is for `exited` only. Any other move answers 409 naming the current and the asked stage.",
        examples=[
            request_example("To job search", examples.TRANSITION_REQUEST),
            request_example("Exit", examples.EXIT_REQUEST),
            answer_example("Moved", examples.PATHWAY),
        ],
    ),
    history=extend_schema(
        summary="A pathway's stage history",
        description="Every stage the pathway went through, oldest first, with who moved it and their note; the "
        "first entry (`fromStage` null) is its opening.",
        examples=[answer_example("From intake to learning", examples.STAGE_CHANGE)],
    ),
)
class PathwayViewSet(ResidentsViewSet):
    """A resident's way from intake to work; stages change only through `transitions`."""

    serializer_class = PathwaySerializer
    filterset_class = PathwayFilter
    http_method_names = ["get", "post", "head", "options"]
    roles = {"create": STAFF, "transitions": STAFF}
    resident_key = "resident"

    def get_queryset(self):
        return selectors.pathway_list(user=self.request.user)

    def residents_shown(self, objects):
        if self.action == "history":  # stage changes don't name the resident: they are their pathway's
            return [self.get_object().resident_id]
        return super().residents_shown(objects)

    def create(self, request):
        pathway = services.pathway_open(by=request.user, **self.validated())
        return self.respond(pathway, status.HTTP_201_CREATED)

    @extend_schema(request=TransitionSerializer, responses={200: PathwaySerializer})
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        pathway = self.get_object()
        data = self.validated(TransitionSerializer)
        return self.respond(services.pathway_transition(pathway=pathway, by=request.user, **data))

    @extend_schema(responses={200: StageChangeSerializer(many=True)}, filters=False)
    @action(
        detail=True,
        methods=["get"],
        serializer_class=StageChangeSerializer,
        pagination_class=None,
        filterset_class=None,
    )
    def history(self, request, pk=None):
        changes = selectors.stage_change_list(pathway=self.get_object())
        return Response(self.get_serializer(changes, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="List modules",
        description="The coalition's whole catalogue of work-and-learn modules, for every role; filter by `theme` "
        "or `provider`, `search` the title.",
        examples=[answer_example("Heat pumps", examples.MODULE)],
    ),
    retrieve=extend_schema(
        summary="Get a module",
        description="One module of the catalogue.",
        examples=[answer_example("Heat pumps", examples.MODULE)],
    ),
    create=extend_schema(
        summary="Add a module",
        description="Coordinators add a module to the catalogue; `provider` is the organisation that teaches it.",
        examples=[request_example("Heat pumps", examples.MODULE_REQUEST), answer_example("Added", examples.MODULE)],
    ),
    partial_update=extend_schema(
        summary="Update a module",
        description="Coordinators change a module; send only the fields that change.",
        examples=[request_example("More places", {"capacity": 20})],
    ),
)
class ModuleViewSet(ServiceViewSet):
    """The coalition's work-and-learn modules about the big transitions."""

    serializer_class = ModuleSerializer
    filterset_class = ModuleFilter
    roles = {"create": {COORDINATOR}, "partial_update": {COORDINATOR}}

    def get_queryset(self):
        return selectors.module_list(user=self.request.user)

    def create(self, request):
        return self.respond(services.module_create(**self.validated()), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        module = self.get_object()
        data = self.validated(instance=module, partial=True)
        return self.respond(services.module_update(module=module, data=data))


@extend_schema_view(
    list=extend_schema(
        summary="List enrolments",
        description="Residents in modules: a coach sees their residents' enrolments, an educator those in the "
        "modules their organisation provides (with only the resident's name), a coordinator all. Filter by "
        "`pathway`, `module`, `resident` or `status`.",
        examples=[answer_example("Completed", examples.ENROLMENT)],
    ),
    retrieve=extend_schema(
        summary="Get an enrolment",
        description="One enrolment, with the resident's name.",
        examples=[answer_example("Completed", examples.ENROLMENT)],
    ),
    create=extend_schema(
        summary="Enrol a resident in a module",
        description="Coaches and coordinators enrol a pathway at `intake`, `learning` or `job_search`; enrolling at "
        "`intake` moves it to `learning`. A full module, or the same pathway twice in one module, answers 409.",
        examples=[
            request_example("Heat pumps", examples.ENROLMENT_REQUEST),
            answer_example(
                "Enrolled",
                {**examples.ENROLMENT, "status": "enrolled", "completedAt": None, "attendedHours": 0},
            ),
        ],
    ),
    partial_update=extend_schema(
        summary="Record attendance",
        description="The module's educators (or a coordinator) record the hours a resident attended so far.",
        examples=[request_example("64 hours", examples.ATTENDANCE_REQUEST)],
    ),
    complete=extend_schema(
        summary="Mark an enrolment completed",
        description="The module's educators (or a coordinator) mark the module completed, optionally with the "
        "final `attendedHours`. Only an `enrolled` enrolment can be completed (else 409).",
        examples=[request_example("112 hours", examples.ENROLMENT_COMPLETE_REQUEST)],
    ),
    drop=extend_schema(
        summary="Mark an enrolment dropped",
        description="The module's educators (or a coordinator) record that the resident stopped; the seat is free "
        "again. Only an `enrolled` enrolment can be dropped (else 409). No body.",
    ),
)
class EnrolmentViewSet(ResidentsViewSet):
    """Residents in modules. Coaches enrol; the module's educators record attendance and completion."""

    filterset_class = EnrolmentFilter
    resident_key = "resident.id"
    roles = {
        "create": STAFF,
        "partial_update": {COORDINATOR, EDUCATOR},
        "complete": {COORDINATOR, EDUCATOR},
        "drop": {COORDINATOR, EDUCATOR},
    }

    def get_queryset(self):
        return selectors.enrolment_list(user=self.request.user)

    def get_serializer_class(self):
        return AttendanceSerializer if self.action == "partial_update" else EnrolmentSerializer

    def create(self, request):
        enrolment = services.enrolment_create(by=request.user, **self.validated())
        return self.respond(enrolment, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        enrolment = self.get_object()
        data = self.validated(instance=enrolment, partial=True)
        return self.respond(services.enrolment_update(enrolment=enrolment, data=data))

    @extend_schema(request=EnrolmentCompleteSerializer, responses={200: EnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        enrolment = self.get_object()
        data = self.validated(EnrolmentCompleteSerializer)
        return self.respond(services.enrolment_complete(enrolment=enrolment, **data))

    @extend_schema(request=None, responses={200: EnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def drop(self, request, pk=None):
        enrolment = self.get_object()
        self.validated(NoBody)
        return self.respond(services.enrolment_drop(enrolment=enrolment))


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


@extend_schema_view(
    list=extend_schema(
        summary="Read the access log",
        description="Coordinators: who looked at which resident's file, newest first. Every answer of the API "
        "that showed a resident's personal data left an entry per resident shown. Filter by `resident`, `user`, "
        "`after` and `before`. Read-only (any write answers 405); reading it is not itself logged.",
        examples=[answer_example("A coach opened a file", examples.ACCESS_LOG_ENTRY)],
    ),
)
class AccessLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who looked at which resident's file, newest first: every answer of the API that showed residents left an
    entry per resident shown. Read-only (any write answers 405); reading it is not itself logged."""

    serializer_class = AccessLogEntrySerializer
    filterset_class = AccessLogFilter
    permission_classes = [IsCoordinator]
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return selectors.access_log_list()


class ReportCSVRenderer(BaseRenderer):
    """A report as a spreadsheet: the view's `csv_header`, then its `csv_row` of each result."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if not isinstance(data, dict) or "results" not in data:  # an error: problem+json is rendered elsewhere
            return b""
        view = renderer_context["view"]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(view.csv_header)
        for row in data["results"]:
            writer.writerow(["" if cell is None else cell for cell in view.csv_row(row)])
        return out.getvalue().encode()


class ReportView(GenericAPIView):
    """A coordinators' report: JSON, or CSV with `Accept: text/csv` (or `?format=csv`)."""

    permission_classes = [IsCoordinator]
    renderer_classes = [CamelCaseJSONRenderer, ReportCSVRenderer]
    pagination_class = None
    filter_backends = []
    query_serializer: type[serializers.Serializer]

    def query(self) -> dict:
        query = self.query_serializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data


def report_schema(query, report, example: dict, csv_example: str, **kwargs):
    """A report's documentation: its query, the JSON answer, and the CSV answer as the text it is."""
    return extend_schema(
        parameters=[query],
        responses={(200, "application/json"): report, (200, "text/csv"): OpenApiTypes.STR},
        examples=[
            OpenApiExample("JSON", value=example, response_only=True, media_type="application/json"),
            OpenApiExample("CSV", value=csv_example, response_only=True, media_type="text/csv"),
        ],
        tags=["reports"],
        **kwargs,
    )


class RetentionQuerySerializer(serializers.Serializer):  # query parameters: others (e.g. format) are ignored
    groupBy = serializers.ChoiceField(choices=sorted(GROUPS), help_text="What to group the placements by.")


class RetentionReportView(ReportView):
    query_serializer = RetentionQuerySerializer
    csv_header = ["groupId", "groupName", "placements"] + [
        f"{column}{day}" for day in MILESTONES for column in ("eligible", "retained", "rate")
    ]

    def csv_row(self, row: dict) -> list:
        cells = [row["group"]["id"], row["group"]["name"], row["placements"]]
        for day in MILESTONES:
            milestone = row["milestones"][str(day)]
            cells += [milestone["eligible"], milestone["retained"], milestone["rate"]]
        return cells

    @report_schema(
        RetentionQuerySerializer,
        RetentionReportSerializer,
        example=examples.RETENTION_REPORT,
        csv_example=examples.RETENTION_REPORT_CSV,
        summary="Retention after placement, per group",
        description=(
            "Do residents stay in work? Per group (`groupBy`), of the confirmed and ended placements: how many were "
            "*eligible* at day 30, 90, 180 and 365 (that check-in fell due or was held) and how many were "
            "*retained* (held with outcome `employed`); `rate` is retained / eligible to 4 decimals, `null` when "
            "none is eligible. A check-in cancelled because the job ended counts as eligible and never as retained. "
            'Placements without a group (no neighbourhood, say) are under `{"id": null, "name": null}`; '
            "with `groupBy=module` a placement counts for every module its pathway followed.\n\n"
            "With `Accept: text/csv` (or `?format=csv`) the same report is a CSV file: a header row, then one row "
            "per group, three columns per milestone."
        ),
    )
    def get(self, request):
        results = retention_report(group_by=self.query()["groupBy"], today=timezone.localdate())
        return Response({"results": results})


class StagesQuerySerializer(serializers.Serializer):  # query parameters: others (e.g. format) are ignored
    groupBy = serializers.ChoiceField(choices=sorted(STAGE_GROUPS), help_text="What to group the residents by.")


class StagesReportView(ReportView):
    query_serializer = StagesQuerySerializer
    csv_header = ["groupId", "groupName", *Stage.values, "total"]

    def csv_row(self, row: dict) -> list:
        return [row["group"]["id"], row["group"]["name"], *row["stages"].values(), row["total"]]

    @report_schema(
        StagesQuerySerializer,
        StagesReportSerializer,
        example=examples.STAGES_REPORT,
        csv_example=examples.STAGES_REPORT_CSV,
        summary="Residents per stage, per group",
        description=(
            "How many residents are at each stage, per neighbourhood, programme or coach (`groupBy`): one request "
            "instead of one list per stage. A resident counts at the stage of their current pathway (the open one, "
            "or the last closed one); `total` is every resident in the group. Residents without a group (no "
            'coach, say) are under `{"id": null, "name": null}`; erased residents count like any other.\n\n'
            "With `Accept: text/csv` (or `?format=csv`) the same report is a CSV file: a header row, then one row "
            "per group."
        ),
    )
    def get(self, request):
        return Response({"results": stage_report(group_by=self.query()["groupBy"])})
