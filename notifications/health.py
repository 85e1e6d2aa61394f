"""GET /api/v1/health (contract §1): the database and the queue reached, and what the reminders need a person for."""

from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.problems import PROBLEM_MEDIA_TYPE, problem
from api.schema import HEALTH_PROBLEM, HEALTH_STATES

from .emails import delivery_health
from .handover import broker_reachable
from .sweep import sweep_health, sweep_steps


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


class HealthView(APIView):
    """Whether the API can reach its database and its broker; for load balancers and monitoring."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        summary="Check the API's health",
        description="For load balancers and monitoring, without authentication: 200 when the API reaches its "
        "database and its broker, else 503 naming the part that failed. `deliveries` counts e-mails that need a "
        "person's attention; they never make the API unhealthy.",
        responses={
            200: inline_serializer(
                "Health",
                {
                    "status": serializers.ChoiceField(choices=["ok"]),
                    "database": serializers.ChoiceField(choices=HEALTH_STATES),
                    "broker": serializers.ChoiceField(choices=HEALTH_STATES),
                    "deliveries": inline_serializer(
                        "Deliveries",
                        {
                            "failed": serializers.IntegerField(help_text="E-mails that gave up."),
                            "stuck": serializers.IntegerField(
                                help_text="Pending e-mails not sent long after they were due."
                            ),
                        },
                        help_text="E-mails that need a person's attention; they never make the API unhealthy.",
                    ),
                    "sweep": inline_serializer(
                        "SweepProblem",
                        {
                            "step": serializers.ChoiceField(choices=sweep_steps()),
                            "at": serializers.DateTimeField(help_text="The latest sweep that had this problem."),
                            "failed": serializers.BooleanField(
                                help_text="The step failed as a whole: its reminders wait for a sweep in which it "
                                "succeeds."
                            ),
                            "skipped_rows": serializers.IntegerField(
                                help_text="Rows the database refused, left out of the sweep (the others went on)."
                            ),
                        },
                        many=True,
                        help_text="Steps of the reminder sweep that failed or left rows out within the last two "
                        "sweep intervals, for a person to look into (the workers' log names the rows and the "
                        "errors); empty when all is well. They never make the API unhealthy.",
                    ),
                },
            ),
            (503, PROBLEM_MEDIA_TYPE): HEALTH_PROBLEM,
        },
    )
    def get(self, request):
        parts = {
            "database": "ok" if database_ok() else "unavailable",
            "broker": "ok" if broker_reachable() else "unavailable",
        }
        if all(state == "ok" for state in parts.values()):
            return Response({"status": "ok", **parts, "deliveries": delivery_health(), "sweep": sweep_health()})
        failed = ", ".join(name for name, state in parts.items() if state != "ok")
        body = problem("service-unavailable", 503, f"Cannot reach: {failed}.", request.path, **parts)
        return Response(body, status=503, content_type=PROBLEM_MEDIA_TYPE)
