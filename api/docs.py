"""The OpenAPI schema as served: public, and readable by pages on any origin (contract §1)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from drf_spectacular.views import SpectacularJSONAPIView


class OpenApiView(SpectacularJSONAPIView):
    """The OpenAPI 3 schema of this API: this document."""

    # Our own decoration replaces drf-spectacular's, whose `lang` parameter is not part of the contract.
    @extend_schema(
        operation_id="openapi_retrieve",
        tags=["openapi"],
        summary="This OpenAPI document",
        description="The OpenAPI 3 description of this API, without authentication and open to pages on any "
        "origin: generate a typed client from it (for example with openapi-typescript). Swagger UI at `/docs`.",
        responses={
            (200, "application/vnd.oai.openapi+json"): OpenApiTypes.OBJECT,
            (200, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response


def request_example(name: str, value: dict) -> OpenApiExample:
    """A realistic request body for the docs page."""
    return OpenApiExample(name, value=value, request_only=True)


def answer_example(name: str, value) -> OpenApiExample:
    """A realistic answer for the docs page."""
    return OpenApiExample(name, value=value, response_only=True)
