"""Settings for the test run: the project's own, with a test secret and a fast password hasher."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "werkpad-test-secret-key-not-for-production")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # factories create many users

# Worker subprocesses started by tests/workers pick a recording e-mail backend (tests/workers/mail.py) this way.
EMAIL_BACKEND = os.environ.get("TEST_EMAIL_BACKEND", EMAIL_BACKEND)  # noqa: F405
