from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = "Pathways"

    def ready(self) -> None:
        from api.signals import residents_shown

        from .journey import schema  # noqa: F401 - its extensions describe role-dependent fields
        from .placements.reminders import reminders_register
        from .privacy.access_log import log_residents_shown

        reminders_register()  # the check-in and placement reminders, with the sweep
        residents_shown.connect(log_residents_shown, dispatch_uid="werkpad-access-log")
