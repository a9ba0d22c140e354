"""How many torch CPU threads a run or an evaluation uses: the cores other processes leave idle.

On a shared 2-core machine torch with 2 threads measured 8-47x slower than with 1 thread while other processes
were busy: its threads wait for each other at every matrix product, and a descheduled thread stalls them all.
So "auto" counts the cores this process may use and subtracts the 1-minute load average.
"""
from __future__ import annotations

import os


def choose_threads(cores: int, load1: float) -> int:
    """Threads for `cores` usable cores at 1-minute load average `load1`: the idle cores, at least 1.

    A core counts as idle when at least 3/4 of it is free (a quarter-busy core costs little; a half-busy one
    stalls the threads waiting on it).
    """
    idle = max(0.0, cores - max(0.0, load1))
    return max(1, min(cores, int(idle + 0.25)))


def cpu_load() -> tuple[int, float]:
    """(usable cores, 1-minute load average) of this machine."""
    try:
        cores = len(os.sched_getaffinity(0))  # respects taskset / container CPU sets
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    try:
        load1 = os.getloadavg()[0]
    except OSError:  # no load average on this platform: assume the machine is idle
        load1 = 0.0
    return cores, load1


def resolve_threads(setting: int | None) -> int:
    """The thread count for a setting: the number itself, or None/0 = auto from cores and load."""
    return setting if setting else choose_threads(*cpu_load())


def apply_threads(setting: int | None) -> int:
    """Set torch's intra-op thread count from the setting; returns the count used."""
    import torch

    n = resolve_threads(setting)
    torch.set_num_threads(n)
    return n


def describe() -> str:
    cores, load1 = cpu_load()
    return f"{cores} usable cores, load average {load1:.1f}"
