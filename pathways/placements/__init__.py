"""Placements and check-ins: jobs for residents, the conversations after a placement, and their reminders
(`reminders.py`)."""
