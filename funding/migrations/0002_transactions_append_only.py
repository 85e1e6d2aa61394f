from django.db import migrations

# PostgreSQL refuses to change or delete a transaction, as it does for the access log: a correction is a new
# transaction. TRUNCATE stays possible (test runs empty tables with it; only the database owner can issue it).
# SQLite (the development run) gets no trigger.
APPEND_ONLY = [
    """CREATE FUNCTION funding_transaction_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'transactions are append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER transaction_append_only BEFORE UPDATE OR DELETE ON funding_transaction
       FOR EACH ROW EXECUTE FUNCTION funding_transaction_append_only()""",
]
DROP = [
    "DROP TRIGGER transaction_append_only ON funding_transaction",
    "DROP FUNCTION funding_transaction_append_only()",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [migrations.RunPython(run(APPEND_ONLY), run(DROP))]
