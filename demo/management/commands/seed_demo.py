from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from demo.evaluation import Projects
from demo.funding import Funding
from demo.residents import DEMO_PASSWORD, USERS, Residents, coalition_ensure
from history.context import system_context
from notifications.sweep import reminders_sweep
from pathways.models import Resident


class Command(BaseCommand):
    help = (
        "Builds the demo coalition (Den Haag Zuidwest and the Regio Deal Vitale Wijken), tops its residents up "
        "to --residents, at every point of their pathways, and tells its projects' evaluation and money. Running "
        "it again makes nothing twice."
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
            projects = Projects(now=now)
            missing = projects.missing()
            with tqdm(total=len(missing), unit=" projects", desc="Projects") as progress:
                for _ in projects.write(missing):
                    progress.update(1)
            funding = Funding(now=now)
            unfunded = funding.missing()
            with tqdm(total=len(unfunded), unit=" projects", desc="Funding") as progress:
                for _ in funding.write(unfunded):
                    progress.update(1)
            # Check-ins left open fall due or are missed, evaluations and results fall due, and remind, as on any
            # day. Their e-mails wait in the outbox for the workers' sweep to hand over: seeding never waits on the
            # broker.
            reminders_sweep(now=now, deliver=lambda email_ids: None)
        added = max(residents - present, 0)
        self.stdout.write(f"{present + added} residents ({added} new); {len(missing)} new projects.\n")
        self.stdout.write(f"Demo logins, every one with the password {DEMO_PASSWORD}:")
        for username, role, organisation, _, _ in USERS:
            extra = "  (also the back office at /admin/)" if role == "coordinator" else ""
            self.stdout.write(f"  {role:<12} {username:<34} {DEMO_PASSWORD}  {organisation}{extra}")
