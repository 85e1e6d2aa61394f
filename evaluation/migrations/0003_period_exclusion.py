"""Two periods of the same project and indicator never overlap: on PostgreSQL the database refuses it too (an
exclusion constraint over the periods' date ranges). SQLite has no such constraint; there the service's check under
the project's lock is the only one."""

from django.db import migrations

CONSTRAINT = "indicator_period_no_overlap"


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.execute(
            f"""ALTER TABLE evaluation_indicatorperiod ADD CONSTRAINT {CONSTRAINT}
                EXCLUDE USING gist (project_id WITH =, indicator_id WITH =,
                                    daterange(period_start, period_end, '[]') WITH &&)"""
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE evaluation_indicatorperiod DROP CONSTRAINT {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0002_history_triggers")]

    operations = [migrations.RunPython(add, remove)]
