"""Backups that restore: `flask backup create`, `flask backup verify`, `flask backup restore`.

An archive is a tar file holding `manifest.json` (engine, migration revision, row counts per
table, the audit chain's last hash, the payload's SHA-256) and `payload.bin`: a gzip of a SQLite
online-backup copy, or a `pg_dump --format=custom` taken from the same snapshot the row counts
were read in. With a passphrase the payload is encrypted (AES-256-GCM, key from scrypt).
A restore goes only into an EMPTY database, all or nothing (a SQLite file renamed into place once
whole, pg_restore in one transaction), and then checks row counts and the audit chain.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine, make_url

from programme.audit.models import AuditEvent
from programme.audit.services import record, verify_chain
from programme.core.services import unit_of_work
from programme.extensions import db
from programme.operations.models import BackupRecord

FORMAT = "pip-backup/1"
MANIFEST = "manifest.json"
PAYLOAD = "payload.bin"
RESTORE_CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """The archive is unreadable, altered, or the target is not fit to restore into."""


# --- helpers ------------------------------------------------------------------------------------


def _libpq_url(url) -> str:
    """A SQLAlchemy URL as the libpq URL pg_dump/pg_restore understand."""
    url = make_url(str(url)) if not hasattr(url, "drivername") else url
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run_pg_tool(program: str, *arguments: str) -> None:
    """Run pg_dump or pg_restore by absolute path with an argument list (no shell, no user input
    reaches the program name)."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} is not installed (Debian package postgresql-client)")
    try:
        subprocess.run([executable, *arguments], check=True, capture_output=True)  # noqa: S603  # nosec B603
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{program} failed: {error.stderr.decode(errors='replace')[-500:]}") from error


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _derive_key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode("utf-8"))


def _encrypt(payload: bytes, passphrase: str) -> tuple[bytes, dict]:
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_derive_key(passphrase, salt)).encrypt(nonce, payload, FORMAT.encode())
    return sealed, {"cipher": "AES-256-GCM", "kdf": "scrypt", "salt": salt.hex(), "nonce": nonce.hex()}


def _decrypt(payload: bytes, params: dict, passphrase: str | None) -> bytes:
    if not passphrase:
        raise BackupError("this backup is encrypted: give the passphrase (BACKUP_PASSPHRASE)")
    key = _derive_key(passphrase, bytes.fromhex(params["salt"]))
    try:
        return AESGCM(key).decrypt(bytes.fromhex(params["nonce"]), payload, FORMAT.encode())
    except Exception as error:  # InvalidTag: wrong passphrase or altered payload
        raise BackupError("the passphrase is wrong or the archive was altered") from error


def _table_names(connection: Connection) -> list[str]:
    present = set(inspect(connection).get_table_names())
    return [table.name for table in db.metadata.sorted_tables if table.name in present]


def row_counts(connection: Connection) -> dict[str, int]:
    return {
        name: connection.execute(select(func.count()).select_from(db.metadata.tables[name])).scalar_one()
        for name in _table_names(connection)
    }


def _revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _audit_head(connection: Connection) -> str | None:
    return connection.execute(select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()


# --- create -------------------------------------------------------------------------------------


def _sqlite_payload(engine: Engine) -> tuple[bytes, dict]:
    """SQLite's online backup API copies a consistent database while the app keeps running."""
    with tempfile.TemporaryDirectory() as tmp:
        copy_path = Path(tmp) / "copy.db"
        source = engine.raw_connection()
        try:
            target = sqlite3.connect(copy_path)
            source.driver_connection.backup(target)
            target.close()
        finally:
            source.close()
        copy_engine = create_engine(f"sqlite:///{copy_path}")
        with copy_engine.connect() as connection:
            facts = {
                "row_counts": row_counts(connection),
                "revision": _revision(connection),
                "audit_head": _audit_head(connection),
            }
        copy_engine.dispose()
        return gzip.compress(copy_path.read_bytes(), compresslevel=6), facts


def _postgres_payload(engine: Engine) -> tuple[bytes, dict]:
    """pg_dump from the snapshot in which the row counts were read: both describe one moment."""
    with engine.connect() as connection:
        connection.execute(text("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        facts = {
            "row_counts": row_counts(connection),
            "revision": _revision(connection),
            "audit_head": _audit_head(connection),
        }
        with tempfile.TemporaryDirectory() as tmp:
            dump_path = Path(tmp) / "dump.pgc"
            _run_pg_tool(
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-owner",
                "--file",
                str(dump_path),
                _libpq_url(engine.url),
            )
            payload = dump_path.read_bytes()
        connection.execute(text("COMMIT"))
    return payload, facts


def create_backup(directory: Path, passphrase: str | None = None) -> BackupRecord:
    engine = db.engine
    payload, facts = _sqlite_payload(engine) if engine.dialect.name == "sqlite" else _postgres_payload(engine)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "engine": engine.dialect.name,
        **facts,
        "payload_sha256": _sha256(payload),
        "encryption": None,
    }
    if passphrase:
        payload, manifest["encryption"] = _encrypt(payload, passphrase)
        manifest["stored_sha256"] = _sha256(payload)
    else:
        manifest["stored_sha256"] = manifest["payload_sha256"]
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = directory / f"pip-backup-{stamp}-{engine.dialect.name}.tar"
    with tarfile.open(archive, "w") as tar:
        for name, data in ((MANIFEST, json.dumps(manifest, indent=2).encode()), (PAYLOAD, payload)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(data))
    os.chmod(archive, 0o600)
    archive_sha = _sha256(archive.read_bytes())
    Path(f"{archive}.sha256").write_text(f"{archive_sha}  {archive.name}\n", encoding="ascii")
    with unit_of_work():
        backup = BackupRecord(
            path=str(archive),
            engine=engine.dialect.name,
            size_bytes=archive.stat().st_size,
            sha256=archive_sha,
            is_encrypted=bool(passphrase),
            row_counts=facts["row_counts"],
        )
        db.session.add(backup)
        record(
            "backup_created",
            "backup_record",
            None,
            {"path": archive.name, "rows": sum(facts["row_counts"].values())},
        )
    return backup


# --- read, verify, restore ------------------------------------------------------------------------


def read_archive(archive: Path, passphrase: str | None = None) -> tuple[dict, bytes]:
    """The manifest and the decrypted payload, after checking the payload's checksums."""
    try:
        with tarfile.open(archive, "r") as tar:
            manifest = json.loads(tar.extractfile(MANIFEST).read())
            stored = tar.extractfile(PAYLOAD).read()
    except (tarfile.TarError, KeyError, AttributeError, json.JSONDecodeError, OSError) as error:
        raise BackupError(f"{archive} is not a readable backup archive") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    if _sha256(stored) != manifest["stored_sha256"]:
        raise BackupError("checksum mismatch: the archive was altered or damaged")
    payload = _decrypt(stored, manifest["encryption"], passphrase) if manifest["encryption"] else stored
    if _sha256(payload) != manifest["payload_sha256"]:
        raise BackupError("checksum mismatch after decryption")
    return manifest, payload


@dataclass
class RestoreReport:
    target: str
    row_counts: dict[str, int] = field(default_factory=dict)
    mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)
    audit_rows_checked: int = 0
    audit_broken_at: int | None = None

    @property
    def is_complete(self) -> bool:
        return not self.mismatches and self.audit_broken_at is None


