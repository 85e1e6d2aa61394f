from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo coalition of `manage.py seed_demo`: on top of every domain app, which none of them imports."""

    name = "demo"
    verbose_name = "Demo"
