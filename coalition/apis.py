from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.throttling import AnonRateThrottle
from api.viewsets import ServiceViewSet

from . import examples, selectors, services
from .filters import NeighbourhoodFilter, OrganisationFilter, ProjectFilter, UserFilter
from .models import Role
from .permissions import IsCoordinator
from .serializers import (
    MeSerializer,
    NeighbourhoodSerializer,
    OrganisationSerializer,
    ProgrammeSerializer,
    ProjectSerializer,
    PublicProgrammeSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserSerializer,
)

COORDINATORS = {Role.COORDINATOR}
COORDINATOR_WRITES = {"create": COORDINATORS, "partial_update": COORDINATORS}


def documented(noun: str, plural: str, who: str, about: str, example: dict, request: dict, change: dict):
    """The documentation of a resource that every signed-in user reads and coordinators write."""
    answer = OpenApiExample(example.get("name") or example["username"], value=example, response_only=True)
    return extend_schema_view(
        list=extend_schema(summary=f"List {plural}", description=f"{about} Readable by {who}.", examples=[answer]),
        retrieve=extend_schema(summary=f"Get {noun}", description=f"One of the {plural}.", examples=[answer]),
        create=extend_schema(
            summary=f"Add {noun}",
            description=f"Coordinators add one of the {plural}.",
            examples=[OpenApiExample("New", value=request, request_only=True), answer],
        ),
        partial_update=extend_schema(
            summary=f"Update {noun}",
            description="Coordinators change it; send only the fields that change.",
            examples=[OpenApiExample("A change", value=change, request_only=True)],
        ),
    )


