"""What each domain contributes to shared pages: menu entries, dashboard panels, demo data.

Domains register here from their `register(app)` so that base.html and the dashboard never need
editing when a domain is added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app


@dataclass(frozen=True)
class NavItem:
    label: Any  # a lazy string
    endpoint: str
    roles: frozenset[str]
    order: int = 100
    # The URL prefix that marks this item active, e.g. "/facilities".
    active_prefix: str | None = None


@dataclass(frozen=True)
class DashboardPanel:
    template: str
    roles: frozenset[str]
    context: Callable[[Any], dict]  # called with the current user
    order: int = 100


def _nothing() -> list[str]:
    return []


@dataclass(frozen=True)
class DemoSeeder:
    name: str
    seed: Callable[[], list[str]]  # loads what is missing; returns lines saying what it created
    has_data: Callable[[], bool]  # whether this domain's tables already hold rows
    describe: Callable[[], list[str]] = _nothing  # lines printed after seeding (demo accounts)
    order: int = 100


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    panels: list[DashboardPanel] = field(default_factory=list)
    seeders: list[DemoSeeder] = field(default_factory=list)


def registry(app=None) -> Registry:
    app = app or current_app
    return app.extensions.setdefault("pip_registry", Registry())


def add_nav(app, label, endpoint: str, roles, order: int = 100, active_prefix=None) -> None:
    registry(app).nav.append(NavItem(label, endpoint, frozenset(roles), order, active_prefix))


def add_panel(app, template: str, roles, context, order: int = 100) -> None:
    registry(app).panels.append(DashboardPanel(template, frozenset(roles), context, order))


def add_seeder(app, name: str, seed, has_data, describe=_nothing, order: int = 100) -> None:
    registry(app).seeders.append(DemoSeeder(name, seed, has_data, describe, order))


def nav_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    items = [item for item in registry().nav if user.role in item.roles]
    return sorted(items, key=lambda item: item.order)


def panels_for(user) -> list[DashboardPanel]:
    panels = [panel for panel in registry().panels if user.role in panel.roles]
    return sorted(panels, key=lambda panel: panel.order)
