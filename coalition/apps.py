from django.apps import AppConfig


class CoalitionConfig(AppConfig):
    name = "coalition"
    verbose_name = "Coalition"

    def ready(self) -> None:
        from . import schema  # noqa: F401 - its extensions describe role-dependent fields
