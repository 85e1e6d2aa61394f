"""What every report endpoint shares: its query parameters read by a serializer (400 naming them), no pagination,
a JSON answer or the same report in another media type (a CSV file, an SVG image), and its documentation with each
media type's answer as the text it is. The apps' report views set who may ask (api/ knows no app's permissions)."""

import csv
import io

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer

from .rendering import CamelCaseJSONRenderer

CELLS = {None: "", True: "true", False: "false"}  # as a JSON client would read them


class ReportRenderer(BaseRenderer):
    """A report in another media type than JSON, drawn by `render_report` from the report's data."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        # An error (problem+json is rendered elsewhere) or what OPTIONS answers: no report to draw.
        if renderer_context["response"].status_code >= 400 or renderer_context["request"].method == "OPTIONS":
            return b""
        return self.render_report(data, renderer_context["view"])

    def render_report(self, data: dict, view) -> bytes:
        raise NotImplementedError


class ReportCSVRenderer(ReportRenderer):
    """A report as a spreadsheet: the rows of the view's `csv_table`, the header first."""

    media_type = "text/csv"
    format = "csv"

    def render_report(self, data: dict, view) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        for row in view.csv_table(data):
            writer.writerow([CELLS.get(cell, cell) if isinstance(cell, bool | None) else cell for cell in row])
        return out.getvalue().encode()


class ReportView(GenericAPIView):
    """A report: JSON, or CSV with `Accept: text/csv` (or `?format=csv`) unless its renderers say otherwise. A CSV
    report of `results` rows needs only `csv_header` and a `csv_row` method; any other shape, its `csv_table`."""

    renderer_classes = [CamelCaseJSONRenderer, ReportCSVRenderer]
    pagination_class = None
    filter_backends = []
    query_serializer: type[serializers.Serializer]
    csv_header: list[str]

    def query(self) -> dict:
        query = self.query_serializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data

    def csv_table(self, data: dict) -> list[list]:
        return [self.csv_header, *(self.csv_row(row) for row in data["results"])]


def report_schema(query, report, example: dict, also: dict[str, str], **kwargs):
    """A report's documentation: its query, the JSON answer, and each other media type's (`also`: media type →
    example) as the text it is."""
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
