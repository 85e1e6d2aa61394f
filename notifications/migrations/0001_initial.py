# Notification, OutboxEmail and SweepProblem move here from pathways (issue 10).

import django.db.models.deletion
import notifications.sources
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("pathways", "0008_sweep_problem"),  # the tables, created by pathways
    ]

    operations = [
        # The tables stay as they are, rows and all (db_table): only Django's idea of whose models they are moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='SweepProblem',
                fields=[
                    ('step', models.CharField(max_length=32, primary_key=True, serialize=False)),
                    ('at', models.DateTimeField()),
                    ('failed', models.BooleanField()),
                    ('skipped_rows', models.PositiveIntegerField()),
                ],
                options={
                    'db_table': 'pathways_sweepproblem',
                },
            ),
            migrations.CreateModel(
                name='Notification',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=notifications.sources.kind_choices, max_length=32)),
                    ('subject', models.CharField(max_length=200)),
                    ('body', models.TextField()),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('read_at', models.DateTimeField(blank=True, null=True)),
                    ('object_type', models.CharField(max_length=32)),
                    ('object_id', models.BigIntegerField()),
                    ('recipient', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'pathways_notification',
                    'ordering': ['-created_at', '-id'],
                },
            ),
            migrations.CreateModel(
                name='OutboxEmail',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=16)),
                    ('attempts', models.PositiveSmallIntegerField(default=0)),
                    ('last_error', models.TextField(blank=True)),
                    ('created_at', models.DateTimeField()),
                    ('enqueued_at', models.DateTimeField(blank=True, null=True)),
                    ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                    ('sent_at', models.DateTimeField(blank=True, null=True)),
                    ('notification', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='email', to='notifications.notification')),
                ],
                options={
                    'db_table': 'pathways_outboxemail',
                    'ordering': ['-created_at', '-id'],
                },
            ),
            migrations.AddConstraint(
                model_name='notification',
                constraint=models.UniqueConstraint(fields=('recipient', 'kind', 'object_type', 'object_id'), name='notification_once_per_object'),
            ),
            migrations.AddIndex(
                model_name='outboxemail',
                index=models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at', 'enqueued_at'], name='outbox_email_pending'),
            ),
            ],
        ),
    ]
