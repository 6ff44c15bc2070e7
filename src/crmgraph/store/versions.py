"""A store on disk is a symbolic link to its current version, switched in one atomic step.

    var/store                              → store-20261127T034512Z-1a2b3c   (a relative link)
    var/store-20261127T034512Z-1a2b3c/     the current version: a complete Oxigraph (RocksDB) folder
    var/store-20261126T221003Z-9f8e7d/     the previous version, kept: a reader that opened it keeps working

Why: the old swap was two renames (the store out, the new one in); a crash between them left no store
at all. Now a build writes a complete new version beside the others, then points the link at it by
`os.replace` of a temporary link, which POSIX makes atomic: at every instant `var/store` opens either
the old version or the new one, and a crash at any step leaves the old one in place. Readers (the
portal's workers, `crmgraph query`, `crmgraph.open()`) open the path `var/store` as before; the link is
followed by the operating system.

Leftovers — versions other than the current and the previous (a crash before the switch leaves a
complete but unused version), temporary links, and the `.store.new-*`/`.store.old-*` folders of the
old two-rename swap — are removed after each successful switch, under the build lock (`lock.py`), so
no other build can be using them.

A store that is still a plain folder (built before this scheme) is moved once into a version and the
link put in its place: that first switch is two steps (a rename, then the link), each atomic.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import uuid
from pathlib import Path

from ..errors import StoreError


def _absolute(target: Path) -> Path:
    """The target as an absolute path *without* following the link (resolve() would name the version)."""
    return Path(os.path.abspath(target))


def _version_re(name: str) -> re.Pattern:
    return re.compile(re.escape(name) + r"-\d{8}T\d{6}Z-[0-9a-f]{6}")


def _leftover_re(name: str) -> re.Pattern:
    return re.compile(r"\." + re.escape(name) + r"\.(?:new|old|link)-.+")


def new_version_path(target: Path, when: float | None = None) -> Path:
    """A fresh, unused version folder beside `target`, named for the time `when` (a timestamp; default
    now), so that versions sort by age."""
    target = _absolute(target)
    moment = dt.datetime.fromtimestamp(when, dt.timezone.utc) if when is not None else dt.datetime.now(dt.timezone.utc)
    stamp = moment.strftime("%Y%m%dT%H%M%SZ")
    return target.with_name(f"{target.name}-{stamp}-{uuid.uuid4().hex[:6]}")


def current_version(target: Path) -> Path | None:
    """The version folder `target` points at (None if `target` is not a link to an existing folder)."""
    target = _absolute(target)
    if not target.is_symlink():
        return None
    version = target.parent / os.readlink(target)
    return version if version.is_dir() else None


def switch(target: Path, version: Path) -> Path | None:
    """Point `target` at `version` in one atomic step; return the version it pointed at before (if any).

    A `target` that is a plain folder (a store of the old layout) is first renamed into a version of its
    own, which is returned as the previous one."""
    target = _absolute(target)
    previous = current_version(target)
    link = target.with_name(f".{target.name}.link-{uuid.uuid4().hex[:8]}")
    os.symlink(version.name, link, target_is_directory=True)
    try:
        if target.is_dir() and not target.is_symlink():
            previous = new_version_path(target, when=target.stat().st_mtime)  # named for when it was built
            target.rename(previous)  # one-time migration from a plain folder: the only two-step switch
        elif target.exists() and not target.is_symlink():
            raise StoreError(f"{target} is a file, not a store", hint="move it away, or pass another --store PATH")
        os.replace(link, target)  # the atomic step: readers see the old version or the new one, never nothing
    finally:
        if link.is_symlink():
            link.unlink()
    return previous


def cleanup(target: Path, keep: set[Path]) -> list[Path]:
    """Remove the versions of `target` not in `keep` and the temporary leftovers; return what went."""
    target = _absolute(target)
    versions, leftovers = _version_re(target.name), _leftover_re(target.name)
    keep_names = {p.name for p in keep if p is not None}
    current = current_version(target)
    if current is not None:
        keep_names.add(current.name)
    removed = []
    for entry in target.parent.iterdir():
        if (versions.fullmatch(entry.name) and entry.name not in keep_names) or leftovers.fullmatch(entry.name):
            if entry.is_symlink() or entry.is_file():
                entry.unlink(missing_ok=True)
            else:
                shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


class NewVersion:
    """A store version being written beside `target`: `store` is open for writing; `commit` closes it,
    switches `target` to it and cleans up; `abort` closes it and deletes it (`target` untouched).

    Why a class as well as `write_new_version`: a build may begin its new version early (the curated
    graphs, while HermiT still reasons) and complete it later, or drop it when a later step fails."""

    def __init__(self, target: Path, open_store, start=None) -> None:
        self.target = _absolute(target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.path = new_version_path(self.target)
        try:
            if start is not None:
                start(self.path)
            self.store = open_store(self.path)
        except BaseException:
            shutil.rmtree(self.path, ignore_errors=True)
            raise
        self.done = False

    def commit(self) -> Path:
        try:
            self.store.close()
        except BaseException:
            self.abort()
            raise
        self.done = True
        previous = switch(self.target, self.path)
        cleanup(self.target, keep={v for v in (self.path, previous) if v is not None})
        return self.path

    def abort(self) -> None:
        if self.done:
            return
        self.done = True
        try:
            self.store.close()
        except BaseException:  # noqa: BLE001 — the version goes anyway
            pass
        finally:
            shutil.rmtree(self.path, ignore_errors=True)


def write_new_version(target: Path, fill, open_store, start=None) -> Path:
    """Write a complete new version with `fill(store)` (`open_store(path)` opens a writable store there),
    switch `target` to it, and clean up; return the new version's folder. `start(path)`, if given,
    creates the version's folder first with some content (a checkpoint of the imported graphs' store,
    `io/importcache.py`), which `fill` completes.

    If `start` or `fill` raises, the half-written version is deleted and `target` is left as it was."""
    version = NewVersion(target, open_store, start)
    try:
        fill(version.store)
    except BaseException:
        version.abort()
        raise
    return version.commit()
