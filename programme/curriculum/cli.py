"""`flask curriculum ...`: load the starter curriculum, import and export curriculum documents."""

from __future__ import annotations

from pathlib import Path

import click

from programme.audit.services import act_as
from programme.core.services import ValidationFailed
from programme.curriculum import services, transfer
from programme.curriculum.starter import import_starter
from programme.extensions import db
from programme.facilities.models import Department


def _department(department_id: int) -> Department:
    department = db.session.get(Department, department_id)
    if department is None:
        raise click.ClickException(f"no department with id {department_id}")
    return department


@click.group("curriculum")
def curriculum_group() -> None:
    """Curricula and session plans."""


@curriculum_group.command("import-starter")
@click.option("--department", "department_id", type=int, required=True, help="Department id.")
def import_starter_command(department_id: int) -> None:
    """Publish the starter curriculum (10 sessions, kk/ru/en) for a department, once."""
    act_as("cli:curriculum-import-starter")
    department = _department(department_id)
    version = import_starter(department.id)
    click.echo(
        f"starter curriculum: curriculum {version.curriculum_id}, version {version.number} ({version.status})"
    )


@curriculum_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--department", "department_id", type=int, required=True, help="Department id.")
def import_command(path: Path, department_id: int) -> None:
    """Import a curriculum document (pip-curriculum/1) as a new draft."""
    act_as("cli:curriculum-import")
    department = _department(department_id)
    try:
        version = transfer.import_document(transfer.parse_document(path.read_bytes()), department.id)
    except ValidationFailed as failure:
        problems = [str(message) for messages in failure.problems.values() for message in messages]
        raise click.ClickException("refused:\n" + "\n".join(f"  - {p}" for p in problems)) from failure
    click.echo(f"imported as curriculum {version.curriculum_id}, draft version {version.number}")


@curriculum_group.command("export")
@click.argument("curriculum_id", type=int)
@click.option("--version", "number", type=int, default=None, help="Version number (default: newest).")
def export_command(curriculum_id: int, number: int | None) -> None:
    """Print a curriculum version as a JSON document."""
    act_as("cli:curriculum-export")
    from sqlalchemy import select

    from programme.curriculum.models import CurriculumVersion

    query = select(CurriculumVersion.id).where(CurriculumVersion.curriculum_id == curriculum_id)
    if number is not None:
        query = query.where(CurriculumVersion.number == number)
    version_id = db.session.execute(query.order_by(CurriculumVersion.number.desc()).limit(1)).scalar()
    if version_id is None:
        raise click.ClickException("no such curriculum or version")
    click.echo(transfer.export_for_download(services.load_version_with_plans(version_id)))
