"""`flask seed-demo`: load every domain's demo data, in order, idempotently; `flask cache-invalidate`."""

from __future__ import annotations

import sys

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
@click.option("--resume", is_flag=True, help="National: continue an interrupted load where it stopped.")
@click.option("--restart", is_flag=True, help="National: wipe an interrupted load and start again.")
def seed_demo_command(
    quiet: bool, if_empty: bool, scale: str, fraction: float, seed: int, resume: bool, restart: bool
) -> None:
    """Load the demo data (only where demo data is allowed; never in production)."""
    if not current_app.config["DEMO_ALLOWED"]:
        raise click.ClickException("demo data is not allowed in this mode (PIP_ENV=production)")
    if scale == "national":
        if resume and restart:
            raise click.ClickException("choose --resume or --restart, not both")
        act_as("cli:seed-demo")
        _seed_national(quiet, fraction, seed, resume=resume, restart=restart)
        return
    if resume or restart:
        raise click.ClickException("--resume and --restart are for --scale national")
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


class LineProgress:
    """Progress as a line per tenth of the work, for output that is not a terminal (logs, CI),
    where click's bar shows only its label."""

    def __init__(self, length: int):
        self.length, self.done, self.next_tenth = max(length, 1), 0, 1

    def __enter__(self):
        return self

    def __exit__(self, *_exc) -> None:
        return None

    def update(self, rows: int) -> None:
        self.done += rows
        while self.next_tenth <= 10 and self.done * 10 >= self.next_tenth * self.length:
            click.echo(f"national data: {self.next_tenth * 10} % ({self.done:,} of {self.length:,} rows)")
            self.next_tenth += 1


def _progress(quiet: bool):
    if quiet or sys.stdout.isatty():
        return lambda length: click.progressbar(length=length, label="national data", hidden=quiet)
    return LineProgress


def _seed_national(quiet: bool, fraction: float, seed: int, *, resume: bool, restart: bool) -> None:
    from time import perf_counter

    from programme.core.national import NationalDataExists, load

    started = perf_counter()
    try:
        counts = load(
            seed=seed,
            fraction=fraction,
            progressbar=_progress(quiet),
            resume=resume,
            restart=restart,
        )
    except NationalDataExists as exc:
        raise click.ClickException(str(exc)) from exc
    if not quiet:
        for table, count in counts.items():
            click.echo(f"  {table}: {count}")
        click.echo(f"National data loaded in {perf_counter() - started:.1f} s")
