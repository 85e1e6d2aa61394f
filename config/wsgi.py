import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from api.throttling import warn_if_counting_apart  # noqa: E402 (needs the settings loaded above)

warn_if_counting_apart()