@documented(
    "an organisation",
    "organisations",
    "every signed-in user",
    "The coalition's partners: housing corporations, employers, schools, neighbourhood organisations, the "
    "municipality. Filter by `kind`, `isActive` or `neighbourhood`; `search` the name.",
    examples.ORGANISATION,
    examples.ORGANISATION_REQUEST,
    {"isActive": False},
)
class OrganisationViewSet(ServiceViewSet):
    """The coalition's partners: housing corporations, employers, schools, neighbourhood organisations."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    roles = COORDINATOR_WRITES

    def get_queryset(self):
        return selectors.organisation_list()

    def create(self, request):
        return self.respond(services.organisation_create(**self.validated()), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        organisation = self.get_object()
        data = self.validated(instance=organisation, partial=True)
        return self.respond(services.organisation_update(organisation=organisation, data=data))


@documented(
    "a neighbourhood",
    "neighbourhoods",
    "every signed-in user",
    "The neighbourhoods the coalition works in: Moerwijk, Morgenstond, Bouwlust and Vrederust in Den Haag, "
    "Overvecht in Utrecht, Batau in Nieuwegein, Vollenhove in Zeist. Filter by `city`; `search` name and city.",
    examples.NEIGHBOURHOOD,
    examples.NEIGHBOURHOOD_REQUEST,
    {"name": "Morgenstond"},
)
class NeighbourhoodViewSet(ServiceViewSet):
    """The neighbourhoods the coalition works in."""

    serializer_class = NeighbourhoodSerializer
    filterset_class = NeighbourhoodFilter
    roles = COORDINATOR_WRITES

    def get_queryset(self):
        return selectors.neighbourhood_list()

    def create(self, request):
        return self.respond(services.neighbourhood_create(**self.validated()), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        neighbourhood = self.get_object()
        data = self.validated(instance=neighbourhood, partial=True)
        return self.respond(services.neighbourhood_update(neighbourhood=neighbourhood, data=data))


@documented(
    "a programme",
    "programmes",
    "every signed-in user; `budget` and `coFinancingRatio` are shown to coordinators only",
    "The sources of funding that are accounted for separately (a Regio Deal, the Nationaal Programma "
    "Leefbaarheid en Veiligheid), each with its `kind`, its `funder` and the check-in days after placement of the "
    "pathways it funds. Its budget cannot go below what is allocated from it, nor its dates leave out a year with "
    "allocations (409).",
    examples.PROGRAMME,
    examples.PROGRAMME_REQUEST,
    {"checkInDays": [7, 30, 90, 180, 365, 730]},
)
class ProgrammeViewSet(ServiceViewSet):
    """Funding programmes (a Regio Deal, the NPLV), each accounted for separately; budgets for coordinators."""

    roles = COORDINATOR_WRITES

    def get_queryset(self):
        return selectors.programme_list()

    def get_serializer_class(self):
        return ProgrammeSerializer if self.role == Role.COORDINATOR else PublicProgrammeSerializer

    def create(self, request):
        return self.respond(services.programme_create(**self.validated()), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        programme = self.get_object()
        data = self.validated(instance=programme, partial=True)
        return self.respond(services.programme_update(programme=programme, data=data))


@documented(
    "a project",
    "projects",
    "every signed-in user",
    "The coalition's projects with their partners, policy domains, location, continuity and risks; `isPearl` after "
    "an evaluation. Filter by `status`, `domain`, `neighbourhood` or `organisation` (lead or partner); `search` the "
    "name.",
    examples.PROJECT,
    examples.PROJECT_REQUEST,
    {"continuity": {"fundedUntil": "2028-12-31", "plan": "Structural funding agreed.", "successorFunder": None}},
)
class ProjectViewSet(ServiceViewSet):
    """The coalition's projects — a local work company, a community kitchen, the work-and-learn modules of a
    transition — with their partners, policy domains, location and continuity; every signed-in user reads them."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    roles = COORDINATOR_WRITES

    def get_queryset(self):
        return selectors.project_list()

    def create(self, request):
        project = services.project_create(**self.validated())
        return self.respond(selectors.project_list().get(pk=project.pk), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        project = self.get_object()
        data = self.validated(instance=project, partial=True)
        services.project_update(project=project, data=data)
        return self.respond(selectors.project_list().get(pk=project.pk))


@documented(
    "a user",
    "users",
    "coordinators only",
    "The people who work in the coalition, each in one organisation with one role. Filter by `role`, "
    "`organisation` or `isActive`; `search` username, name and e-mail. A user who still coaches residents keeps "
    "their role and stays active until those residents are reassigned (409).",
    examples.USER,
    examples.USER_REQUEST,
    {"role": "coordinator"},
)
class UserViewSet(ServiceViewSet):
    """The people who work in the coalition (coordinators only)."""

    serializer_class = UserSerializer
    filterset_class = UserFilter
    permission_classes = [IsCoordinator]

    def get_queryset(self):
        return selectors.user_list()

    def create(self, request):
        return self.respond(services.user_create(**self.validated()), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        user = self.get_object()
        data = self.validated(instance=user, partial=True)
        return self.respond(services.user_update(user=user, data=data))


class MeView(GenericAPIView):
    """The caller's own account, with the role they act in."""

    serializer_class = MeSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Who am I",
        description="The signed-in user's own account and the role they act in (a superuser acts as a "
        "coordinator): what a front end needs to show the right screens.",
        examples=[OpenApiExample("A coach", value=examples.USER, response_only=True)],
    )
    def get(self, request):
        return Response(self.get_serializer(request.user).data)


class TokenView(GenericAPIView):
    """Log in: trade a username and password for an API token (`Authorization: Token <token>`)."""

    serializer_class = TokenRequestSerializer
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        summary="Log in",
        description="Trade a username and password for an API token, then send `Authorization: Token <token>` "
        "with every request. A token lives 12 hours by default. Wrong credentials answer 400; after too many "
        "failed logins for a username, every login for it answers 429 for the rest of the window.",
        examples=[
            OpenApiExample(
                "A coach",
                value={"username": "fatima.elamrani", "password": "Zuidwest-aan-het-werk-2026"},
                request_only=True,
            ),
            OpenApiExample("Token", value={"token": "3f9c1e0b7a5d42e8b6c1d0f4a9e7b2c5"}, response_only=True),
        ],
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token = services.auth_token_create(**serializer.validated_data, request=request)
        except services.LoginSlowedDown as exc:
            raise Throttled(wait=exc.wait, detail=str(exc)) from exc
        return Response({"token": token})


class LogoutView(APIView):  # not a GenericAPIView: without a serializer, OPTIONS would fail to describe one
    """Revoke the token this request was made with; it stops working at once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Log out",
        description="Revoke the token this request was made with; it stops working at once. No body.",
    )
    def post(self, request):
        if request.auth is not None:
            services.auth_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
