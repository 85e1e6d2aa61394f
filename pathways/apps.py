from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = "Pathways"

    def ready(self) -> None:
        from idempotency.signals import answer_replayed

        from .access_log import log_replayed_answer
        from .reminders import reminders_register

        reminders_register()  # the check-in and placement reminders, with the sweep
        answer_replayed.connect(log_replayed_answer, dispatch_uid="werkpad-access-log-replays")
