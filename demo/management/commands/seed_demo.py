from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from demo.residents import DEMO_PASSWORD, USERS, Residents, coalition_ensure
from history.context import system_context
from pathways.models import Resident


class Command(BaseCommand):
    help = (
        "Builds the demo coalition (Den Haag Zuidwest and the Regio Deal Vitale Wijken) and tops its residents up "
        "to --residents, at every point of their pathways. Running it again makes nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--residents", type=int, default=300, help="how many residents there should be at least (default 300)"
        )

    def handle(self, *args, residents: int, **options):
        if residents < 0:
            raise CommandError("--residents cannot be negative.")
        now = timezone.now()
        with system_context("seed_demo"):
            coalition = coalition_ensure(today=timezone.localdate(now))
            present = Resident.objects.count()
            writer = Residents(coalition, now=now)
            with tqdm(total=max(residents - present, 0), unit=" residents", desc="Residents") as progress:
                for written in writer.top_up(first=present, stop=residents):
                    progress.update(written)
        added = max(residents - present, 0)
        self.stdout.write(f"{present + added} residents ({added} new).\n")
        self.stdout.write(f"Demo logins, every one with the password {DEMO_PASSWORD}:")
        for username, role, organisation, _, _ in USERS:
            extra = "  (also the back office at /admin/)" if role == "coordinator" else ""
            self.stdout.write(f"  {role:<12} {username:<34} {DEMO_PASSWORD}  {organisation}{extra}")
