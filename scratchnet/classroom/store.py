"""Where classes live: one interface, two backends every replica of scripts/serve.sh reaches.

- SQLite in WAL mode (the default: one file, no setup, every process on the machine shares it; a write is
  committed before the call returns, so a replica killed afterwards loses nothing);
- Redis (`redis://HOST:PORT/DB`), for replicas on several machines.

A class is a record (`meta`, JSON text), a revision counter bumped by every write (the board redraws only when it
moved), and two maps of JSON text: `students` (public id → seat) and `results` (public id:run → result). Every
key of a class expires with it. `hit` counts events in a time window, for rate limits.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

STORE_ENV = "SCRATCHNET_STORE"  # serve.sh --store sets it for every replica
NAMESPACES = ("students", "results")


class Store(Protocol):
    def create(self, code: str, meta: str, expires: float) -> bool: ...
    def meta(self, code: str) -> tuple[str, int] | None: ...
    def set_meta(self, code: str, meta: str) -> None: ...
    def put(self, code: str, ns: str, field: str, value: str, expires: float, only_new: bool = False) -> bool: ...
    def items(self, code: str, ns: str) -> dict[str, str]: ...
    def clear(self, code: str, ns: str) -> None: ...
    def delete(self, code: str) -> None: ...
    def hit(self, bucket: str, window_s: float) -> int: ...


def default_sqlite_path() -> Path:
    return Path(tempfile.gettempdir()) / f"scratchnet-classes-{os.getuid()}.sqlite3"


def open_store(url: str | None = None) -> Store:
    """`sqlite:///path`, `redis://host:port/db`, or (None) $SCRATCHNET_STORE, else SQLite in the temp folder."""
    url = url or os.environ.get(STORE_ENV) or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(url)
    if url and not url.startswith("sqlite:///"):
        raise ValueError(f"unknown class store {url!r}: use sqlite:///PATH or redis://HOST:PORT/DB")
    path = url.removeprefix("sqlite:///")
    return SQLiteStore(Path(path) if path else default_sqlite_path())  # sqlite:////abs/path, sqlite:///relative


_SCHEMA = """
CREATE TABLE IF NOT EXISTS klass (code TEXT PRIMARY KEY, meta TEXT NOT NULL, rev INTEGER NOT NULL,
                                  expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS entry (code TEXT, ns TEXT, field TEXT, value TEXT NOT NULL,
                                  PRIMARY KEY (code, ns, field)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counter (bucket TEXT PRIMARY KEY, n INTEGER NOT NULL, expires REAL NOT NULL);
"""


class SQLiteStore:
    """A pool of connections, each used by one thread at a time. Streamlit runs every script run (a student's
    poll too) in a new thread, so a connection per thread would be opened, set up and dropped once a second."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        with self._db() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL: a commit survives the process being killed
        return db

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._idle.pop() if self._idle else None
        db = db or self._connect()
        try:
            yield db
        finally:
            with self._lock:
                self._idle.append(db)

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _read(self, sql: str, args: tuple[object, ...]) -> list[tuple]:
        with self._db() as db:
            return db.execute(sql, args).fetchall()

    def create(self, code: str, meta: str, expires: float) -> bool:
        now = time.time()
        with self._tx() as db:
            for table in ("klass", "counter"):
                db.execute(f"DELETE FROM {table} WHERE expires < ?", (now,))
            db.execute("DELETE FROM entry WHERE code NOT IN (SELECT code FROM klass)")
            cur = db.execute("INSERT OR IGNORE INTO klass VALUES (?, ?, 0, ?)", (code, meta, expires))
            return cur.rowcount == 1

    def meta(self, code: str) -> tuple[str, int] | None:
        rows = self._read("SELECT meta, rev FROM klass WHERE code = ? AND expires >= ?", (code, time.time()))
        return (rows[0][0], rows[0][1]) if rows else None

    def set_meta(self, code: str, meta: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE klass SET meta = ?, rev = rev + 1 WHERE code = ?", (meta, code))

    def put(self, code: str, ns: str, field: str, value: str, expires: float, only_new: bool = False) -> bool:
        verb = "INSERT OR IGNORE" if only_new else "INSERT OR REPLACE"
        with self._tx() as db:
            cur = db.execute(f"{verb} INTO entry VALUES (?, ?, ?, ?)", (code, ns, field, value))
            if cur.rowcount != 1:
                return False
            db.execute("UPDATE klass SET rev = rev + 1 WHERE code = ?", (code,))
            return True

    def items(self, code: str, ns: str) -> dict[str, str]:
        return dict(self._read("SELECT field, value FROM entry WHERE code = ? AND ns = ?", (code, ns)))

    def clear(self, code: str, ns: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM entry WHERE code = ? AND ns = ?", (code, ns))
            db.execute("UPDATE klass SET rev = rev + 1 WHERE code = ?", (code,))

    def delete(self, code: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM entry WHERE code = ?", (code,))
            db.execute("DELETE FROM klass WHERE code = ?", (code,))

    def hit(self, bucket: str, window_s: float) -> int:
        now = time.time()
        key = f"{bucket}@{int(now // window_s)}"
        with self._tx() as db:
            db.execute("INSERT INTO counter VALUES (?, 1, ?) ON CONFLICT(bucket) DO UPDATE SET n = n + 1",
                       (key, now + 2 * window_s))
            return db.execute("SELECT n FROM counter WHERE bucket = ?", (key,)).fetchone()[0]


class RedisStore:
    """Keys sn:<code>:meta, :rev, :students, :results, each expiring with the class (EXPIREAT)."""

    def __init__(self, url: str) -> None:
        import redis  # only a deployment across machines needs the client

        parsed = urlparse(url)
        if parsed.scheme.startswith("redis") and parsed.path.strip("/") and not parsed.path.strip("/").isdigit():
            raise ValueError(f"redis database must be a number: {url!r}")
        self.r = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5)

    @staticmethod
    def _k(code: str, part: str) -> str:
        return f"sn:{code}:{part}"

    def create(self, code: str, meta: str, expires: float) -> bool:
        at = int(expires) + 1
        if not self.r.set(self._k(code, "meta"), meta, nx=True, exat=at):
            return False
        self.r.set(self._k(code, "rev"), 0, exat=at)
        return True

    def meta(self, code: str) -> tuple[str, int] | None:
        meta, rev = self.r.mget(self._k(code, "meta"), self._k(code, "rev"))
        return (meta, int(rev or 0)) if meta is not None else None

    def set_meta(self, code: str, meta: str) -> None:
        with self.r.pipeline() as p:
            p.set(self._k(code, "meta"), meta, keepttl=True, xx=True).incr(self._k(code, "rev")).execute()

    def put(self, code: str, ns: str, field: str, value: str, expires: float, only_new: bool = False) -> bool:
        key = self._k(code, ns)
        with self.r.pipeline() as p:
            (p.hsetnx if only_new else p.hset)(key, field, value)
            p.expireat(key, int(expires) + 1)
            added = p.execute()[0]
        if only_new and not added:
            return False
        self.r.incr(self._k(code, "rev"))
        return True

    def items(self, code: str, ns: str) -> dict[str, str]:
        return self.r.hgetall(self._k(code, ns))

    def clear(self, code: str, ns: str) -> None:
        with self.r.pipeline() as p:
            p.delete(self._k(code, ns)).incr(self._k(code, "rev")).execute()

    def delete(self, code: str) -> None:
        self.r.delete(*(self._k(code, part) for part in ("meta", "rev", *NAMESPACES)))

    def hit(self, bucket: str, window_s: float) -> int:
        key = f"sn:rate:{bucket}@{int(time.time() // window_s)}"
        with self.r.pipeline() as p:
            n, _ = p.incr(key).expire(key, int(2 * window_s) + 1).execute()
        return int(n)
