"""The evaluation's notifications (contract §11), registered with notifications.sources by EvaluationConfig.ready:
the members of a project are told when it is stopped."""

from django.db.models import F

from coalition.models import Project, User
from notifications.sources import Recipients, Reminder, Source, register

PROJECT_STOPPED = "project_stopped"


def _active_users():
    return User.objects.filter(is_active=True)


def _about_project(project: str = "") -> dict:
    """The placeholders of the texts about a project (`project`: the lookup to it, "" for the project)."""
    path = f"{project}__" if project else ""
    return {"project_name": F(f"{path}name"), "lead_organisation_": F(f"{path}lead_organisation")}


STOPPED_PROJECTS = Source(
    name="stopped_projects",
    object_type="project",
    objects=lambda: Project.objects.annotate(**_about_project()),
    resident=None,
    reminders=(
        Reminder(
            kind=PROJECT_STOPPED,
            label="Project stopped",
            subject="Project stopped: {project_name}",
            body="The coalition has evaluated '{project_name}' and decided to stop it. "
            "Its modules take no new enrolments.",
            # Not swept: the decision names the recipients, every member of the project (notifications_create).
            recipients=Recipients(_active_users, match=("organisation_id", "lead_organisation_")),
        ),
    ),
)


def reminders_register() -> None:
    register(STOPPED_PROJECTS)
