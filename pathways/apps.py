from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = "Pathways"

    def ready(self) -> None:
        from idempotency.signals import answer_replayed

        from .access_log import log_replayed_answer

        answer_replayed.connect(log_replayed_answer, dispatch_uid="werkpad-access-log-replays")
