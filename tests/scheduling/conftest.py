"""Service tests read messages in English (outside a request the app's default is Russian)."""

import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def english(app, db):
    with force_locale("en"):
        yield


@pytest.fixture
def relogin(client, login_as):
    """Sign out the test client (drop its session cookie), then sign in a new user of `role`."""

    def switch(role: str, **values):
        client.delete_cookie("pip_session")
        return login_as(role, **values)

    return switch
