"""Service messages are checked in English (the app's default language is Russian)."""

import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def english_messages(app):
    with app.test_request_context(headers={"Accept-Language": "en"}), force_locale("en"):
        yield
