"""`trellis backup` and `trellis restore`: the restore drill, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from trellis.lib.backup import database_backup, database_restore
from trellis.people.models import Institution, User


def sqlite_counts(path: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608 (names from sqlite_master)


def make_sqlite(path: Path) -> dict[str, object]:
    """A file database of its own: pytest-django's SQLite test database is in memory."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("CREATE TABLE rating (id INTEGER PRIMARY KEY, level REAL, note TEXT)")
        db.executemany("INSERT INTO person (name) VALUES (?)", [(f"p{i}",) for i in range(300)])
        db.executemany(
            "INSERT INTO rating (level, note) VALUES (?, ?)",
            [(i % 5, "x" * 200) for i in range(5000)],
        )
        db.commit()
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def test_the_sqlite_restore_drill(tmp_path: Path) -> None:
    database = make_sqlite(tmp_path / "live.sqlite3")
    at_backup = sqlite_counts(tmp_path / "live.sqlite3")
    database_backup(database=database, target=tmp_path / "backup.sqlite3")
    with contextlib.closing(sqlite3.connect(tmp_path / "live.sqlite3")) as db:
        db.execute("DELETE FROM rating WHERE id % 2 = 0")
        db.execute("INSERT INTO person (name) VALUES ('late')")
        db.commit()
    assert sqlite_counts(tmp_path / "live.sqlite3") != at_backup
    database_restore(database=database, source=tmp_path / "backup.sqlite3")
    assert sqlite_counts(tmp_path / "live.sqlite3") == at_backup


def test_a_sqlite_backup_under_writes_succeeds_and_is_a_database(tmp_path: Path) -> None:
    """A writer that never pauses: copied page by page, each of its commits restarted the
    backup, which never finished on a slow machine (CI ran out of time here)."""
    live = tmp_path / "live.sqlite3"
    database = make_sqlite(live)
    stop = threading.Event()
    writing = threading.Event()
    written = []

    def write() -> None:
        with contextlib.closing(sqlite3.connect(live, timeout=20)) as db:
            while not stop.is_set():
                db.execute("INSERT INTO rating (level, note) VALUES (3, ?)", ("y" * 500,))
                db.commit()
                written.append(1)
                writing.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert writing.wait(20)
        started = time.monotonic()
        target = database_backup(database=database, target=tmp_path / "backup.sqlite3")
        took = time.monotonic() - started
    finally:
        stop.set()
        writer.join()
    assert took < 30
    assert target.stat().st_size > 0
    counts = sqlite_counts(target)
    assert counts["person"] == 300
    assert counts["rating"] >= 5000 + 1
    # The writer went on after the copy: the backup is a snapshot, not the live file.
    assert sqlite_counts(live)["rating"] == 5000 + len(written)
    # Nothing left behind but the backup itself.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.sqlite3", "live.sqlite3"]


def test_a_failed_backup_leaves_no_file(tmp_path: Path) -> None:
    (tmp_path / "not-a-db.sqlite3").write_text("hello, this is not SQLite" * 100)
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "not-a-db.sqlite3")}
    with pytest.raises(Exception):  # noqa: B017 (sqlite3's or ours, either way no file)
        database_backup(database=database, target=tmp_path / "backup.sqlite3")
    assert not (tmp_path / "backup.sqlite3").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-db.sqlite3"]


def test_restore_refuses_without_yes(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "backup.sqlite3"))


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from the catalogue)
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_the_postgresql_restore_drill(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL drill runs when DATABASE_URL points at PostgreSQL")
    institution = Institution.objects.create(slug="drill", name="Drill University")
    for i in range(5):
        User.objects.create_user(email=f"p{i}@drill.test")
    at_backup = table_counts()
    out = StringIO()
    call_command("backup", str(tmp_path / "trellis.dump"), stdout=out)
    assert "Backed up" in out.getvalue()
    User.objects.filter(email="p0@drill.test").delete()
    institution.delete()
    User.objects.create_user(email="late@drill.test")
    assert table_counts() != at_backup
    call_command("restore", str(tmp_path / "trellis.dump"), "--yes", stdout=out)
    assert table_counts() == at_backup
    assert Institution.objects.filter(slug="drill").exists()
