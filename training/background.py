"""One background process per folder: how the training runs (training.jobs) and the one-click pipelines
(training.pipeline) are started, watched and stopped.

The process runs in its own session, so it outlives the app that started it and can be stopped as a group
(torchrun's workers included); its pid is written into the folder, which is all a later app needs to find it.
"""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
_children: dict[str, subprocess.Popen] = {}  # started here; polled so finished ones do not linger as zombies


def spawn(folder: Path, command: list[str], log: Path, pid_file: Path) -> int:
    """Start `command` detached (output appended to `log`), record its pid in `pid_file`; returns the pid."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", TOKENIZERS_PARALLELISM="false")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    with open(log, "ab") as out:
        proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    _children[str(Path(folder).resolve())] = proc
    pid_file.write_text(str(proc.pid))
    return proc.pid


def pid_of(pid_file: Path) -> int | None:
    """The recorded pid, or None when none was recorded (yet)."""
    try:
        return int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def alive(folder: Path, pid: int) -> bool:
    """Whether the folder's process `pid` still runs (an exited child or a zombie does not)."""
    proc = _children.get(str(Path(folder).resolve()))
    if proc is not None and proc.pid == pid:
        return proc.poll() is None  # also reaps it when it has exited
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped by its parent) is not alive
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def stop(pid: int, force: bool = False) -> None:
    """SIGTERM (SIGKILL with `force`) to the process group of `pid`; nothing when it is gone already."""
    try:
        os.killpg(os.getpgid(pid), signal.SIGKILL if force else signal.SIGTERM)
    except ProcessLookupError:
        pass
