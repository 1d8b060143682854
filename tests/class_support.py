"""The class store in tests: a real redis-server on a free loopback port (Debian's, never a mock), SQLite files in
a temporary folder, and one fixture giving a Classroom over each."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scratchnet.classroom import Classroom, open_store
from tests.browser_support import poll
from tests.serving import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/sbin/redis-server"


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """redis-server on 127.0.0.1:<free port>, no persistence, stopped afterwards; yields redis://127.0.0.1:P/0."""
    if not Path(REDIS_SERVER).exists():
        pytest.fail("redis-server is missing: bash scripts/test.sh installs it (Debian package redis-server)")
    port = free_port()
    folder = tempfile.mkdtemp(prefix="sn-redis-")
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", folder], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)

        def up() -> bool:
            assert proc.poll() is None, "redis-server exited"
            with contextlib.suppress(redis.ConnectionError):
                return bool(client.ping())
            return False

        poll(up, timeout=20, what="redis-server answers PING")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


# Fixtures named by `name=`: a test module imports the functions (class_support.FIXTURES) and asks for the names.
@pytest.fixture(scope="module", name="redis_url")
def redis_url_fixture() -> Iterator[str]:
    with redis_server() as url:
        yield url


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'classes.sqlite3'}"


@pytest.fixture(params=["sqlite", "redis"], name="store_url")
def store_url_fixture(request, tmp_path) -> str:
    """A fresh, empty store of each kind (the module's Redis is flushed: rate-limit counters included)."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    url = request.getfixturevalue("redis_url")
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture(name="room")
def room_fixture(store_url) -> Classroom:
    return Classroom(open_store(store_url))


def virtual_students(room: Classroom, code: str, lrs: list[float], iterations: int = 500) -> None:
    """Students without a browser: each joins, trains the setup's network (moons, 8 tanh units) at its own α for
    real, and reports as the live view does (a class's worth of results for the board's screenshots)."""
    import scratchnet
    from scratchnet.classroom.outcome import THUMB, run_result
    from scratchnet.data import synthetic_dataset
    from scratchnet.plane import plane_grid

    ds = synthetic_dataset("moons", n=200, noise=0.15, seed=0)
    for i, lr in enumerate(lrs):
        seat = room.join(code, f"virtual {i + 1}", f"virtual-{i}")
        net = scratchnet.TwoLayerNet(n_features=2, hidden_units=8, activation="relu", seed=i)
        run = scratchnet.TrainingRun(net, ds.X_train, ds.y_train, ds.X_test, ds.y_test, lr=lr, seed=i)
        run.advance(iterations)
        result = run_result(net, run.history, plane_grid(ds.X_train, resolution=THUMB))
        room.report(seat, "run", result | {"page": "net", "kind": "net", "data": "moons", "lr": lr, "hidden": 8,
                                           "act": "relu", "iters": iterations, "seed": i})
