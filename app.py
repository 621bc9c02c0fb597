"""WSGI entry point: `flask --app app run` and `gunicorn app:app`."""

from programme import create_app

app = create_app()
