from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Evaluation"

    def ready(self) -> None:
        from .reminders import reminders_register

        reminders_register()  # project_stopped (and the evaluation's reminders), with the sweep
