from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ProjectConfig(AppConfig):
    """The project's own wiring that belongs to no domain app."""

    name = "config"
    verbose_name = "Werkpad"

    def ready(self) -> None:
        from config.postgres import use_fast_timestamptz_loader

        connection_created.connect(use_fast_timestamptz_loader, dispatch_uid="werkpad-timestamptz-loader")
