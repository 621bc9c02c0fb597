"""`flask seed-demo`: load every domain's demo data, in order, idempotently; `flask cache-invalidate`."""

from __future__ import annotations

import click
from flask import current_app

from programme.audit.services import act_as
from programme.core.registry import registry


@click.command("seed-demo")
@click.option("--quiet", is_flag=True, help="Do not print what was loaded.")
@click.option("--if-empty", is_flag=True, help="Load only into a database that holds no data yet.")
@click.option(
    "--scale",
    type=click.Choice(["demo", "national"]),
    default="demo",
    help="demo: the small story; national: synthetic data of a whole country (benchmark).",
)
@click.option("--fraction", type=click.FloatRange(0.001, 1.0), default=1.0, help="National size share.")
@click.option("--seed", type=int, default=2026, help="Random seed of the national data.")
def seed_demo_command(quiet: bool, if_empty: bool, scale: str, fraction: float, seed: int) -> None:
    """Load the demo data (only where demo data is allowed; never in production)."""
    if not current_app.config["DEMO_ALLOWED"]:
        raise click.ClickException("demo data is not allowed in this mode (PIP_ENV=production)")
    if scale == "national":
        _seed_national(quiet, fraction, seed)
        return
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


@click.command("cache-invalidate")
def cache_invalidate_command() -> None:
    """Make every cached figure stale (after rows were changed outside the app, e.g. raw SQL)."""
    from programme.core.cache import invalidate_all

    click.echo(f"Cached figures invalidated ({invalidate_all()} tables).")


def register(app) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(cache_invalidate_command)


def _seed_national(quiet: bool, fraction: float, seed: int) -> None:
    from time import perf_counter

    from programme.core.national import NationalDataExists, load

    started = perf_counter()
    try:
        counts = load(
            seed=seed,
            fraction=fraction,
            progressbar=lambda length: click.progressbar(length=length, label="national data", hidden=quiet),
        )
    except NationalDataExists as exc:
        raise click.ClickException(str(exc)) from exc
    if not quiet:
        for table, count in counts.items():
            click.echo(f"  {table}: {count}")
        click.echo(
            f"National data (seed {seed}, fraction {fraction}) loaded in {perf_counter() - started:.1f} s"
        )
