"""One build at a time per store folder: an exclusive `fcntl.flock` on `<folder>/.build.lock`.

Why: two builds writing versions, switching the link and cleaning up in the same folder could delete
each other's work. The lock is taken before anything is parsed, so a second build fails at once (or,
asked to `wait`, queues behind the first); the file holds the holder's pid and start time, so the
message says who holds it. The kernel releases a flock when its process ends, however it ends, so a
killed build never leaves a stale lock behind (the file stays; its content only matters while locked).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
from contextlib import contextmanager
from pathlib import Path

from ..errors import BuildLocked

LOCK_NAME = ".build.lock"


def _holder(fd: int) -> tuple[int | None, str]:
    text = os.pread(fd, 200, 0).decode("utf-8", "replace")
    m = re.search(r"pid (\d+)", text)
    started = re.search(r"started (\S+)", text)
    return (int(m.group(1)) if m else None), (started.group(1) if started else "")


def _describe(pid: int | None, started: str) -> str:
    if pid is None:
        return "another crmgraph build (pid not yet written)"
    return f"another crmgraph build (pid {pid}{', started ' + started if started else ''})"


@contextmanager
def build_lock(folder: Path, wait: bool = False, on_wait=None):
    """Hold the build lock of `folder` for the `with` block.

    Raises BuildLocked naming the holder's pid if another process holds it, unless `wait`: then
    `on_wait(message)` is called once and the lock is awaited."""
    folder = Path(os.path.abspath(folder))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid, started = _holder(fd)
            who = _describe(pid, started)
            if not wait:
                raise BuildLocked(f"{who} is writing the store in {folder} (lock {path})",
                                  hint="wait for it to finish, or run `crmgraph build --wait` to start when it has",
                                  pid=pid) from None
            if on_wait is not None:
                on_wait(f"waiting for {who} to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} started {now}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock
