"""`flask questionnaires ...` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from programme.audit.services import act_as
from programme.questionnaires.services.instruments import import_shipped

questionnaires_cli = AppGroup("questionnaires", help="Questionnaire instruments.")


@questionnaires_cli.command("import-shipped")
def import_shipped_command() -> None:
    """Load the two instruments shipped with the programme (skipped when already present)."""
    act_as("cli:questionnaires import-shipped")
    created = import_shipped()
    if not created:
        click.echo("The shipped instruments are already loaded.")
    for instrument in created:
        click.echo(f"Loaded {instrument.code} version {instrument.number} ({len(instrument.items)} items).")


def register(app) -> None:
    app.cli.add_command(questionnaires_cli)
