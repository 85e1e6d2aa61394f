from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from config.api import ServiceViewSet

from . import selectors, services
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

    def get(self, request):
        return Response(self.get_serializer(request.user).data)


class TokenView(GenericAPIView):
    """Log in: trade a username and password for an API token (`Authorization: Token <token>`)."""

    serializer_class = TokenRequestSerializer
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
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

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if request.auth is not None:
            services.auth_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
