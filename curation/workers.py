"""The worker pool: map a pure function over chunks in worker processes, in order, with bounded memory.

Used by the import (preparing records) and by the pre-flag checks (checking stored samples). The workers run
only pure Python steps: no DuckDB connection, no Streamlit.
"""
from __future__ import annotations

import os
import sys
from collections import deque

from .errors import UserError

# Chunks each worker may run ahead of the caller, so the workers keep going while it waits for an insert.
AHEAD = 8
# Times a chunk is computed again after its worker died (killed, out of memory) before the run stops.
RETRIES = 2
_WORKER_NICENESS = 10


def lower_priority() -> None:
    """Run this worker process below the caller's priority (where the OS has `nice`), and end it with its
    parent: a killed importer must not leave workers of hundreds of MB behind (issue 15.20)."""
    exit_with_parent()
    if hasattr(os, "nice"):
        os.nice(_WORKER_NICENESS)


def exit_with_parent() -> None:
    """Have the kernel kill this process when its parent dies (Linux prctl PR_SET_PDEATHSIG); elsewhere a daemon
    thread watches the parent's pid."""
    parent = os.getppid()
    try:
        import ctypes
        import signal
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # 1 = PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)
            return
    except (OSError, AttributeError):
        pass
    import threading
    import time

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def map_in_workers(chunks, workers: int, prepare, *args, ahead: int = AHEAD, retries: int = RETRIES):
    """(chunk, prepare(chunk, *args)) for every chunk, in order; in `workers` processes when above 1.

    Only `ahead` chunks per worker are in flight at a time, so memory stays flat however long the input is. A
    worker that dies (killed, out of memory) breaks the pool: a new pool computes the chunks in flight again, up to
    `retries` times for the same chunk. A chunk's result reaches the caller once, after it is complete, so a retry
    applies nothing twice and loses nothing.
    """
    if workers <= 1:
        for chunk in chunks:
            yield chunk, prepare(chunk, *args)
        return
    pool = _Pool(workers)
    try:
        pending: deque = deque()  # [chunk, future, attempts]
        for chunk in chunks:
            pending.append([chunk, pool.submit(prepare, chunk, *args), 0])
            if len(pending) > ahead * workers:
                yield pending[0][0], pool.result(pending, prepare, args, retries)
        while pending:
            yield pending[0][0], pool.result(pending, prepare, args, retries)
    finally:
        pool.shutdown()


class _Pool:
    """The process pool of `map_in_workers`, replaced by a new one when a worker dies."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = self._start()

    def _start(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        # Fork where it is safe: the workers only run pure Python steps (no DuckDB, no Streamlit), and unlike spawn
        # or forkserver it does not re-run the caller's main script, which breaks scripts that call ingest() without
        # a __main__ guard. A fork copies only the calling thread, so multi-threaded callers (the app) pass workers=0.
        method = "fork" if sys.platform == "linux" else "spawn"
        # The workers yield the CPU to the caller: the importer's DuckDB insert is the longest chain of work, and when
        # it waits for a core the whole import waits (a million samples on 2 cores: 48 s with equal priorities, 41 s).
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method),
                                   initializer=lower_priority)

    def submit(self, fn, *args):
        return self.pool.submit(fn, *args)

    def result(self, pending: deque, fn, args: tuple, retries: int):
        """The result of the first pending chunk (popped); a broken pool is replaced and the chunks in flight are
        submitted again."""
        from concurrent.futures.process import BrokenProcessPool
        while True:
            try:
                out = pending[0][1].result()
            except BrokenProcessPool:
                pending[0][2] += 1
                if pending[0][2] > retries:
                    raise UserError(f"a worker process died {retries + 1} times on the same chunk of work (killed, "
                                    "or out of memory?); nothing of that chunk was applied") from None
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._start()
                for item in pending:
                    item[1] = self.pool.submit(fn, item[0], *args)
                continue
            pending.popleft()
            return out

    def shutdown(self) -> None:
        self.pool.shutdown(cancel_futures=True)
