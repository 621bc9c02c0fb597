"""Upgrades keep data, and every migration has a working downgrade (on the suite's engine)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from programme import create_app


@contextmanager
def scratch_app(app, tmp_path):
    """A second app on an empty scratch database of the same engine."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        scratch_url, cleanup = f"sqlite:///{tmp_path / 'scratch.db'}", None
    else:
        name = f"pip_upgrade_{uuid.uuid4().hex[:8]}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        scratch_url = admin.url.set(database=name).render_as_string(hide_password=False)

        def cleanup():
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    scratch = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "s" * 32}
    )
    try:
        with scratch.app_context():
            yield scratch
            from programme.extensions import db

            db.engine.dispose()
    finally:
        if cleanup:
            cleanup()


def _alembic_config(app):
    return app.extensions["migrate"].migrate.get_config()


def _revisions_oldest_first(app) -> list[str]:
    script = ScriptDirectory.from_config(_alembic_config(app))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def test_data_written_at_the_oldest_migration_survives_the_upgrade_to_head(app, tmp_path):
    with scratch_app(app, tmp_path) as scratch:
        from programme.extensions import db

        config = _alembic_config(scratch)
        oldest = _revisions_oldest_first(scratch)[0]
        command.upgrade(config, oldest)
        facility = {"code": "OLD-01", "kk": "Ескі", "ru": "Старое", "en": "Old", "region": "karaganda"}
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO facility (code, name_kk, name_ru, name_en, region, security_level, "
                    "timezone, is_active, version_id) "
                    "VALUES (:code, :kk, :ru, :en, :region, 'medium', 'Asia/Almaty', true, 1)"
                ),
                facility,
            )
            connection.execute(
                text(
                    "INSERT INTO user_account (email, full_name, role, facility_id, password_hash, "
                    "is_active, must_change_password, session_version, version_id) "
                    "SELECT 'old@test.kz', 'Old Officer', 'officer', id, 'x', true, false, 1, 1 "
                    "FROM facility WHERE code = 'OLD-01'"
                )
            )
        command.upgrade(config, "head")
        with db.engine.connect() as connection:
            row = connection.execute(
                text("SELECT u.email, f.code FROM user_account u JOIN facility f ON f.id = u.facility_id")
            ).one()
        assert tuple(row) == ("old@test.kz", "OLD-01")


def test_every_migration_downgrades_and_upgrades_again(app, tmp_path):
    with scratch_app(app, tmp_path) as scratch:
        from programme.extensions import db

        config = _alembic_config(scratch)
        revisions = _revisions_oldest_first(scratch)
        command.upgrade(config, "head")
        tables_at_head = set(inspect(db.engine).get_table_names())
        for expected_after in reversed([None, *revisions[:-1]]):
            command.downgrade(config, "-1")
            with db.engine.connect() as connection:
                assert MigrationContext.configure(connection).get_current_revision() == expected_after
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        command.upgrade(config, "head")
        assert set(inspect(db.engine).get_table_names()) == tables_at_head
