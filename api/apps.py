from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ApiConfig(AppConfig):
    """What every endpoint shares, and belongs to no domain app."""

    name = "api"
    verbose_name = "Werkpad"

    def ready(self) -> None:
        from api.postgres import use_fast_timestamptz_loader

        connection_created.connect(use_fast_timestamptz_loader, dispatch_uid="werkpad-timestamptz-loader")
