"""`flask backup create | verify | restore`."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from programme.audit.services import act_as
from programme.extensions import db
from programme.operations.backup import BackupError, create_backup, restore_backup, verify_backup
from programme.operations.models import BackupRecord


def _passphrase(encrypt: bool) -> str | None:
    passphrase = os.environ.get("BACKUP_PASSPHRASE")
    if encrypt and not passphrase:
        raise click.ClickException("--encrypt needs the passphrase in BACKUP_PASSPHRASE")
    return passphrase if encrypt else None


@click.group("backup")
def backup_group() -> None:
    """Backups: create, verify, restore."""


@backup_group.command("create")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the archive (default: instance/backups).",
)
@click.option("--encrypt", is_flag=True, help="Encrypt with the passphrase in BACKUP_PASSPHRASE.")
def create_command(directory: Path | None, encrypt: bool) -> None:
    act_as("cli:backup")
    directory = directory or Path(current_app.instance_path) / "backups"
    backup = create_backup(directory, _passphrase(encrypt))
    click.echo(f"backup written: {backup.path} ({backup.size_bytes} bytes, sha256 {backup.sha256})")
    click.echo(f"rows: {sum(backup.row_counts.values())} in {len(backup.row_counts)} tables")


@backup_group.command("verify")
@click.argument("archive", required=False, type=click.Path(path_type=Path))
def verify_command(archive: Path | None) -> None:
    """Restore the latest (or the named) backup into a scratch database and check it."""
    act_as("cli:backup")
    query = select(BackupRecord).order_by(BackupRecord.id.desc())
    if archive:
        query = query.where(BackupRecord.path == str(archive))
    backup = db.session.execute(query.limit(1)).scalar_one_or_none()
    if backup is None:
        raise click.ClickException("no such backup recorded")
    try:
        report = verify_backup(backup, os.environ.get("BACKUP_PASSPHRASE"))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    _print_report(report)
    if not report.is_complete:
        raise SystemExit(1)


@backup_group.command("restore")
@click.argument("archive", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--target-url", default=None, help="Database to restore into (default: DATABASE_URL). Must be empty."
)
def restore_command(archive: Path, target_url: str | None) -> None:
    """Restore an archive into an EMPTY database, then check row counts and the audit chain."""
    target = target_url or current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        report = restore_backup(archive, target, os.environ.get("BACKUP_PASSPHRASE"))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    _print_report(report)
    if not report.is_complete:
        raise SystemExit(1)


def _print_report(report) -> None:
    rows = sum(report.row_counts.values())
    click.echo(f"restored into {report.target}: {rows} rows in {len(report.row_counts)} tables")
    for table, (expected, found) in sorted(report.mismatches.items()):
        click.echo(f"  MISMATCH {table}: expected {expected}, found {found}")
    if report.audit_broken_at is None:
        click.echo(f"audit chain intact ({report.audit_rows_checked} rows)")
    else:
        click.echo(f"audit chain BROKEN at row {report.audit_broken_at}")
    click.echo("restore check: " + ("complete" if report.is_complete else "FAILED"))


def register(app) -> None:
    app.cli.add_command(backup_group)
