"""Service messages in these tests are read in English (the app's default locale is Russian)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def english(db):
    with force_locale("en"):
        yield
