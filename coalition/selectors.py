from django.db.models import Q, QuerySet

from .models import Neighbourhood, Organisation, Programme, Project, Role, User


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.prefetch_related("neighbourhoods")


def neighbourhood_list() -> QuerySet[Neighbourhood]:
    return Neighbourhood.objects.all()


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.all()


def user_list() -> QuerySet[User]:
    return User.objects.select_related("organisation")


def coordinator_list() -> QuerySet[User]:
    """Everyone who acts as a coordinator: the role, and Django superusers."""
    return User.objects.filter(Q(role=Role.COORDINATOR) | Q(is_superuser=True), is_active=True)


def project_list() -> QuerySet[Project]:
    return Project.objects.select_related("successor_funder").prefetch_related("partners", "neighbourhoods", "domains")


def member_projects(*, user) -> QuerySet[Project]:
    """The projects the user is a member of: their organisation leads the project or is one of its partners."""
    organisation = getattr(user, "organisation_id", None)
    if organisation is None:
        return Project.objects.none()
    return Project.objects.filter(involving(organisation))


def involving(organisation) -> Q:
    """Projects the organisation (an id, or an expression) leads or is a partner of; without a join that would
    repeat a project."""
    partnered = Project.partners.through.objects.filter(organisation=organisation).values("project")
    return Q(lead_organisation=organisation) | Q(pk__in=partnered)


def project_members(*, project: Project) -> QuerySet[User]:
    """The active users who are members of the project."""
    organisations = [project.lead_organisation_id, *project.partners.values_list("id", flat=True)]
    return User.objects.filter(organisation__in=organisations, is_active=True)
