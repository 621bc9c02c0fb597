"""The participants domain (see its issue); register(app) wires it into the app."""


def register(app) -> None:
    from programme.participants import models  # noqa: F401 - the tables belong to the app's metadata
