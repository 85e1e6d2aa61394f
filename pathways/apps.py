from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = "Pathways"

    def ready(self) -> None:
        from .reminders import reminders_register

        reminders_register()  # the check-in and placement reminders, with the sweep
