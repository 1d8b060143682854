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


_keep_numpy_temporaries_on_the_heap()
