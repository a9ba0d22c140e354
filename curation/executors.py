"""Executors: where the heavy steps' work units run, kept apart from the steps themselves.

As datatrove keeps its local, Slurm and Ray executors apart from its pipeline steps, a heavy step here (preparing an
import, the pre-flag checks, the diversity values, MinHash signatures and LSH banding, embedding, robustness
detection) cuts its input into work units and calls `executor.map(fn, units, *args)`, a pure function over each
unit that yields `(unit, result)` in input order. The step alone applies the results to the store, in that order,
on the head process: the DuckDB store stays the single source of truth, and no worker ever opens it.

Two engines:
- `local` (the default): the process pool of `curation/workers.py` on this machine, in-process below its size
  thresholds (the call site passes `workers`).
- `ray`: Ray tasks, on a local Ray started here or on an existing cluster (`CURATION_RAY_ADDRESS`, `--ray-address`).
  Work units travel as Arrow record batches (or byte spans of a file on shared storage, for a JSONL import).

`using(engine, address)` makes an engine the current one for a block (the CLI's `--engine`, the app's setting);
`current()` is what the steps ask for. A worker that dies mid-unit is retried: the unit is computed again and its
result applied once, since nothing is applied until the head has it (no unit twice, none lost).
"""
from __future__ import annotations

import contextlib
import contextvars
import os
import socket
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError
from .workers import _WORKER_NICENESS, AHEAD, RETRIES, map_in_workers

ENGINES = ("local", "ray")
ENGINE_ENV = "CURATION_ENGINE"  # local | ray: the engine when no --engine is given
RAY_ADDRESS_ENV = "CURATION_RAY_ADDRESS"  # a Ray cluster's address; set, it picks the ray engine
CONNECT_TIMEOUT_S = 5.0  # a cluster address that takes longer to accept a connection does not answer


@dataclass
class EngineChoice:
    """Which engine runs the heavy steps, and where."""

    engine: str = "local"  # local | ray
    address: str | None = None  # Ray only: a cluster's address ("host:6379", "ray://host:10001", "auto"); None: a local Ray
    workers: int = 2  # Ray only, without an address: CPUs of the local Ray started here (the 2 cores of the reference machine)


def choice(engine: str | None = None, address: str | None = None, workers: int | None = None) -> EngineChoice:
    """The engine named, else the environment's (`CURATION_RAY_ADDRESS` picks ray, `CURATION_ENGINE` names one),
    else local."""
    if engine == "local" and address:
        raise UserError("--ray-address needs --engine ray")
    address = address or os.environ.get(RAY_ADDRESS_ENV) or None
    engine = engine or ("ray" if address else os.environ.get(ENGINE_ENV) or "local")
    if engine not in ENGINES:
        raise UserError(f"unknown engine {engine!r}: choose {' or '.join(ENGINES)} (--engine, ${ENGINE_ENV})")
    return EngineChoice(engine, address if engine == "ray" else None, workers or EngineChoice.workers)


_current: contextvars.ContextVar = contextvars.ContextVar("curation_executor", default=None)


class Executor:
    """Maps a pure function over work units; results come back in input order."""

    name = "base"
    distributed = False  # True: every unit leaves this process, whatever its size (no in-process shortcut)
    arrow_units = False  # True: a step hands its units over as Arrow record batches (they cross machines)
    checksums = False  # True: a file read by workers is verified span by span (it may be read on other machines)

    def map(self, fn, units, *args, workers: int = 2, ahead: int = AHEAD):
        raise NotImplementedError

    @property
    def parallelism(self) -> int:
        """How many units run at once."""
        return 1

    def describe(self) -> dict:
        """What a result records about where it ran."""
        return {"engine": self.name, "workers": self.parallelism}


class LocalExecutor(Executor):
    """Today's process pool (curation/workers.py); `workers` <= 1 runs in this process."""

    name = "local"

    def __init__(self, workers: int = 2):
        self.workers = workers

    def map(self, fn, units, *args, workers: int | None = None, ahead: int = AHEAD):
        yield from map_in_workers(units, self.workers if workers is None else workers, fn, *args, ahead=ahead)

    @property
    def parallelism(self) -> int:
        return max(1, self.workers)


class RayExecutor(Executor):
    """Ray tasks on the current Ray session (one per process, shared by every map: Ray takes seconds to start)."""

    name = "ray"
    distributed = True
    arrow_units = True
    checksums = True

    def __init__(self, address: str | None = None, workers: int = 2):
        self.ray = _ray_session(address, workers)
        self.address = address
        self._remote: dict = {}

    @property
    def parallelism(self) -> int:
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def map(self, fn, units, *args, workers: int | None = None, ahead: int = AHEAD):
        """Submit each unit as a Ray task, at most `ahead` per CPU of the cluster in flight; the arguments shared by
        every unit are put in the object store once. A task whose worker dies is retried by Ray (`RETRIES` times);
        an error raised by the step itself is not retried and reaches the caller as itself."""
        ray = self.ray
        remote = self._remote.get("unit")
        if remote is None:
            remote = self._remote["unit"] = ray.remote(max_retries=RETRIES, retry_exceptions=False)(_run_unit)
        shared = [ray.put(a) for a in args]
        # A local Ray shares this machine's cores with the head, whose DuckDB writes are the longest chain of work:
        # its workers yield the CPU to the head, as the local pool's do (curation/workers.py)
        niced = self.address is None
        pending: deque = deque()
        limit = ahead * self.parallelism
        try:
            for unit in units:
                pending.append((unit, remote.remote(fn, niced, unit, *shared)))
                if len(pending) > limit:
                    unit, ref = pending.popleft()
                    yield unit, self._get(ref)
            while pending:
                unit, ref = pending.popleft()
                yield unit, self._get(ref)
        finally:
            for _, ref in pending:  # a caller that stops early (an error) leaves nothing running
                ray.cancel(ref, force=True)

    def _get(self, ref):
        ray = self.ray
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as e:  # the step raised: its own error (a UserError stays one)
            cause = getattr(e, "cause", None)
            if isinstance(cause, BaseException):
                raise cause from None
            raise
        except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
                ray.exceptions.ObjectLostError) as e:
            raise UserError(f"a Ray worker died {RETRIES + 1} times on the same work unit ({type(e).__name__}); "
                            "nothing of that unit was applied. Check the cluster's memory and logs, then rerun") from None

    def describe(self) -> dict:
        return {"engine": self.name, "workers": self.parallelism, "address": self.address or "local"}


