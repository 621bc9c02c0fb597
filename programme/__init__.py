"""The Philosophy in Prison programme manager: app factory."""

from __future__ import annotations

import importlib

from flask import Flask

from programme.config import PROJECT_ROOT, load_config

# Each domain package exposes register(app): its blueprint, menu entries, panels, CLI, demo data.
DOMAINS = (
    "core",
    "auth",
    "facilities",
    "audit",
    "notifications",
    "curriculum",
    "scheduling",
    "participants",
    "attendance",
    "questionnaires",
    "evaluation",
    "followup",
    "operations",
)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    load_config(app, config)

    from programme.core.setup import init_core

    init_core(app)
    for name in DOMAINS:
        importlib.import_module(f"programme.{name}").register(app)
    from programme.core.cache import watch_every_table

    watch_every_table()  # every model is imported now
    return app
