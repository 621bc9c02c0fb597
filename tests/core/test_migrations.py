"""The migration history is the only way the schema is made, and it matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from programme.extensions import db as _db


def test_migrated_schema_matches_the_models(app, db):
    # The session fixture made this database from empty with `upgrade()` to head.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, _db.metadata)
    assert differences == []


def test_database_is_at_the_single_head(app, db):
    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == heads[0]


def test_migrate_is_configured_for_batch_mode(app):
    assert app.extensions["migrate"].configure_args["render_as_batch"] is True
