"""Service tests read messages in English (outside a request the app's default is Russian)."""

import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def english(app, db):
    with force_locale("en"):
        yield
