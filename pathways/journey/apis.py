"""The resident and pathway endpoints: parse, call one service or selector, shape the answer."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.docs import answer_example, request_example
from api.serializers import NoBody
from api.viewsets import ServiceViewSet
from coalition.models import Role

from ..privacy import services as privacy_services
from . import examples, selectors, services
from .filters import PathwayFilter, ResidentFilter
from .serializers import PathwaySerializer, ResidentSerializer, StageChangeSerializer, TransitionSerializer

COORDINATOR, COACH, EMPLOYER, EDUCATOR = Role.COORDINATOR, Role.COACH, Role.EMPLOYER, Role.EDUCATOR
STAFF = {COORDINATOR, COACH}


class ResidentsViewSet(ServiceViewSet):
    """About residents: partners see nothing of them, not even that such a list exists (contract §11)."""

    hidden_from = frozenset({Role.PARTNER})  # api.schema documents their 404 on every operation

    def check_permissions(self, request):
        # Before the role's permissions: 404 for every method, not 403 for some, nor 405 for one the path has not
        # (which would give the path away), as for the money's paths.
        if self.role in self.hidden_from:
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
        privacy_services.resident_erase(resident=resident, by=request.user)
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
