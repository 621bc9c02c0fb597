"""`flask participants subject-access|forget` and `flask retention run`."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from programme.audit.services import act_as
from programme.extensions import db
from programme.participants import privacy
from programme.participants.models import Participant


def _participant(study_code: str) -> Participant:
    participant = db.session.execute(
        select(Participant).where(Participant.study_code == study_code.strip().upper())
    ).scalar_one_or_none()
    if participant is None:
        raise click.ClickException(f"no participant with study code {study_code}")
    return participant


@click.group("participants")
def participants_group() -> None:
    """Data-subject rights."""


@participants_group.command("subject-access")
@click.argument("study_code")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option("--format", "file_format", type=click.Choice(privacy.SUBJECT_ACCESS_FORMATS), default="json")
@click.option(
    "--purpose",
    type=click.Choice(list(privacy.SUBJECT_ACCESS_PURPOSES)),
    default="person_request",
    help="Why the file is produced (recorded in the audit log).",
)
def subject_access_command(study_code: str, out: Path, file_format: str, purpose: str) -> None:
    """Write everything held about one person to a JSON or PDF file (audited as an export)."""
    act_as("cli:subject-access")
    exported = privacy.export_subject_access(_participant(study_code), file_format, purpose)
    out.write_bytes(exported.content)
    out.chmod(0o600)
    click.echo(f"written {out}")


@participants_group.command("forget")
@click.argument("study_code")
@click.option("--yes", is_flag=True, help="Confirm: this cannot be undone.")
def forget_command(study_code: str, yes: bool) -> None:
    """Anonymise (consent allows keeping pseudonymous data) or erase one person (audited)."""
    if not yes:
        raise click.ClickException("add --yes to confirm; this cannot be undone")
    act_as("cli:forget")
    click.echo(f"{study_code}: {privacy.forget(_participant(study_code))}")


@click.group("retention")
def retention_group() -> None:
    """Retention of names after follow-up ends."""


@retention_group.command("run")
@click.option("--apply", is_flag=True, help="Really remove names (default: dry run).")
def retention_run_command(apply: bool) -> None:
    act_as("cli:retention")
    report = privacy.run_retention(apply=apply)
    verb = "anonymised" if report.applied else "would anonymise (dry run; add --apply)"
    click.echo(f"retention: {report.candidates} people {verb}")


def register(app) -> None:
    app.cli.add_command(participants_group)
    app.cli.add_command(retention_group)
