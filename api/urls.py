from django.urls import path
from drf_spectacular.views import SpectacularSwaggerView

from .docs import OpenApiView

urlpatterns = [
    path("openapi.json", OpenApiView.as_view(), name="openapi"),
    path("docs", SpectacularSwaggerView.as_view(url_name="openapi"), name="docs"),
]