_NICED = []  # set in a Ray worker process once it has lowered its priority


def _run_unit(fn, niced: bool, unit, *args):
    """One work unit in a Ray worker: `fn(unit, *args)`, below the head's priority on a local Ray."""
    if niced and not _NICED and hasattr(os, "nice"):
        os.nice(_WORKER_NICENESS)
        _NICED.append(True)
    return fn(unit, *args)


def executor(c: EngineChoice | None = None) -> Executor:
    """An executor for an engine choice (the environment's when None)."""
    c = c or choice()
    if c.engine == "ray":
        return RayExecutor(c.address, c.workers)
    return LocalExecutor(c.workers)


def current(workers: int = 2) -> Executor:
    """The executor of the enclosing `using` block (a Ray one is connected on first use, so a command that runs
    no heavy step never starts Ray); else a local one with `workers` processes, or the environment's Ray when
    `CURATION_RAY_ADDRESS` / `CURATION_ENGINE=ray` say so."""
    held = _current.get()
    if held is not None:
        if held[1] is None and held[0] is not None:
            held[1] = executor(held[0])
        if held[1] is not None:
            return held[1]
        return LocalExecutor(workers)
    c = choice(workers=workers)
    return executor(c) if c.engine == "ray" else LocalExecutor(workers)


@contextlib.contextmanager
def using(engine: str | Executor | None = None, address: str | None = None, workers: int | None = None):
    """Run the block's heavy steps on `engine` (an Executor, or a name for `choice`; local keeps each call
    site's own worker count)."""
    if isinstance(engine, Executor):
        held = [None, engine]
    else:
        c = choice(engine, address, workers)
        held = [c if c.engine == "ray" else None, None]
    token = _current.set(held)
    try:
        yield
    finally:
        _current.reset(token)


# ---------------------------------------------------------------- the Ray session
_session: dict = {}  # the local Ray this process started: {"workers": n}


def _import_ray():
    try:
        import ray
    except ImportError:
        raise UserError("the ray engine needs the ray package: pip install 'sft-workbench[ray]' "
                        "(or pip install ray)") from None
    return ray


def _ray_session(address: str | None, workers: int):
    """The Ray module, initialised: connected to `address`, or a local Ray of `workers` CPUs started once per
    process (a later call with another worker count restarts it)."""
    ray = _import_ray()
    if ray.is_initialized():
        if address is None and _session and _session.get("workers") != workers:
            ray.shutdown()
            _session.clear()
        elif address is None or _session.get("address") == address:
            return ray
        else:
            ray.shutdown()
            _session.clear()
    runtime_env = {"env_vars": {"PYTHONPATH": _code_path()}}
    quiet = {"include_dashboard": False, "log_to_driver": False, "configure_logging": True,
             "logging_level": "ERROR"}
    if address is None:
        ray.init(num_cpus=workers, runtime_env=runtime_env, **quiet)
        _session.update(workers=workers, address=None)
        return ray
    check_address(address)
    try:
        ray.init(address=address, **quiet)
    except (ConnectionError, RuntimeError, TimeoutError) as e:
        raise UserError(f"cannot connect to the Ray cluster at {address!r}: {str(e).splitlines()[0]} "
                        f"(start one with `ray start --head`, or fix --ray-address / ${RAY_ADDRESS_ENV})") from None
    _session.update(workers=None, address=address)
    return ray


def check_address(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """A clear error, within `timeout` seconds, when nothing answers at a Ray address (Ray itself retries a dead
    address for a minute or more before it fails)."""
    if address == "auto":
        return
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise UserError(f"Ray address {address!r} is not host:port (e.g. 10.0.0.5:6379 or ray://10.0.0.5:10001)")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as e:
        raise UserError(f"no Ray cluster answers at {address!r} ({e.strerror or type(e).__name__}); start one with "
                        f"`ray start --head` on the head node, or fix --ray-address / ${RAY_ADDRESS_ENV}") from None


def _code_path() -> str:
    """PYTHONPATH for a local Ray's workers: the folder holding this `curation` package first, so they run the same
    code as the head (not another install of it)."""
    here = str(Path(__file__).resolve().parent.parent)
    rest = os.environ.get("PYTHONPATH")
    return here if not rest else f"{here}{os.pathsep}{rest}"
