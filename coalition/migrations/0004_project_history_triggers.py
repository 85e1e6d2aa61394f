import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('coalition', '0003_project'),
        ('history', '0002_project_events'),
    ]

    operations = [
        pgtrigger.migrations.AddTrigger(
            model_name='project',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "history_projectevent" ("continuity_plan", "description", "ends_on", "funded_until", "id", "latest_evaluation_high_impact_continue", "lead_organisation_id", "location_demolition_on", "location_name", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "risks", "starts_on", "stopped_at", "successor_funder_id") SELECT new_values."continuity_plan", new_values."description", new_values."ends_on", new_values."funded_until", new_values."id", new_values."latest_evaluation_high_impact_continue", new_values."lead_organisation_id", new_values."location_demolition_on", new_values."location_name", new_values."name", _pgh_attached_context.value, NOW(), \'insert\', new_values."id", new_values."risks", new_values."starts_on", new_values."stopped_at", new_values."successor_funder_id" FROM ( SELECT new_values.* FROM new_values  ) AS new_values, _pgh_attached_context; RETURN NULL;', hash='e1ca934aefb3a9293d1ce183675fc659133c69e9', level='STATEMENT', operation='INSERT', pgid='pgtrigger_insert_insert_6dcd3', referencing='REFERENCING NEW TABLE AS new_values ', table='coalition_project', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='project',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "history_projectevent" ("continuity_plan", "description", "ends_on", "funded_until", "id", "latest_evaluation_high_impact_continue", "lead_organisation_id", "location_demolition_on", "location_name", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "risks", "starts_on", "stopped_at", "successor_funder_id") SELECT new_values."continuity_plan", new_values."description", new_values."ends_on", new_values."funded_until", new_values."id", new_values."latest_evaluation_high_impact_continue", new_values."lead_organisation_id", new_values."location_demolition_on", new_values."location_name", new_values."name", _pgh_attached_context.value, NOW(), \'update\', new_values."id", new_values."risks", new_values."starts_on", new_values."stopped_at", new_values."successor_funder_id" FROM ( SELECT new_values.* FROM old_values JOIN new_values ON (old_values."id") = (new_values."id") WHERE (old_values.* IS DISTINCT FROM new_values.*) ) AS new_values, _pgh_attached_context; RETURN NULL;', hash='a1808358d73efcf7332d5e050ac6cde0e463d58a', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_update_update_910ec', referencing='REFERENCING OLD TABLE AS old_values  NEW TABLE AS new_values ', table='coalition_project', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='project',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "history_projectevent" ("continuity_plan", "description", "ends_on", "funded_until", "id", "latest_evaluation_high_impact_continue", "lead_organisation_id", "location_demolition_on", "location_name", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "risks", "starts_on", "stopped_at", "successor_funder_id") SELECT old_values."continuity_plan", old_values."description", old_values."ends_on", old_values."funded_until", old_values."id", old_values."latest_evaluation_high_impact_continue", old_values."lead_organisation_id", old_values."location_demolition_on", old_values."location_name", old_values."name", _pgh_attached_context.value, NOW(), \'delete\', old_values."id", old_values."risks", old_values."starts_on", old_values."stopped_at", old_values."successor_funder_id" FROM ( SELECT old_values.* FROM old_values  ) AS old_values, _pgh_attached_context; RETURN NULL;', hash='67f7551ac530247def21d28aaf9649a2bab21cf2', level='STATEMENT', operation='DELETE', pgid='pgtrigger_delete_delete_1bfe8', referencing='REFERENCING OLD TABLE AS old_values ', table='coalition_project', when='AFTER')),
        ),
    ]
