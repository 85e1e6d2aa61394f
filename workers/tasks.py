"""Celery tasks: thin, they take ids and call services. The reminder sweep arrives with the next issue."""
