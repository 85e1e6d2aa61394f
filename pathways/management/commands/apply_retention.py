from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from history.context import system_context
from pathways.privacy import selectors
from pathways.privacy.services import retention_apply


class Command(BaseCommand):
    help = (
        "Anonymise the residents whose last pathway closed more than RETENTION_DAYS ago and who have none open "
        "(as erasure does; the rows stay for the counts). The workers run this daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list whom it would anonymise")

    def handle(self, *args, dry_run: bool = False, **options):
        now = timezone.now()
        cutoff = timezone.localdate(selectors.retention_cutoff(now=now))
        if dry_run:
            ids = list(selectors.resident_retention_due(now=now).values_list("pk", flat=True))
        else:
            with system_context("apply_retention"):
                ids = retention_apply(now=now)
        self.stdout.write(
            f"Retention: residents whose last pathway closed before {cutoff} (RETENTION_DAYS={settings.RETENTION_DAYS})"
            f" and who have none open\n"
            f"  {'would be anonymised' if dry_run else 'anonymised'}: {len(ids)}"
            + (f" (ids {', '.join(map(str, ids))})" if ids else "")
        )
