"""`flask seed-demo`: load every domain's demo data, in order, idempotently."""

from __future__ import annotations

import click
from flask import current_app

from programme.audit.services import act_as
from programme.core.registry import registry


@click.command("seed-demo")
@click.option("--quiet", is_flag=True, help="Do not print what was loaded.")
@click.option("--if-empty", is_flag=True, help="Load only into a database that holds no data yet.")
def seed_demo_command(quiet: bool, if_empty: bool) -> None:
    """Load the demo data (only where demo data is allowed; never in production)."""
    if not current_app.config["DEMO_ALLOWED"]:
        raise click.ClickException("demo data is not allowed in this mode (PIP_ENV=production)")
    act_as("cli:seed-demo")
    seeders = sorted(registry().seeders, key=lambda s: s.order)
    lines: list[str] = []
    if if_empty and any(seeder.has_data() for seeder in seeders):
        lines.append("The database already holds data: demo data not loaded again.")
    else:
        for seeder in seeders:
            lines.extend(seeder.seed())
    for seeder in seeders:
        lines.extend(seeder.describe())
    if not quiet:
        for line in lines:
            click.echo(line)


def register(app) -> None:
    app.cli.add_command(seed_demo_command)
