"""Answers served again without being computed again: a byte-bounded LRU of whole HTTP answers.

    StoreVersion(store_path)        which store is on disk now (its RocksDB IDENTITY, new for every build)
    AnswerCache(max_bytes)          the LRU: key → Entry (status 200, headers, body, ETag), bounded in bytes
    CachedAnswers(app, cache, version)
                                    ASGI middleware, outermost but for clients.ClientIdentity: a hit is answered before routing, so it
                                    costs no FastAPI, no worker process and no page rendering

Why it is correct to keep answers: the server's store is read-only while it is served (the workers and the
pages' store open it once, read-only), so an answer is a function of the store's version and the request.
The key is (store version, scheme, Host, root path, path, the exact query string bytes, the exact Accept
header, and whether Accept-Encoding allows gzip): exact bytes are never "normalised" into a wrong match — two spellings of one
query are two entries, which costs memory, never correctness. Host and scheme are in it because /sparql
resolves relative IRIs against its own URL and some pages write absolute links; Accept because answers are
negotiated (`Vary: Accept`); Accept-Encoding because the explorer's routes send gzip to a client that
accepts it (`Vary: Accept-Encoding`), and a gzipped answer must never reach one that does not — reduced to
`accepts_gzip`, the one thing about it any route reads (browsers spell it "gzip, deflate, br, zstd" and
others; the exact bytes would file one answer once per spelling, and miss what the warm-up prepared). Every other
input of an answer is fixed for the server's life (limits, settings).

What is never kept: anything but a complete 200 answer with a Content-Length of at most `max_entry_bytes`
(errors, refusals, time-outs, over-cap answers — the pool never cuts an answer short, it refuses it — and
streamed dumps pass through untouched); answers marked `no-store` or setting a cookie; HEAD (it has no
body to keep; a HEAD is answered from a GET's entry); routes whose answer depends on more than the store
(/health, /downloads and the release's VoID, the Graph Store dump, static assets — not in `CACHED_PREFIXES`).

The SSRF and read-only checks: a query is checked in the worker before it runs; a refused one is an error
answer, so it is never kept, and as the key holds the query's exact bytes, no other request's entry can
answer it. Only what passed the check is ever served from here.

A new store: `StoreVersion` is looked at on every request (one stat of the IDENTITY file). When it differs
from the version the server opened (`pin()`, at start-up), the entries are dropped and nothing more is
kept or served from the cache: the workers and pages may still hold the old store (a rebuilt store is seen
by a restarted server), and an answer must never be filed under a version it did not come from. A server
that re-opens its store calls `pin()` again, and the new version's entries start empty.

Clients get an ETag (a hash of the body and its media type) and Last-Modified (when the store was
written) on every kept answer, with `Cache-Control: no-cache` (revalidate each time: the store may be
rebuilt); `If-None-Match` (or, without it, `If-Modified-Since`) that matches is answered 304 with no body.

Many clients asking the same new thing at once (a page's first visit under load): one computes it, the
others wait for it (at most `wait_s`) and are answered from the cache — one computation instead of fifty.
"""
from __future__ import annotations

import asyncio
import email.utils
import hashlib
import os
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

__all__ = ["AnswerCache", "CACHED_PREFIXES", "CachedAnswers", "Entry", "StoreVersion"]

#: Paths whose GET answers depend only on the store and the request (a prefix match; "/" alone exactly).
CACHED_PREFIXES: tuple[str, ...] = ("/sparql", "/id/", "/queries", "/search", "/explore", "/ontology", "/conflicts",
                                    "/views/", "/risk", "/editor")
#: What a kept entry costs beyond its key, headers and body (dict slot, tuple, Entry object), roughly.
ENTRY_OVERHEAD = 400
#: Response headers never kept: set afresh per answer by the server, or true of one computation only.
_DROPPED = frozenset({b"date", b"server", b"server-timing", b"etag", b"last-modified"})


# -- the store's version -------------------------------------------------------------------------

