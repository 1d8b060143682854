"""Streamlit glue shared by the pages: sidebar controls, session state, the live-training loop."""

import ctypes
import ctypes.util
import sys


def _keep_numpy_temporaries_on_the_heap() -> None:
    """glibc serves blocks over 128 KB with a fresh mmap and unmaps them on free, so every (m, h) temporary of a
    training step (10,000 × 64 floats = 5 MB) is page-faulted in anew: a 1000×64 step took 550 µs instead of
    180 µs (bench/README.md). Raise the mmap threshold and keep freed memory for reuse. No-op off glibc."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, 32 * 1024 * 1024)
        libc.mallopt(m_trim_threshold, 256 * 1024 * 1024)
    except (OSError, AttributeError):
        pass


def _one_blas_thread() -> None:
    """The server's matrices are small (at most 10,000 × 64) and its sessions already share the cores: OpenBLAS's
    worker threads only spin. On this 2-core machine a 10,000-point, 64-unit training step took 36 ms of CPU with
    them and 6 ms without (the decision grid 15 → 3 ms). Before numpy loads, the environment variable does it;
    after, the bundled library's own setter. A no-op where neither applies."""
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if "numpy" not in sys.modules:
        return
    import glob

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


_keep_numpy_temporaries_on_the_heap()
_one_blas_thread()
