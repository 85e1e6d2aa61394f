from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.urls import reverse


class ProjectConfig(AppConfig):
    """The project's own wiring that belongs to no domain app."""

    name = "config"
    verbose_name = "Werkpad"

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        from config.postgres import use_fast_timestamptz_loader

        connection_created.connect(use_fast_timestamptz_loader, dispatch_uid="werkpad-timestamptz-loader")
        check_request_enabled.connect(schema_open_to_every_origin, dispatch_uid="werkpad-cors-schema")


def schema_open_to_every_origin(sender, request, **kwargs) -> bool:
    """Contract §1: the schema is CORS open, whatever CORS_ALLOWED_ORIGINS says (it holds nothing private)."""
    return request.path == reverse("openapi")