class StoreVersion:
    """The version of the store on disk, as a short string: the RocksDB `IDENTITY` file of the store
    folder, a UUID written when a store is created — every `crmgraph build` writes a new store and swaps
    it in, so a new build is a new identity. Re-read only when the file's stat changes (one `os.stat` per
    request, a few microseconds). None while there is no store (between the two renames of a swap)."""

    def __init__(self, store_path: Path) -> None:
        self.file = Path(store_path) / "IDENTITY"
        self._path = str(self.file)  # stat'ed on every request: spare the Path → str conversion each time
        self._stat: tuple | None = None
        self._token: str | None = None
        self._modified: float | None = None
        self.pinned: str | None = None  # the version the server opened (its workers and pages)

    def current(self) -> str | None:
        try:
            st = os.stat(self._path)
        except OSError:
            return None
        stamp = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        if stamp != self._stat:
            try:
                text = self.file.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                return None
            self._stat, self._token, self._modified = stamp, f"{text}@{st.st_mtime_ns}", st.st_mtime
        return self._token

    def pin(self) -> str | None:
        """The server (re)opened the store on disk now: its answers are of this version."""
        self.pinned = self.current()
        return self.pinned

    @property
    def modified(self) -> float | None:
        """When the store was written (a POSIX time), as of the last `current()`."""
        return self._modified

    @property
    def last_modified(self) -> str | None:
        """When the store was written, as an HTTP date (for Last-Modified)."""
        return None if self._modified is None else email.utils.formatdate(self._modified, usegmt=True)


# -- the LRU -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """A kept answer: its headers as sent (ETag and Last-Modified included), its body, its size in bytes."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes
    last_modified: float | None
    size: int


class AnswerCache:
    """Whole answers by key, least recently used dropped first, at most `max_bytes` in all (keys, headers,
    bodies and a fixed overhead per entry); an answer over `max_entry_bytes` is not kept at all.
    Used from the event loop only (no lock)."""

    def __init__(self, max_bytes: int = 64 * 2**20, max_entry_bytes: int | None = None) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be at least 0, got {max_bytes!r}")
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 4 if max_entry_bytes is None else max_entry_bytes
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self.bytes = 0
        self.hits = self.misses = self.evictions = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: tuple, entry: Entry) -> bool:
        """Keep `entry` (False if it is too big to keep); older entries go until the total fits."""
        size = entry.size + _key_size(key)
        if size > self.max_entry_bytes or size > self.max_bytes:
            return False
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size + _key_size(key)
        self._entries[key] = entry
        self.bytes += size
        while self.bytes > self.max_bytes:
            dropped_key, dropped = self._entries.popitem(last=False)
            self.bytes -= dropped.size + _key_size(dropped_key)
            self.evictions += 1
        return True

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0

    def stats(self) -> dict:
        return {"entries": len(self._entries), "bytes": self.bytes, "max_bytes": self.max_bytes,
                "hits": self.hits, "misses": self.misses, "evictions": self.evictions}


def _key_size(key: tuple) -> int:
    return sum(len(part) if isinstance(part, (bytes, str)) else 8 for part in key)


def make_entry(headers: list[tuple[bytes, bytes]], body: bytes, last_modified: float | None,
               last_modified_http: str | None) -> Entry:
    """An entry from an answer's headers and body: ETag from the body and its media type; Last-Modified
    from the store; `Cache-Control: no-cache` unless the route set its own."""
    kept = [(k, v) for k, v in headers if k.lower() not in _DROPPED]
    ctype = next((v for k, v in kept if k.lower() == b"content-type"), b"")
    etag = b'"' + hashlib.blake2b(ctype + b"\n" + body, digest_size=12).hexdigest().encode() + b'"'
    kept.append((b"etag", etag))
    if last_modified_http:
        kept.append((b"last-modified", last_modified_http.encode()))
    if not any(k.lower() == b"cache-control" for k, _ in kept):
        kept.append((b"cache-control", b"no-cache"))
    size = len(body) + sum(len(k) + len(v) for k, v in kept) + ENTRY_OVERHEAD
    return Entry(tuple(kept), body, etag, last_modified, size)


# -- the middleware ------------------------------------------------------------------------------

_HIT = ((b"x-crmgraph-cache", b"hit"), (b"server-timing", b'cache;desc="hit"'))
_MISS = ((b"x-crmgraph-cache", b"miss"),)
#: Headers a 304 repeats (RFC 9110 §15.4.5: those a 200 would have sent that describe the representation's validators and caching).
_NOT_MODIFIED_HEADERS = frozenset({b"etag", b"last-modified", b"cache-control", b"vary", b"content-location", b"expires"})


def cacheable_path(path: str) -> bool:
    return path == "/" or path.startswith(CACHED_PREFIXES)


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    """RFC 9110 §13.1.2 weak comparison: `*` or any listed tag equal to ours, W/ prefixes ignored."""
    if if_none_match.strip() == b"*":
        return True
    ours = etag.removeprefix(b"W/")
    return any(tag.strip().removeprefix(b"W/") == ours for tag in if_none_match.split(b","))


def _not_modified_since(if_modified_since: bytes, last_modified: float | None) -> bool:
    if last_modified is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since.decode("latin-1"))
    except (TypeError, ValueError, IndexError):
        return False
    return since is not None and since.timestamp() >= int(last_modified)


