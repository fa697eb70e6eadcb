"""Back up and restore the whole database, on SQLite or PostgreSQL.

SQLite goes through Python's online backup API in one step: a single read transaction,
so the copy is a consistent snapshot that the server's writes cannot restart (copied a few
pages at a time, every write from another connection restarts the backup, and a busy
server keeps it from ever finishing). Writers wait at most the length of the copy (their
busy timeout is 20 s); a start that meets "database is locked" is retried.
The copy is written to a temporary file beside the target, checked, then renamed: a
failed backup leaves no file, never a 0-byte or partial one. PostgreSQL goes through
`pg_dump --format=custom` and `pg_restore --clean --if-exists --no-owner` (`--if-exists`
so a restore into an empty database does not fail on objects it cannot drop); the password
travels in PGPASSWORD, never on the command line.

Both take a Django database settings dict (`connections[alias].settings_dict`)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

LOCK_RETRIES = 50


class BackupError(Exception):
    """The backup or restore did not happen; the message says why."""


def is_sqlite(database: dict[str, Any]) -> bool:
    return str(database["ENGINE"]).endswith("sqlite3")


def is_postgresql(database: dict[str, Any]) -> bool:
    return "postgresql" in str(database["ENGINE"])


def _copy_sqlite(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    for attempt in range(LOCK_RETRIES):
        try:
            source.backup(target, pages=-1)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            time.sleep(min(0.05 * (attempt + 1), 1.0))
    raise BackupError(f"the database stayed locked through {LOCK_RETRIES} tries")


def _check_sqlite(path: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(path)) as db:
            result = db.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database: {error}") from error
    if result is None or result[0] != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {result}")


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[Path]:
    """A temporary file in the target's folder (so the rename is atomic), removed unless
    the caller renamed it."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def _pg_command(database: dict[str, Any], program: str) -> tuple[list[str], dict[str, str]]:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} not found on PATH (install the PostgreSQL client)")
    args = [executable, "--dbname", str(database["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            args += [option, str(database[key])]
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return args, env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (fixed program, our arguments)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()}")


def database_backup(*, database: dict[str, Any], target: Path) -> Path:
    """Write a backup of `database` to `target` (replacing it only once complete)."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_beside(target) as temporary:
        if is_sqlite(database):
            source = sqlite3.connect(str(database["NAME"]), timeout=20)
            copy = sqlite3.connect(temporary)
            try:
                _copy_sqlite(source, copy)
            finally:
                copy.close()
                source.close()
            _check_sqlite(temporary)
        elif is_postgresql(database):
            args, env = _pg_command(database, "pg_dump")
            _run([*args, "--format=custom", "--file", str(temporary)], env)
        else:
            raise BackupError(f"no backup for the database engine {database['ENGINE']}")
        if temporary.stat().st_size == 0:
            raise BackupError("the backup came out empty")
        temporary.replace(target)
    return target


def database_restore(*, database: dict[str, Any], source: Path) -> None:
    """Replace the contents of `database` with the backup in `source`. Close Django's
    connections to it first."""
    if not source.is_file() or source.stat().st_size == 0:
        raise BackupError(f"{source} is not a backup (missing or empty)")
    if is_sqlite(database):
        _check_sqlite(source)
        backup = sqlite3.connect(source)
        live = sqlite3.connect(str(database["NAME"]), timeout=20)
        try:
            _copy_sqlite(backup, live)
        finally:
            live.close()
            backup.close()
    elif is_postgresql(database):
        args, env = _pg_command(database, "pg_restore")
        _run(
            [*args, "--clean", "--if-exists", "--no-owner", "--single-transaction", str(source)],
            env,
        )
    else:
        raise BackupError(f"no restore for the database engine {database['ENGINE']}")
