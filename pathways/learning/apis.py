"""The module and enrolment endpoints: parse, call one service or selector, shape the answer."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from api.docs import answer_example, request_example
from api.serializers import NoBody
from api.viewsets import ServiceViewSet

from ..journey.apis import COORDINATOR, EDUCATOR, STAFF, ResidentsViewSet
from . import examples, selectors, services
from .filters import EnrolmentFilter, ModuleFilter
from .serializers import AttendanceSerializer, EnrolmentCompleteSerializer, EnrolmentSerializer, ModuleSerializer


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