class CachedAnswers:
    """ASGI middleware putting an `AnswerCache` in front of the whole app (see the module docstring)."""

    def __init__(self, app, cache: AnswerCache, version: StoreVersion, wait_s: float = 15.0) -> None:
        self.app = app
        self.cache = cache
        self.version = version
        self.wait_s = wait_s
        self._pending: dict[tuple, asyncio.Event] = {}
        self._seen: str | None = None  # the version the entries belong to

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or not cacheable_path(scope["path"]) \
                or not self.cache.max_bytes:
            return await self.app(scope, receive, send)
        version = self.version.current()
        if self.version.pinned is None and version is not None:
            self.version.pinned = version  # served without a lifespan (tests): the store of the first request
        if version != self._seen:  # a new store on disk: what was kept is of another version
            self.cache.clear()
            self._seen = version
        if version is None or version != self.version.pinned:
            return await self.app(scope, receive, send)  # the server still holds another store than the disk's
        accept = host = if_none_match = if_modified_since = accept_encoding = b""
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value
            elif name == b"accept-encoding":
                accept_encoding = value
            elif name == b"host":
                host = value
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"if-modified-since":
                if_modified_since = value
        key = (version, scope.get("scheme", "http"), host, scope.get("root_path", ""), scope["path"],
               scope["query_string"], accept, accepts_gzip(accept_encoding.decode("latin-1")))
        head = scope["method"] == "HEAD"
        entry = self.cache.get(key)
        if entry is None and key in self._pending:  # someone is computing this very answer: wait for it
            try:
                await asyncio.wait_for(self._pending[key].wait(), self.wait_s)
            except asyncio.TimeoutError:
                pass
            entry = self.cache.get(key)
        if entry is not None:
            return await self._answer(send, entry, _HIT, if_none_match, if_modified_since, head)
        if head:
            return await self.app(scope, receive, send)
        leader = key not in self._pending
        if leader:
            done = self._pending[key] = asyncio.Event()
        try:
            await self.app(scope, receive, self._keeper(send, key, if_none_match, if_modified_since))
        finally:
            if leader:
                del self._pending[key]
                done.set()

    def _keeper(self, send, key: tuple, if_none_match: bytes, if_modified_since: bytes):
        """A `send` that passes the answer on, keeping it first if it may be kept (then with its ETag)."""
        state: dict = {}
        limit = self.cache.max_entry_bytes

        async def keep(message) -> None:
            if "through" in state:
                return await send(message)
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                length = next((v for k, v in headers if k.lower() == b"content-length"), None)
                if (message["status"] != 200 or length is None or not length.isdigit() or int(length) > limit
                        or any(k.lower() == b"set-cookie" or (k.lower() == b"cache-control" and b"no-store" in v.lower())
                               for k, v in headers)):
                    state["through"] = True
                    return await send(message)
                state["start"], state["body"] = message, bytearray()
                return
            if message["type"] != "http.response.body":  # an extension (e.g. pathsend): not a body we can keep
                state["through"] = True
                if "start" in state:
                    await send(state.pop("start"))
                return await send(message)
            state["body"] += message.get("body", b"")
            if message.get("more_body"):
                return
            start = state["start"]
            entry = make_entry(list(start.get("headers", [])), bytes(state["body"]), self.version.modified,
                               self.version.last_modified)
            if key[0] == self.version.current() == self.version.pinned:  # still the version it was computed on
                self.cache.put(key, entry)
            state["through"] = True
            timing = tuple((k, v) for k, v in start.get("headers", []) if k.lower() == b"server-timing")
            await self._answer(send, entry, _MISS + timing, if_none_match, if_modified_since, False)

        return keep

    @staticmethod
    async def _answer(send, entry: Entry, how: tuple, if_none_match: bytes, if_modified_since: bytes, head: bool) -> None:
        if (_matches(if_none_match, entry.etag) if if_none_match
                else if_modified_since and _not_modified_since(if_modified_since, entry.last_modified)):
            headers = [(k, v) for k, v in entry.headers if k.lower() in _NOT_MODIFIED_HEADERS] + list(how)
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            return await send({"type": "http.response.body", "body": b""})
        await send({"type": "http.response.start", "status": 200, "headers": list(entry.headers) + list(how)})
        await send({"type": "http.response.body", "body": b"" if head else entry.body})


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (`gzip` or `*`, without q=0): what the explorer's
    routes decide their encoding by, and so what the cache keys their answers by."""
    for item in accept_encoding.lower().split(","):
        name, _, params = item.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return not params.strip().startswith("q=") or float(q) > 0
            except ValueError:
                return True
    return False
