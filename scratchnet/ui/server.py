"""Process-wide set-up for the server that runs the app (no Streamlit here, so benchmarks can use it too)."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

APP_MMAP_THRESHOLD = 32 * 1024 * 1024
APP_TRIM_THRESHOLD = 256 * 1024 * 1024
_tuned = False


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
        use_one_blas_thread()
        _tuned = True
