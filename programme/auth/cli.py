import click
from sqlalchemy import select

from programme.audit.services import act_as
from programme.auth import services
from programme.core.permissions import ROLES
from programme.core.services import ValidationFailed
from programme.extensions import db
from programme.facilities.models import Department, Facility


@click.group("users")
def users_group() -> None:
    """User accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "full_name", default="", help="Full name (defaults to the e-mail).")
@click.option("--facility", "facility_code", default=None, help="Facility code (officers).")
@click.option("--department", "department_id", type=int, default=None, help="Department id.")
@click.password_option(help="Asked for when not given.")
def create_command(email, role, full_name, facility_code, department_id, password) -> None:
    """Create an account, e.g. flask users create --role admin --email admin@example.kz"""
    act_as("cli:users-create")
    facility_id = None
    if facility_code:
        facility_id = db.session.execute(
            select(Facility.id).where(Facility.code == facility_code.upper())
        ).scalar()
        if facility_id is None:
            raise click.ClickException(f"no facility with code {facility_code}")
    if department_id is not None and db.session.get(Department, department_id) is None:
        raise click.ClickException(f"no department with id {department_id}")
    try:
        user = services.create_user(
            email=email,
            full_name=full_name or email,
            role=role,
            password=password,
            facility_id=facility_id,
            department_id=department_id,
            must_change_password=False,
        )
    except ValidationFailed as failure:
        raise click.ClickException(str(failure)) from failure
    click.echo(f"created {user.role} {user.email} (id {user.id})")


def register(app) -> None:
    app.cli.add_command(users_group)
