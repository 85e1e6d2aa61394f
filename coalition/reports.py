"""What every coordinators' report shares (contract §3: reports are for coordinators only): its query parameters
read by a serializer, no pagination, and its documentation — a JSON answer, and the same report in other media
types (a CSV file, an SVG image) as the text it is."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer

from api.rendering import CamelCaseJSONRenderer

from .permissions import IsCoordinator


class ReportView(GenericAPIView):
    """A coordinators' report: JSON, or another media type its renderers offer."""

    permission_classes = [IsCoordinator]
    renderer_classes = [CamelCaseJSONRenderer]
    pagination_class = None
    filter_backends = []
    query_serializer: type[serializers.Serializer]

    def query(self) -> dict:
        query = self.query_serializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data


class ReportRenderer(BaseRenderer):
    """A report in another media type than JSON: `render_report` draws it from the report's data."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if not isinstance(data, dict) or "results" not in data:  # an error: problem+json is rendered elsewhere
            return b""
        return self.render_report(data)

    def render_report(self, data: dict) -> bytes:
        raise NotImplementedError


def report_schema(query, report, example: dict, also: dict[str, str] | None = None, **kwargs):
    """A report's documentation: its query, the JSON answer, and each other media type's (`also`: media type →
    example) as the text it is."""
    also = also or {}
    return extend_schema(
        parameters=[query],
        responses={(200, "application/json"): report, **{(200, media): OpenApiTypes.STR for media in also}},
        examples=[
            OpenApiExample("JSON", value=example, response_only=True, media_type="application/json"),
            *[OpenApiExample(media, value=text, response_only=True, media_type=media) for media, text in also.items()],
        ],
        tags=["reports"],
        **kwargs,
    )