def _require_empty(engine: Engine) -> None:
    with engine.connect() as connection:
        tables = [name for name in inspect(connection).get_table_names() if name != "alembic_version"]
    if tables:
        raise BackupError(
            f"the target database is not empty ({len(tables)} tables); restore only into an empty one"
        )


def _write_database_file(path: Path, payload: bytes) -> None:
    """Decompress into a file beside the target, then rename it into place: a failure half-way
    (a full disk) leaves no target file, never a truncated database."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".restoring", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as target, gzip.GzipFile(fileobj=io.BytesIO(payload)) as source:
            shutil.copyfileobj(source, target, RESTORE_CHUNK)
            target.flush()
            os.fsync(target.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def restore_backup(archive: Path, target_url: str, passphrase: str | None = None) -> RestoreReport:
    manifest, payload = read_archive(archive, passphrase)
    target = make_url(target_url)
    if target.get_backend_name() != manifest["engine"]:
        raise BackupError(
            f"a {manifest['engine']} backup cannot be restored into {target.get_backend_name()}"
        )
    if manifest["engine"] == "sqlite":
        path = Path(target.database or "")
        if path.exists() and path.stat().st_size > 0:
            engine = create_engine(target)
            _require_empty(engine)
            engine.dispose()
        _write_database_file(path, payload)
    else:
        engine = create_engine(target)
        _require_empty(engine)
        engine.dispose()
        with tempfile.TemporaryDirectory() as tmp:
            dump_path = Path(tmp) / "dump.pgc"
            dump_path.write_bytes(payload)
            # One transaction: a failure half-way (a full disk, a clash) leaves the target empty.
            _run_pg_tool(
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                _libpq_url(target),
                str(dump_path),
            )
    return check_restored(target, manifest)


def check_restored(target, manifest: dict) -> RestoreReport:
    engine = create_engine(target)
    try:
        with engine.connect() as connection:
            counts = row_counts(connection)
            chain = verify_chain(connection=connection)
    finally:
        engine.dispose()
    expected = manifest["row_counts"]
    mismatches = {
        name: (expected.get(name, 0), counts.get(name, 0))
        for name in set(expected) | set(counts)
        if expected.get(name, 0) != counts.get(name, 0)
    }
    return RestoreReport(
        str(make_url(target).render_as_string(hide_password=True)),
        counts,
        mismatches,
        chain.checked,
        chain.first_broken_id,
    )


def verify_backup(backup: BackupRecord, passphrase: str | None = None) -> RestoreReport:
    """Restore the archive into a scratch SQLite file (or scratch PostgreSQL database) and check it."""
    archive = Path(backup.path)
    manifest, _payload = read_archive(archive, passphrase)
    if manifest["engine"] == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            report = restore_backup(archive, f"sqlite:///{Path(tmp) / 'check.db'}", passphrase)
    else:
        report = _verify_into_scratch_postgres(archive, passphrase)
    with unit_of_work():
        backup.verified_at = datetime.now(UTC)
        backup.is_verified = report.is_complete
    return report


def _verify_into_scratch_postgres(archive: Path, passphrase: str | None) -> RestoreReport:
    scratch = f"pip_backup_check_{os.getpid()}"
    admin_url = db.engine.url
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        connection.execute(text(f'CREATE DATABASE "{scratch}"'))
    try:
        return restore_backup(
            archive, admin_url.set(database=scratch).render_as_string(hide_password=False), passphrase
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()
