"""Backups: a full round trip into an empty database, checksums, encryption, refusals."""

from __future__ import annotations

import tarfile
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, func, select, text

from programme.auth.models import User
from programme.operations.backup import (
    BackupError,
    create_backup,
    read_archive,
    restore_backup,
    verify_backup,
)


@contextmanager
def empty_target(db, tmp_path):
    """An empty database of the same engine as the suite's, dropped afterwards."""
    if db.engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"pip_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield db.engine.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_restores_into_an_empty_database_with_counts_and_chain(db, demo_data, tmp_path):
    users = db.session.execute(select(func.count(User.id))).scalar_one()
    backup = create_backup(tmp_path / "backups")
    assert backup.row_counts["user_account"] == users > 0
    assert (tmp_path / "backups" / f"{backup.path.rsplit('/', 1)[1]}.sha256").exists()
    with empty_target(db, tmp_path) as target:
        report = restore_backup(tmp_path / "backups" / backup.path.rsplit("/", 1)[1], target)
    assert report.is_complete, report.mismatches
    assert report.row_counts == backup.row_counts
    assert report.audit_rows_checked == backup.row_counts["audit_event"]


def test_restore_refuses_a_database_that_is_not_empty(db, demo_data, tmp_path):
    backup = create_backup(tmp_path)
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(
            tmp_path / backup.path.rsplit("/", 1)[1], db.engine.url.render_as_string(hide_password=False)
        )


def test_altered_archive_is_refused(db, demo_data, tmp_path):
    backup = create_backup(tmp_path)
    archive = tmp_path / backup.path.rsplit("/", 1)[1]
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    payload = bytearray(members["payload.bin"])
    payload[len(payload) // 2] ^= 0xFF
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(tampered, "w") as tar:
        import io

        for name, data in (("manifest.json", members["manifest.json"]), ("payload.bin", bytes(payload))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(BackupError, match="checksum"):
        read_archive(tampered)


def test_encrypted_backup_needs_the_passphrase(db, demo_data, tmp_path):
    backup = create_backup(tmp_path, passphrase="a long backup passphrase")
    archive = tmp_path / backup.path.rsplit("/", 1)[1]
    assert b"user_account" not in archive.read_bytes().split(b"payload.bin", 1)[1]
    with pytest.raises(BackupError, match="encrypted"):
        read_archive(archive)
    with pytest.raises(BackupError, match="passphrase is wrong"):
        read_archive(archive, "not the passphrase")
    manifest, _payload = read_archive(archive, "a long backup passphrase")
    assert manifest["encryption"]["cipher"] == "AES-256-GCM"


def test_verify_records_the_check(db, demo_data, tmp_path):
    backup = create_backup(tmp_path)
    report = verify_backup(backup)
    assert report.is_complete
    db.session.refresh(backup)
    assert backup.is_verified is True and backup.verified_at is not None


def test_cli_create_and_restore(app, db, demo_data, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", "create", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    archive = next(tmp_path.glob("*.tar"))
    with empty_target(db, tmp_path) as target:
        result = runner.invoke(args=["backup", "restore", str(archive), "--target-url", target])
    assert result.exit_code == 0, result.output
    assert "restore check: complete" in result.output


def test_operations_page_shows_the_last_backup(client, login_as, db, tmp_path):
    login_as("admin")
    create_backup(tmp_path)
    page = client.get("/operations").get_data(as_text=True)
    assert "not checked yet" in page
    assert db.engine.dialect.name in page
