"""Start the app as a student's browser reaches it: `streamlit run app.py` on a free loopback port, or
`scripts/serve.sh` (n replicas behind HAProxy) with the replica table and HAProxy's per-replica stats. Importable on
its own (no pytest, no Playwright), so benchmarks (bench/bench_live.py, bench/bench_class.py) and
scripts/screenshots.py reuse it:

    with streamlit_server() as base:
        urllib.request.urlopen(base + "/_stcore/health")
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SERVER_START_TIMEOUT = 60.0


# --- the server ------------------------------------------------------------------------------------
def run_async(coroutine: Any) -> Any:
    """asyncio.run in a thread of its own: Playwright's sync API (the worker's Chromium) keeps an event loop
    running in the main thread, where asyncio.run refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except OSError:
        return False


def _listening_port(pid: int) -> int | None:
    """The loopback TCP port process `pid` listens on, once it does (the system chose it: port 0)."""
    import psutil

    with contextlib.suppress(psutil.Error):
        for c in psutil.Process(pid).net_connections("tcp"):
            if c.status == psutil.CONN_LISTEN and c.laddr.ip == "127.0.0.1":
                return c.laddr.port
    return None


def listening_pid(port: int, among: str = "streamlit") -> int | None:
    """The process (its command line naming `among`) listening on loopback `port`: how the benchmarks find a
    server's pid when it was given port 0."""
    import psutil

    for proc in psutil.process_iter(["pid", "cmdline"]):
        if among in " ".join(proc.info["cmdline"] or []) and _listening_port(proc.info["pid"]) == port:
            return proc.info["pid"]
    return None


@contextlib.contextmanager
def streamlit_server(timeout: float = SERVER_START_TIMEOUT, extra_args: list[str] | None = None,
                     root: Path = ROOT, log_path: Path | None = None) -> Iterator[str]:
    """Start `root`'s app.py in its own process group; yield its base URL; kill the whole group afterwards.

    Streamlit binds port 0, so the system hands it a free port and nothing else can take it first (a port
    picked here and bound later could be, by a parallel test worker or another checkout's tests); the port is
    read back from the process's own listening socket, so the health check can only reach this server.
    `root` is this checkout unless a benchmark serves another tree (an older commit) beside it. With `log_path`
    the server's output is kept there (a test reads it), else in a temporary file removed afterwards.
    """
    with streamlit_process(timeout, extra_args, root, log_path) as (base, _):
        yield base


@contextlib.contextmanager
def streamlit_process(timeout: float = SERVER_START_TIMEOUT, extra_args: list[str] | None = None,
                      root: Path = ROOT, log_path: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """streamlit_server, yielding the server's process too (its pid: memory, CPU time)."""
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
        "--server.address", "127.0.0.1", "--server.port", "0", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",  # other edits to the tree must not rerun the app mid-test
        *(extra_args or []),
    ]
    log = (open(log_path, "w+b") if log_path is not None  # noqa: SIM115
           else tempfile.NamedTemporaryFile("w+b", prefix="streamlit-", suffix=".log", delete=False))
    proc = subprocess.Popen(cmd, cwd=root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def server_log() -> str:
        log.flush()
        return Path(log.name).read_text(errors="replace")[-5000:]

    try:
        deadline = time.monotonic() + timeout
        port = None
        while port is None or not _healthy(f"http://127.0.0.1:{port}"):
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {proc.returncode}:\n{server_log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:.0f} s:\n"
                                   f"{server_log()}")
            time.sleep(0.2)
            port = port or _listening_port(proc.pid)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        _stop_group(proc)
        log.close()
        if log_path is None:
            with contextlib.suppress(OSError):
                os.unlink(log.name)


def _stop_group(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM to the process group `proc` leads, SIGKILL to whatever is left after `grace` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):  # children that outlived their parent
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


# --- replicas behind HAProxy (scripts/serve.sh) ------------------------------------------------------
@dataclass(frozen=True)
class Replica:
    name: str  # also the value of HAProxy's SN_REPLICA cookie for the sessions it serves
    host: str
    port: int
    pid: int  # 0 while it is down


