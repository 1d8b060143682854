"""Run `streamlit run app.py` on a free loopback port and drive it with Debian's Chromium (Playwright).

Importable on its own (no pytest needed) so scripts/screenshots.py and benchmarks can reuse it:

    with streamlit_server() as base, chromium() as browser:
        page = new_page(browser)
        page.goto(base + "/Neural_network")
        wait_idle(page)

`serve_replicas(n)` does the same for `scripts/serve.sh` (n replicas behind HAProxy), with the replica table and
HAProxy's per-replica stats for tests and bench/bench_class.py.
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}
SERVER_START_TIMEOUT = 60.0
IDLE_TIMEOUT_MS = 30_000

STATUS = "[data-testid=sn-status]"
EXCEPTION = "[data-testid=stException]"
APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning][data-test-connection-state=CONNECTED]"
# Streamlit loads each element type's JS lazily and shows this placeholder until it arrives: seconds after
# the script run ends in a fresh browser context on a loaded machine.
SKELETON = "[data-testid=stSkeleton]"


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


# --- the browser -----------------------------------------------------------------------------------
@contextlib.contextmanager
def chromium(headless: bool = True) -> Iterator[Any]:
    """Debian's Chromium through Playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=headless)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any) -> Any:
    """A fresh context (its own cookies, so its own Streamlit session) and a page at 1366×768."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(IDLE_TIMEOUT_MS)
    return context.new_page()


# --- waiting ---------------------------------------------------------------------------------------
def wait_idle(page: Any, timeout_ms: int = IDLE_TIMEOUT_MS, settle_ms: int = 300) -> None:
    """Wait until the script is not running and stays so for `settle_ms` (no live playback on the page), and
    the frontend has drawn every element (no skeleton placeholders left).

    During playback a fragment reruns every 150 ms, so "notRunning" flickers: poll the status line then.
    "notRunning" only says the server is done: the browser may still be loading the JS of an element type
    (a Button, a plotly chart) and show a skeleton in its place, with no handlers of its own yet.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout_ms)
    while True:
        remaining = max(1, int((deadline - time.monotonic()) * 1000))
        page.wait_for_selector(APP_IDLE, timeout=remaining)
        page.wait_for_timeout(settle_ms)
        if page.locator(APP_IDLE).count():
            break
        if time.monotonic() > deadline:
            raise TimeoutError("the app kept rerunning")
    remaining = max(1, int((deadline - time.monotonic()) * 1000))
    page.wait_for_function(f"() => !document.querySelector({SKELETON!r})", polling="raf", timeout=remaining)


# A keydown listener on window runs after Streamlit's shortcut handler (hotkeys-js, on document) and sees
# whether it took the key (it calls preventDefault).
_KEY_PROBE_JS = """(key) => {
  window.__snKeyTaken = null;
  const on = e => { if (e.key === key) { window.__snKeyTaken = e.defaultPrevented;
                                        window.removeEventListener('keydown', on); } };
  window.addEventListener('keydown', on);
}"""


def press_shortcut(page: Any, key: str, control: Any) -> None:
    """Press the keyboard shortcut of `control` (a locator) once it is drawn and enabled; fail if no handler took it.

    A shortcut is bound by the control's own code when it mounts (the live view's keydown handler, attached
    before it sets data-state; for st.button(shortcut=...) a React effect of the Button element, after its lazily
    loaded chunk arrived). A key pressed before that reaches no handler and is dropped, not queued (the cause of
    the Space-bar test's flake): wait for the control itself, not for the server.
    """
    control.wait_for(state="visible")
    poll(control.is_enabled, timeout=IDLE_TIMEOUT_MS / 1000, what="the control to be enabled")
    dom_key = " " if key == "Space" else key
    page.evaluate(_KEY_PROBE_JS, dom_key)
    page.keyboard.press(key)
    taken = page.evaluate("() => window.__snKeyTaken")
    assert taken, f"{key} pressed with the control on screen, but no shortcut handler took it (saw {taken!r})"


