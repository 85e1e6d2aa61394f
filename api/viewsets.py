"""The viewset every Werkpad resource builds on: reads from selectors, writes through services, residents shown
announced for the access log."""

from collections.abc import Iterable, Mapping

from django.urls import reverse
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from api.pagination import countable, with_total
from api.rows import row_plan
from api.serializers import ID_PATTERN, acting_role
from api.signals import residents_shown


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reads come from the view's selector-backed `get_queryset`; writes go through `validated()` → a service →
    `respond()`. `roles` maps an action to the roles that may take it (read by the permission class the settings
    name, DEFAULT_PERMISSION_CLASSES)."""

    roles: dict[str, set[str]] = {}
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]
    # The access log: where each object this viewset answers names the resident it shows, as a path of keys
    # ("resident.id"); None for objects that show no resident. `residents_shown` is the place for other ways.
    resident_key: str | None = None

    def residents_shown(self, objects: list) -> Iterable[int]:
        if self.resident_key is None:
            return ()
        keys = self.resident_key.split(".")
        ids = []
        for shown in objects:
            for key in keys:
                shown = shown[key]
            ids.append(shown)
        return ids

    def finalize_response(self, request, response, *args, **kwargs):
        """Announces the residents a successful answer shows (`residents_shown`: the access log writes them), once its
        data is built and before the request's transaction commits (ATOMIC_REQUESTS): if the request fails after
        all, what the receivers wrote goes with it."""
        response = super().finalize_response(request, response, *args, **kwargs)
        data = response.data
        if data and status.is_success(response.status_code) and self.action != "metadata":
            page = self.action == "list" and isinstance(data, Mapping)
            objects = data["results"] if page else data if isinstance(data, list) else [data]
            resident_ids = list(self.residents_shown(objects))
            response.residents_shown = resident_ids  # a stored answer replayed later shows them again (idempotency)
            if resident_ids:
                residents_shown.send(
                    type(self), request=request, user=request.user, role=self.role, resident_ids=resident_ids
                )
        return response

    def list(self, request, *args, **kwargs):
        # A page of rows: from `.values()` where the serializer allows (api/rows.py), else from models.
        plan = row_plan(self.get_serializer_class(), self.get_serializer)
        if plan is None:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        if self.paginator is not None and countable(queryset):
            queryset = with_total(queryset)  # counted before the rows' columns join anything in
        rows = plan.rows(queryset)
        page = self.paginate_queryset(rows)
        if page is None:
            return Response([plan.represent(row) for row in rows])
        return self.get_paginated_response([plan.represent(row) for row in page])

    def validated(self, serializer_class=None, **kwargs) -> dict:
        serializer_class = serializer_class or self.get_serializer_class()
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def respond(self, instance, status_code: int = status.HTTP_200_OK) -> Response:
        """The object as the serializer shows it; a 201 names the new object's path in `Location` (contract §1)."""
        created = status_code == status.HTTP_201_CREATED
        location = {"Location": reverse(f"{self.basename}-detail", args=[instance.pk])} if created else None
        return Response(self.get_serializer(instance).data, status=status_code, headers=location)

    @property
    def role(self) -> str | None:
        return acting_role(self.request.user)
