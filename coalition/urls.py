from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter(trailing_slash=False)
router.register("organisations", apis.OrganisationViewSet, basename="organisation")
router.register("neighbourhoods", apis.NeighbourhoodViewSet, basename="neighbourhood")
router.register("programmes", apis.ProgrammeViewSet, basename="programme")
router.register("users", apis.UserViewSet, basename="user")
router.register("projects", apis.ProjectViewSet, basename="project")

urlpatterns = [
    path("auth/token", apis.TokenView.as_view(), name="auth-token"),
    path("auth/logout", apis.LogoutView.as_view(), name="auth-logout"),
    path("me", apis.MeView.as_view(), name="me"),
    *router.urls,
]
