# Notification, OutboxEmail and SweepProblem moved to notifications (issue 10).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0008_sweep_problem"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        # The models moved to notifications (its 0001), their tables and rows with them: nothing is dropped.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="notification",
                    name="recipient",
                ),
                migrations.RemoveField(
                    model_name="outboxemail",
                    name="notification",
                ),
                migrations.DeleteModel(
                    name="SweepProblem",
                ),
                migrations.DeleteModel(
                    name="Notification",
                ),
                migrations.DeleteModel(
                    name="OutboxEmail",
                ),
            ],
        ),
    ]
