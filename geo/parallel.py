"""Independent steps of a big import run side by side, one per core.

A million-row import is mostly work that Arrow and numpy do without Python's
global lock: text columns copied, stripped, hashed, parsed and taken in a new
order. Such steps of one import, when each reads only what it is handed and
writes nothing shared, run here in a small pool of threads, so that a
2-core machine does two at a time. What they return, and which error is
raised, is what running them one after the other would give: results come
back in the order the steps were given, and when steps fail the first of
them in that order raises (the others still run to their end, so a failing
step must have no effect that its caller would not undo).

Not for steps that hold the lock throughout (making shapely geometries,
Python loops): those gain nothing and wait for each other.
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

#: Steps run at once: one per core, at most four (the steps are memory-bound beyond that).
WORKERS = max(1, min(4, os.cpu_count() or 1))

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="geo-parallel")
        return _pool


#: Rows below which :func:`side_by_side` runs a table's steps one after another: a thread's
#: hand-over costs more than a small table's steps take.
MIN_ROWS = 20_000


def side_by_side(steps: Iterable[Callable[[], T]], *, size: int | None = None) -> list[T]:
    """Run each step (a function of no arguments) in the pool; their results in the order given.

    On one core, for a single step, or for a table of ``size`` rows below
    :data:`MIN_ROWS`, the steps run one after the other in the calling
    thread. A step called from inside the pool runs in place too, so that
    nested calls cannot wait on a pool they fill.

    Raises
    ------
    Exception
        The exception of the first failing step, in the order given, once
        every step has finished.
    """
    steps = list(steps)
    small = size is not None and size < MIN_ROWS
    if WORKERS == 1 or len(steps) < 2 or small or threading.current_thread().name.startswith("geo-parallel"):
        return [step() for step in steps]
    futures = [_executor().submit(step) for step in steps]
    errors = [future.exception() for future in futures]  # waits for every step
    hand_back_freed_memory()  # the steps' scratch, freed in the workers' heaps
    for error in errors:
        if error is not None:
            raise error
    return [future.result() for future in futures]


def hand_back_freed_memory() -> None:
    """Give the system back what the pool's threads have freed, where the C library can say so.

    glibc's ``malloc`` keeps a heap per thread and trims only the main
    thread's by itself: the numpy arrays a step made and dropped in a worker
    stay in that worker's heap, where the calling thread cannot reuse them,
    and count in the process's peak (107 MB after a million ACLED rows
    mapped in two blocks). ``malloc_trim`` releases the free memory of every
    heap; on a C library without it (musl, macOS) this does nothing.
    """
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


# prctl options (linux/prctl.h): this process's new memory in pages of 4 kB, never huge ones.
_PR_SET_THP_DISABLE, _PR_GET_THP_DISABLE = 41, 42


@functools.cache
def fault_in_small_pages() -> bool:
    """Have Linux back this process's memory with 4 kB pages from now on, not 2 MB transparent huge pages.

    numpy and Arrow's allocator ask for huge pages for big buffers, and on
    this project's virtual machine (and the cloud VMs like it) the first
    touch of a huge page is several times slower than of the same memory in
    small pages: 500 MB of numpy array took 1.1-1.3 s to fill against
    0.2-0.3 s, and Arrow's parse of a million ACLED rows 1.2-1.4 s against
    0.7 s, nearly all of it the kernel's. A big import fills a gigabyte of
    fresh memory, so it asks for small pages once, for the whole process (a
    dashboard server's other work loses nothing measurable). True where the
    kernel took it; elsewhere (another system, an old kernel) nothing changes.
    """
    prctl = getattr(_libc(), "prctl", None)
    if prctl is None:
        return False
    return prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0


def small_pages_only() -> bool:
    """Whether :func:`fault_in_small_pages` is in effect for this process (False where it cannot be told)."""
    prctl = getattr(_libc(), "prctl", None)
    return prctl is not None and prctl(_PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1
