"""Keeping a query worker off the network: defence in depth behind the SERVICE check.

    cut_network() -> Isolation    called first thing in each worker process, before it opens the store

The worker leaves the server's network namespace for a new, empty one (`unshare(CLONE_NEWNET)`):
it has only a loopback interface, and that one is down, so every connection — to 127.0.0.1 or
anywhere else — fails with "network unreachable". Whatever a future parser mismatch lets through,
the engine in that process cannot reach another server (nor this one). As root (the server, CI) a
plain CLONE_NEWNET works; an unprivileged user tries CLONE_NEWUSER | CLONE_NEWNET (allowed where
unprivileged user namespaces are). The worker then proves it: a connection to 127.0.0.1 must fail
with ENETUNREACH. Where none of this is possible (another OS, a container that forbids unshare)
the worker runs connected, and says why: the pool logs a warning and /health reports it.

Python 3.11 has no os.unshare, so libc's unshare(2) is called through ctypes.
"""
from __future__ import annotations

import ctypes
import errno
import os
import socket
import sys
from dataclasses import dataclass

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000


@dataclass(frozen=True)
class Isolation:
    """Whether a worker is off the network, and how (or why not)."""

    isolated: bool
    how: str


def cut_network() -> Isolation:
    """Move this process into a network namespace of its own (see the module doc). Call it in a
    single-threaded process (a new user namespace requires that), before anything opens a socket."""
    if not sys.platform.startswith("linux"):
        return Isolation(False, f"network namespaces exist only on Linux (this is {sys.platform})")
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        unshare = libc.unshare
    except (OSError, AttributeError) as exc:
        return Isolation(False, f"libc's unshare is not available: {exc}")
    failures = []
    for flags, how in ((CLONE_NEWNET, "a network namespace of its own"),
                       (CLONE_NEWUSER | CLONE_NEWNET, "a user and network namespace of its own")):
        if unshare(flags) == 0:
            proof = _loopback_unreachable()
            if proof is None:
                return Isolation(True, f"{how} (no interface up: 127.0.0.1 unreachable)")
            return Isolation(False, f"entered {how}, but {proof}")
        failures.append(f"{how}: {os.strerror(ctypes.get_errno())}")
    return Isolation(False, "unshare refused (" + "; ".join(failures) + ")")


def _loopback_unreachable() -> str | None:
    """None if a TCP connection to 127.0.0.1 fails as it must in an empty namespace; else what happened."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(1.0)
    try:
        sock.connect(("127.0.0.1", 9))
    except OSError as exc:
        if exc.errno == errno.ENETUNREACH:
            return None
        return f"a connection to 127.0.0.1 gave {exc!r} instead of 'network unreachable'"
    else:
        return "a connection to 127.0.0.1 succeeded"
    finally:
        sock.close()
