from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from history.context import system_context
from pathways.emails import DeliveryReport, delivery_health, emails_send
from pathways.reminders import reminders_sweep


class Command(BaseCommand):
    help = (
        "Run one reminder sweep now, in the foreground, and send its e-mails from this process. "
        "The scheduled job the workers run does the same sweep."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            help="The moment of the sweep, ISO 8601 with offset (default: now), e.g. 2027-01-15T08:00:00+01:00.",
        )

    def handle(self, *args, as_of: str | None = None, **options):
        now = self._moment(as_of)
        delivered = DeliveryReport()

        def deliver(email_ids: list[int]) -> None:
            result = emails_send(ids=email_ids)
            delivered.sent += result.sent
            delivered.failed += result.failed
            delivered.skipped += result.skipped

        with system_context("send_reminders"):
            report = reminders_sweep(now=now, deliver=deliver)
        health = delivery_health()
        self.stdout.write(
            f"Sweep as of {timezone.localtime(now).isoformat()} (Europe/Amsterdam date {timezone.localdate(now)}):\n"
            f"  check-ins became due:    {report.became_due}\n"
            f"  check-ins became missed: {report.became_missed}\n"
            f"  reminders created:       {report.notifications}\n"
            f"  e-mails sent:            {delivered.sent}"
            f" (failed attempts {delivered.failed}, handed over again {report.redriven})\n"
            f"  deliveries failed:       {health['failed']}\n"
            f"  deliveries stuck:        {health['stuck']}\n"
            f"  steps failed:            {', '.join(report.failed_steps) or 'none'}\n"
            f"  rows left out:           {_left_out(report.skipped)}"
        )
        if health["failed"] or health["stuck"]:
            self.stderr.write("Some e-mails failed or are stuck: see the outbox in the admin.")
        if report.failed_steps or report.skipped:
            # Still exit 0 (contract §7): the rest of the sweep was done; the log names each row and error.
            self.stderr.write("Part of the sweep failed and waits for the next one: see the log for the errors.")

    @staticmethod
    def _moment(as_of: str | None) -> datetime:
        if as_of is None:
            return timezone.now()
        try:
            moment = parse_datetime(as_of)
        except ValueError:  # well formed but impossible, e.g. month 13
            moment = None
        if moment is None:
            raise CommandError(f"--as-of {as_of!r} is not an ISO 8601 date and time.")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)  # read in Europe/Amsterdam
        return moment


def _left_out(skipped: dict[str, list[int]]) -> str:
    """`0`, or how many rows and which: `2 (check_ins 17, 18)`."""
    total = sum(len(ids) for ids in skipped.values())
    if not total:
        return "0"
    return f"{total} (" + "; ".join(f"{step} {', '.join(map(str, ids))}" for step, ids in skipped.items()) + ")"