@dataclass
class Served:
    base: str  # HAProxy's URL
    state_dir: Path
    proc: subprocess.Popen  # serve.sh itself
    log_path: Path

    def replicas(self) -> list[Replica]:
        """scripts/serve.sh's table of replicas (rewritten whenever one exits or restarts)."""
        rows = (line.split("\t") for line in (self.state_dir / "replicas.tsv").read_text().splitlines() if line)
        return [Replica(name, host, int(port), int(pid)) for name, host, port, pid in rows]

    def stats(self) -> dict[str, dict[str, str]]:
        """HAProxy's `show stat` for the replicas, by server name: status (UP/DOWN/...), scur, stot, bout, ..."""
        return haproxy_stats(self.state_dir / "haproxy.sock")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]


def haproxy_command(sock: Path, command: str) -> str:
    """One command on HAProxy's stats socket (what `socat` would do)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(str(sock))
        s.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def haproxy_stats(sock: Path, backend: str = "replicas") -> dict[str, dict[str, str]]:
    lines = haproxy_command(sock, "show stat").splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
    return {r["svname"]: r for r in rows if r.get("pxname") == backend and r["svname"] not in ("BACKEND", "FRONTEND")}


PORT_TAKEN = re.compile(r"Address already in use|cannot bind|is not available")


def _group_listens(pgid: int, port: int) -> bool:
    """Whether a process of group `pgid` (serve.sh's: its HAProxy) listens on `port`, not another program."""
    import psutil

    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if os.getpgid(proc.pid) == pgid and any(
                    c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in proc.net_connections("tcp")):
                return True
    return False


@contextlib.contextmanager
def serve_replicas(replicas: int = 2, timeout: float = SERVER_START_TIMEOUT * 2,
                   extra_args: list[str] | None = None, attempts: int = 3) -> Iterator[Served]:
    """`bash scripts/serve.sh --replicas N --port P` on a free port, in its own process group; yields once HAProxy
    sees every replica UP; stops it (SIGTERM: serve.sh stops its children) and kills what is left afterwards.

    HAProxy and the replicas bind ports chosen free a moment before: if another program took one meanwhile,
    serve.sh stops at start-up and this starts it again on new ports (up to `attempts` times)."""
    for attempt in range(1, attempts + 1):
        try:
            with _serve_replicas_once(replicas, timeout, extra_args) as served:
                yield served
                return
        except _PortTaken:
            if attempt == attempts:
                raise


class _PortTaken(RuntimeError):
    pass


@contextlib.contextmanager
def _serve_replicas_once(replicas: int, timeout: float, extra_args: list[str] | None) -> Iterator[Served]:
    port = free_port()
    state_dir = Path(tempfile.mkdtemp(prefix="sn-serve-"))  # short: a unix socket path has ~100 bytes
    log_path = state_dir / "serve.log"
    cmd = ["bash", str(ROOT / "scripts" / "serve.sh"), "--replicas", str(replicas), "--port", str(port),
           "--state-dir", str(state_dir), *(extra_args or [])]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    served = Served(f"http://127.0.0.1:{port}", state_dir, proc, log_path)
    try:
        def all_up() -> bool:
            if proc.poll() is not None:
                error = _PortTaken if PORT_TAKEN.search(served.log()) else RuntimeError
                raise error(f"serve.sh exited with code {proc.returncode}:\n{served.log()}")
            if not (state_dir / "haproxy.sock").exists() or not _healthy(served.base):
                return False
            stats = served.stats()
            return (len(stats) == replicas and all(s["status"] == "UP" for s in stats.values())
                    and _group_listens(proc.pid, port))

        deadline = time.monotonic() + timeout
        while not all_up():
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve.sh: not every replica UP within {timeout:.0f} s:\n{served.log()}")
            time.sleep(0.2)
        try:
            yield served
        except BaseException:
            _print_logs(state_dir)  # the folder goes below: a failure keeps what the replicas wrote
            raise
    finally:
        _stop_group(proc)
        shutil.rmtree(state_dir, ignore_errors=True)


def _print_logs(state_dir: Path, tail: int = 8000) -> None:
    """serve.sh's, HAProxy's and every replica's log (their tails), to stderr: pytest shows it with a failure."""
    for log in sorted(state_dir.glob("*.log")):
        print(f"--- {log.name} ---\n{log.read_text(errors='replace')[-tail:]}", file=sys.stderr)
