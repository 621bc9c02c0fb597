import click

from programme.audit.services import verify_chain


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
def verify_command() -> None:
    """Check the hash chain; exit 1 and name the first broken row if it does not hold."""
    report = verify_chain()
    if report.is_intact:
        click.echo(f"audit chain intact: {report.checked} rows checked")
        return
    click.echo(
        f"audit chain BROKEN at row id {report.first_broken_id} ({report.checked} rows before it are intact)"
    )
    raise SystemExit(1)


def register(app) -> None:
    app.cli.add_command(audit_group)
