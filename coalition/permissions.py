"""Who may do what. Visibility (what a caller sees at all) is the selectors' job: an object out of scope is a
404 before these checks run. These decide, for what the caller can see, whether their role may act (else 403)."""

from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from api.serializers import acting_role

from .models import Role


class RolePermission(BasePermission):
    """Reads the view's `roles`: action name → roles allowed to take it. Actions not listed are open to every
    authenticated caller (reads, scoped by the queryset).

    Actions on one object are checked after the object is found, so that an invisible object answers 404.
    """

    message = "Your role may not do this."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if getattr(view, "detail", False):
            return True
        return self._allowed(request, view)

    def has_object_permission(self, request, view, obj) -> bool:
        return self._allowed(request, view)

    @staticmethod
    def _allowed(request, view) -> bool:
        roles = getattr(view, "roles", {}).get(view.action)
        return roles is None or acting_role(request.user) in roles


class IsCoordinator(BasePermission):
    message = "Only coordinators may use this."
    roles = frozenset({Role.COORDINATOR})  # for the schema's "Roles:" note

    def has_permission(self, request, view) -> bool:
        return acting_role(request.user) == Role.COORDINATOR


class OnlyCoordinatorsSee(IsCoordinator):
    """For what other roles must not know exists (money, contract §12): to them every path answers 404, whatever
    the method, exactly as a path that does not exist; anonymous callers get 401 as everywhere."""

    hides = True  # for the schema: the 404 is documented on every operation

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not super().has_permission(request, view):
            from api.problems import NO_RESOURCE  # here: api.problems loads DRF, whose settings load this module

            raise NotFound(NO_RESOURCE)
        return True
