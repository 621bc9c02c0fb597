"""Curricula, versions and session plans."""


def register(app) -> None:
    from programme.core.registry import add_seeder
    from programme.curriculum import demo, models  # noqa: F401 - models join the app's metadata

    add_seeder(app, "curricula", demo.seed_curricula, demo.has_curricula, order=30)