def poll(fn: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1, what: str = "condition") -> Any:
    """Call fn until it returns something truthy; return that, or raise with the last value seen."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            last = fn()
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


def status_text(page: Any) -> str:
    loc = page.locator(STATUS)
    return loc.first.inner_text(timeout=5000) if loc.count() else ""


_ITER = re.compile(r"Iteration\s+([\d,]+)\s*/\s*([\d,]+)\s*·\s*(\w+)")


def iteration(page: Any) -> int | None:
    """The iteration number in the status line (None if there is no status line / not parseable)."""
    m = _ITER.search(status_text(page))
    return int(m.group(1).replace(",", "")) if m else None


def run_state(page: Any) -> str | None:
    m = _ITER.search(status_text(page))
    return m.group(3) if m else None


def wait_iteration(page: Any, pred: Callable[[int], bool], timeout: float = 20.0, what: str = "iteration") -> int:
    """Poll the status line until its iteration number satisfies pred; return that number."""

    def check() -> tuple[int] | None:
        i = iteration(page)
        return (i,) if i is not None and pred(i) else None

    return poll(check, timeout=timeout, what=what)[0]


def exceptions(page: Any) -> list[str]:
    return [e.inner_text() for e in page.locator(EXCEPTION).all()]


def errors(page: Any) -> list[str]:
    return [e.inner_text() for e in page.locator("[data-testid=stAlertContentError]").all()]


def screenshot(page: Any, name: str, folder: Path = ARTIFACTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    return path


# --- the live view (ui/live_component): its root's data-* attributes are its state ---------------------------
LIVE = "[data-testid=sn-live]"
LIVE_ATTRS_JS = """() => { const r = document.querySelector('[data-testid=sn-live]');
  return r ? {state: r.dataset.state || null, shown: +(r.dataset.shownIt || 0), draws: +(r.dataset.draws || 0),
              marks: +(r.dataset.lrMarks || 0), x: r.dataset.xAxis || null, y: r.dataset.yAxis || null,
              xTitle: r.dataset.xTitle || null, yTitle: r.dataset.yTitle || null,
              points: +(r.dataset.points || 0), faded: +(r.dataset.faded || 0)} : null; }"""


def live_ready(page: Any, timeout_ms: int = IDLE_TIMEOUT_MS) -> None:
    """Wait until the live view can take input: it sets data-state only once its Space handler is attached and
    its first frame is drawn."""
    page.wait_for_selector(f"{LIVE}[data-state]", state="attached", timeout=timeout_ms)


def live_attrs(page: Any) -> dict[str, Any] | None:
    """{state, shown (iteration on screen), draws (boundary draws since mount), marks (α-change marks), x / y (the
    drawn features in full), xTitle / yTitle (their axis titles), points (drawn), faded (drawn fainter)}."""
    return page.evaluate(LIVE_ATTRS_JS)


def wait_live(page: Any, condition: str, timeout_ms: int = IDLE_TIMEOUT_MS) -> dict[str, Any]:
    """Wait until a JS condition over the live view's attributes `a` holds, e.g. "a.shown >= 200"; return them."""
    page.wait_for_function(f"() => {{ const a = ({LIVE_ATTRS_JS})(); return a && ({condition}); }}",
                           timeout=timeout_ms, polling="raf")
    return live_attrs(page)


LOOK_BACK = "input[type=range][aria-label='Look back through the run']"  # under the view while paused


def settle_paused(page: Any, shown: int) -> None:
    """Wait until the page has re-rendered for the paused run at `shown` (the look-back slider ends there)."""
    page.wait_for_function(f"() => {{ const s = document.querySelector(\"{LOOK_BACK}\"); "
                           f"return s && +s.max === {shown}; }}")
    wait_idle(page)


def wait_ready(page: Any, timeout_ms: int = IDLE_TIMEOUT_MS) -> None:
    """wait_idle, until the page's content has replaced the loading skeleton (right after a load the script
    state reads notRunning before the first run has even started), and on a model page until the live view is
    ready (its module loads after the run)."""
    wait_idle(page, timeout_ms)
    page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]') && "
                           "document.querySelector('[data-testid=stMain] h1')", timeout=timeout_ms)
    wait_idle(page, timeout_ms)
    if page.locator(".stBidiComponent").count():
        live_ready(page, timeout_ms)
