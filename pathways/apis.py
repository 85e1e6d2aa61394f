"""The pathway endpoints: parse, call one service or selector, shape the answer."""

import csv
import io

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from coalition.models import Role
from coalition.permissions import IsCoordinator
from config.api import ServiceViewSet
from config.rendering import CamelCaseJSONRenderer

from . import selectors, services
from .filters import (
    AccessLogFilter,
    CheckInFilter,
    EnrolmentFilter,
    ModuleFilter,
    NotificationFilter,
    PathwayFilter,
    PlacementFilter,
    ResidentFilter,
)
from .reports import GROUPS, MILESTONES, retention_report
from .serializers import (
    AccessLogEntrySerializer,
    AttendanceSerializer,
    CheckInCompleteSerializer,
    CheckInSerializer,
    EnrolmentCompleteSerializer,
    EnrolmentSerializer,
    ModuleSerializer,
    NoBody,
    NotificationSerializer,
    PathwaySerializer,
    PlacementDeclineSerializer,
    PlacementEndSerializer,
    PlacementSerializer,
    ResidentSerializer,
    RetentionReportSerializer,
    StageChangeSerializer,
    TransitionSerializer,
)

COORDINATOR, COACH, EMPLOYER, EDUCATOR = Role.COORDINATOR, Role.COACH, Role.EMPLOYER, Role.EDUCATOR
STAFF = {COORDINATOR, COACH}


class ResidentsViewSet(ServiceViewSet):
    """About residents: partners see nothing of them, not even that such a list exists (contract §11)."""

    def check_permissions(self, request):
        if self.role == Role.PARTNER:  # before the role's permissions: 404 for every method, not 403 for some
            raise NotFound()
        super().check_permissions(request)


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
        """Irreversibly anonymise the resident (coordinators): name, contact details, date of birth and every free
        text about them are replaced everywhere, history included. The resident stays, anonymous, so counts stay
        right. Erasing again changes nothing."""
        resident = self.get_object()
        self.validated(NoBody)
        services.resident_erase(resident=resident, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
        """The pathway's stages, oldest first; the first entry is its opening."""
        changes = selectors.stage_change_list(pathway=self.get_object())
        return Response(self.get_serializer(changes, many=True).data)


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


class NotificationViewSet(ServiceViewSet):
    """The caller's own notifications."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user)

    def residents_shown(self, objects):
        return selectors.notified_residents(notifications=objects)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        self.validated(NoBody)
        return self.respond(services.notification_read(notification=notification))


class AccessLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who looked at which resident's file, newest first: every answer of the API that showed residents left an
    entry per resident shown. Read-only (any write answers 405); reading it is not itself logged."""

    serializer_class = AccessLogEntrySerializer
    filterset_class = AccessLogFilter
    permission_classes = [IsCoordinator]
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return selectors.access_log_list()


class RetentionCSVRenderer(BaseRenderer):
    """The retention report as a spreadsheet: one row per group, three columns per milestone."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if not isinstance(data, dict) or "results" not in data:  # an error: problem+json is rendered elsewhere
            return b""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["groupId", "groupName", "placements"]
            + [f"{column}{day}" for day in MILESTONES for column in ("eligible", "retained", "rate")]
        )
        for row in data["results"]:
            cells = [row["group"]["id"], row["group"]["name"], row["placements"]]
            for day in MILESTONES:
                milestone = row["milestones"][str(day)]
                cells += [milestone["eligible"], milestone["retained"], milestone["rate"]]
            writer.writerow(["" if cell is None else cell for cell in cells])
        return out.getvalue().encode()


class RetentionQuerySerializer(serializers.Serializer):  # query parameters: others (e.g. format) are ignored
    groupBy = serializers.ChoiceField(choices=sorted(GROUPS), help_text="What to group the placements by.")


class RetentionReportView(GenericAPIView):
    """Do residents stay in work? Per group, of the confirmed and ended placements: how many were eligible at day
    30, 90, 180 and 365 (that check-in fell due or was held) and how many were retained (held, still employed)."""

    permission_classes = [IsCoordinator]
    renderer_classes = [CamelCaseJSONRenderer, RetentionCSVRenderer]
    pagination_class = None
    filter_backends = []

    @extend_schema(parameters=[RetentionQuerySerializer], responses={200: RetentionReportSerializer})
    def get(self, request):
        query = RetentionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = retention_report(group_by=query.validated_data["groupBy"], today=timezone.localdate())
        return Response({"results": results})
