"""WSGI entry point: `flask --app app run` and `gunicorn app:app`."""

import gc

from programme import create_app
from programme.core.warmup import under_gunicorn, warm_up

app = create_app()
if under_gunicorn():
    warm_up(app)  # first-use costs of charts, PDF fonts and templates, before the first request

# The app's long-lived objects (modules, mappers, templates, catalogues) are moved out of the
# garbage collector's view: otherwise every full collection rescans them, and an analysis that
# builds tens of thousands of objects triggers several (measured: 100-200 ms of a 1 s page).
gc.freeze()
