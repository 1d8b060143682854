"""Process-wide set-up for the server that runs the app (Streamlit is imported only by the session reaper, so
benchmarks can use the rest)."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import sys
from typing import Any

# Blocks up to 8 MB (a 10,000 × 64 training temporary is 5 MB) come from the heap and are reused; larger ones (a
# 20-MB websocket message) are mmapped and unmapped on free: with 32 MB, five 20-MB messages left +170 MB (#21).
APP_MMAP_THRESHOLD = 8 * 1024 * 1024
APP_TRIM_THRESHOLD = 64 * 1024 * 1024
# glibc gives each concurrent thread its own heap (up to 8 per core) and Streamlit runs every script run in a new
# thread: after a class 16 heaps held +49 MB, free, that malloc_trim cannot hand back (it trims only the main
# heap's top; another heap's top goes back only above the trim threshold, which a 64-MB heap never reaches).
APP_ARENA_MAX = 2
CONFIG_POLL_S = 5.0  # how often Streamlit looks for a changed config file (its own default: 0.2 s)
REAP_EVERY_S = 30.0  # at most; half the session TTL when that is shorter
SETTLE_TICKS = 2  # ticks after a reap that collect and trim again: a shut-down session's memory is freed later
_tuned = False
log = logging.getLogger("scratchnet")


def set_malloc_thresholds(mmap_threshold: int, trim_threshold: int) -> bool:
    """glibc only: serve blocks below mmap_threshold from the heap and keep up to trim_threshold of freed memory.
    True when glibc took both; False off glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        return bool(libc.mallopt(m_mmap_threshold, mmap_threshold) and libc.mallopt(m_trim_threshold, trim_threshold))
    except (OSError, AttributeError):
        return False


def limit_arenas(arena_max: int) -> bool:
    """glibc only: no new malloc heaps (arenas) beyond arena_max; threads share the ones there are (mallopt
    M_ARENA_MAX; the heaps made before stay). True when glibc took it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        m_arena_max = -8
        return bool(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(m_arena_max, arena_max))
    except (OSError, AttributeError):
        return False


def trim_heap() -> bool:
    """glibc only: hand the heap's free pages back to the OS (malloc_trim(0)). True when some were."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return bool(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


def reap_sessions(session_mgr: Any) -> int:
    """Shut down the disconnected sessions whose TTL (server.disconnectedSessionTTL) has passed, then collect and
    trim: Streamlit's session storage reaps expired sessions only when another session is stored, and never shuts
    them down, so after a class 100 closed sessions (their runs, data, payloads) stayed in memory: 165 → 308 MB
    (#21). Runs on the server's event loop, where Streamlit's session manager runs. How many were shut down."""
    cache = getattr(getattr(session_mgr, "_session_storage", None), "_cache", None)
    if cache is None or not hasattr(cache, "expire"):
        return 0
    removed = cache.expire()
    for _, info in removed:
        try:
            info.session.shutdown()
        except Exception:  # noqa: BLE001 — one session's shutdown never stops the others'
            log.exception("shutting down an expired session")
    if removed:
        gc.collect()
        trim_heap()
    return len(removed)


def start_session_reaper() -> bool:
    """Run reap_sessions every REAP_EVERY_S (or half the TTL) on the Streamlit server's event loop. True when
    started; False outside a Streamlit server (AppTest, benchmarks) or on a Streamlit without these internals."""
    try:
        from streamlit import config
        from streamlit.runtime import Runtime

        runtime = Runtime.instance()
        loop, session_mgr = runtime._get_async_objs().eventloop, runtime._session_mgr
    except Exception:  # noqa: BLE001 — no runtime, or Streamlit's internals moved: leave it to Streamlit
        return False
    every = max(1.0, min(REAP_EVERY_S, float(config.get_option("server.disconnectedSessionTTL")) / 2))
    settle = 0

    def tick() -> None:
        nonlocal settle
        try:
            if reap_sessions(session_mgr):
                settle = SETTLE_TICKS
            elif settle:  # their script threads end and their sockets close after shutdown(): 100 sessions'
                settle -= 1  # trim at the reap left +62 MB resident, one a tick later +44 (#21)
                gc.collect()
                trim_heap()
        finally:
            loop.call_later(every, tick)

    loop.call_soon_threadsafe(loop.call_later, every, tick)
    return True


def use_one_blas_thread() -> None:
    """The server's matrices are small (at most 10,000 × 64) and its sessions already share the cores: OpenBLAS's
    worker threads only spin. On a 2-core machine a 10,000-point, 64-unit training step took 36 ms of CPU with
    them and 6 ms without (the decision grid 15 → 3 ms). numpy is loaded by now, so this calls the bundled
    library's own setter. A no-op where there is none."""
    import glob
    import os

    import numpy

    libs = os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), "numpy.libs", "*openblas*")
    for path in glob.glob(libs):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads"):
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(1)
                return


def slow_config_polling(period_s: float = CONFIG_POLL_S) -> bool:
    """Streamlit polls its config files (two paths, each a stat and a hash) every 0.2 s whatever
    server.fileWatcherType says: 3.5 ms of the server's CPU a second with nobody connected, ~0.02 s of every
    default live run's. A classroom server does not edit its config while it runs; a change still loads, within
    `period_s`. True when set; False on a Streamlit without this poller (left as it is)."""
    try:
        from streamlit.watcher import polling_path_watcher
    except ImportError:
        return False
    if not isinstance(getattr(polling_path_watcher, "_POLLING_PERIOD_SECS", None), int | float):
        return False
    polling_path_watcher._POLLING_PERIOD_SECS = period_s
    return True


def tune_allocator_once() -> None:
    """Keep numpy's temporaries on the heap, once per process (every page calls this first, via page.setup).

    glibc serves blocks over 128 KB with a fresh mmap and unmaps them on free, so every (m, h) temporary of a
    training step (10,000 × 64 floats = 5 MB) is page-faulted in anew: a 1000×64 step took 550 µs instead of
    180 µs (bench/README.md). Raise the mmap threshold and keep freed memory for reuse. No-op off glibc.
    Called from the app's entry point, not on import, so tests and benchmarks that import `ui` keep the
    allocator as it was.
    """
    global _tuned
    if not _tuned:
        set_malloc_thresholds(APP_MMAP_THRESHOLD, APP_TRIM_THRESHOLD)
        limit_arenas(APP_ARENA_MAX)
        use_one_blas_thread()
        start_session_reaper()
        slow_config_polling()
        _tuned = True
