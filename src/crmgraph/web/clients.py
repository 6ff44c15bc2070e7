"""Who is asking, and since when: the client a request comes from and the moment it arrived, for the
query pool's fair queue and time budget.

    ClientIdentity(app, trust_forwarded=False)   ASGI middleware, outermost: sets both for each request
    current_client                               a context variable the pool reads (web/sandbox.py)
    request_arrival                              time.monotonic() when the request reached the server

A client is its peer address (the TCP connection's source). Behind a reverse proxy every request comes
from the proxy, so `trust_forwarded` (`crmgraph serve --trust-x-forwarded-for`) takes the address the proxy
appended to `X-Forwarded-For` instead — the last one, the only one the proxy vouches for (a client can put
anything before it). Without the option the header is ignored: any client could otherwise claim to be
many and hold every worker. The variable is copied into the threads that run blocking work
(`run_in_threadpool` copies the context), so every route that reaches the pool is counted against the
client that asked, not only `/sparql`. The arrival is taken before anything else runs (the answer
cache's wait for an identical request in progress included), so a request's time limit counts from it.
"""
from __future__ import annotations

import contextvars
import time

__all__ = ["ClientIdentity", "client_of", "current_client", "request_arrival"]

#: The client of the request being served (None outside a request: the pool then applies no per-client cap).
current_client: contextvars.ContextVar[str | None] = contextvars.ContextVar("crmgraph_client", default=None)
#: When the request being served arrived (time.monotonic; None outside a request).
request_arrival: contextvars.ContextVar[float | None] = contextvars.ContextVar("crmgraph_arrival", default=None)


def client_of(scope: dict, trust_forwarded: bool = False) -> str | None:
    """A request's client: its peer address, or the proxy's last X-Forwarded-For entry if trusted."""
    if trust_forwarded:
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                last = value.decode("latin-1").split(",")[-1].strip()
                if last:
                    return last
    peer = scope.get("client")
    return peer[0] if peer else None


class ClientIdentity:
    """ASGI middleware: each HTTP request runs with `current_client` set to its client and
    `request_arrival` to the moment it arrived."""

    def __init__(self, app, trust_forwarded: bool = False) -> None:
        self.app = app
        self.trust_forwarded = trust_forwarded

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        arrival = request_arrival.set(time.monotonic())
        token = current_client.set(client_of(scope, self.trust_forwarded))
        try:
            await self.app(scope, receive, send)
        finally:
            current_client.reset(token)
            request_arrival.reset(arrival)
