"""Does /explore paint within 300 ms on a server's first visit, and how many bytes does the explorer send?

    .venv/bin/python benchmarks/explorer_first_visit.py [--repeat 3] [--store var/store]

Each run starts a fresh `crmgraph serve --port 0` on 127.0.0.1 (the built store; the explorer's and the
factsheets' warm-up start with it, as in production), waits until `/health` says ok (the server takes
requests: its workers and store are open; the warm-up is still running) and at once opens /explore in
Debian's Chromium (Playwright, 1400x900, every request to another host refused). Measured in the page:
first contentful paint (`performance` paint timing, from the navigation start) — what a visitor sees first
(the page's frame and its "loading" note) — and the explorer's `readyMs` (the network drawn, every node
in place). Two cases: the first start after a build (no kept view: the cache folder is empty) and a
restart (the whole graph's view kept on disk by the previous run). Then, on the warm server, the bytes of
/explore, /explore.json and a named query's view (`?query=crm-supply-by-country`), without and with
`Accept-Encoding: gzip`.

Baseline, in the same run: the same first visit to `/` (the home page, which needs no network), so the
ratio says how much of the first paint is the explorer's own. Prints medians.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PAINT = """() => { const p = performance.getEntriesByName("first-contentful-paint")[0]; return p ? p.startTime : null; }"""


def serve(store: Path, cache: Path) -> tuple[subprocess.Popen, str]:
    """`crmgraph serve` with its cache folder at `cache`; returns once /health says ok."""
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "crmgraph"), "serve", "--port", "0", "--store", str(store)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "CRMGRAPH_CACHE": str(cache)})
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        match = re.search(r"portal at (http://127\.0\.0\.1:\d+)/", proc.stdout.readline())
        if match:
            url = match.group(1)
            while time.monotonic() < deadline:
                try:
                    if httpx.get(url + "/health", timeout=60).json().get("status") == "ok":
                        return proc, url
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        if proc.poll() is not None:
            break
    proc.kill()
    sys.exit("error: `crmgraph serve` did not start (is the store built? run `crmgraph build`)")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


def first_visit(browser, url: str, path: str, ready: str) -> tuple[float | None, float | None]:
    # bypass_csp: Playwright's wait_for_function evaluates a string, which the pages' CSP forbids
    context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    context.route("**/*", lambda r: r.continue_() if urlsplit(r.request.url).hostname == "127.0.0.1" else r.abort())
    page = context.new_page()
    try:
        page.goto(url + path, wait_until="commit", timeout=120_000)
        page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length > 0",
                               timeout=120_000)
        paint = page.evaluate(PAINT)
        drawn = None
        if ready:
            page.wait_for_function(ready, timeout=120_000)
            drawn = page.evaluate("() => window.crmgraphExplorer.readyMs")
        return paint, drawn
    finally:
        context.close()


def sizes(url: str) -> list[tuple[str, int, int]]:
    out = []
    with httpx.Client(base_url=url, timeout=120) as client:
        for path in ("/explore", "/explore.json", "/explore.json?query=crm-supply-by-country"):
            plain = client.get(path, headers={"Accept-Encoding": "identity"})
            zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
            zipped_bytes = int(zipped.headers.get("content-length") or len(zipped.content))
            out.append((path, len(plain.content), zipped_bytes if zipped.headers.get("content-encoding") == "gzip"
                        else len(zipped.content)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "store")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    runs: dict[str, list[float]] = {"home: first paint": [], "explore, first start: first paint": [],
                                    "explore, first start: network drawn": [], "explore, restart: first paint": [],
                                    "explore, restart: network drawn": []}
    cache = Path(tempfile.mkdtemp(prefix="crmgraph-bench-cache-"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            for _ in range(args.repeat):
                for case in ("first start", "restart"):
                    if case == "first start":
                        shutil.rmtree(cache / "explorer", ignore_errors=True)
                    proc, url = serve(args.store, cache)
                    try:
                        paint, drawn = first_visit(browser, url, "/explore", "document.body.dataset.ready === 'true'")
                        runs[f"explore, {case}: first paint"].append(paint)
                        runs[f"explore, {case}: network drawn"].append(drawn)
                    finally:
                        stop(proc)
                proc, url = serve(args.store, cache)
                try:
                    runs["home: first paint"].append(first_visit(browser, url, "/", "")[0])
                    measured = sizes(url)
                finally:
                    stop(proc)
        finally:
            browser.close()
            shutil.rmtree(cache, ignore_errors=True)
    print(f"first visit once a fresh server answers /health, median of {args.repeat} (ms from navigation start):")
    for name, values in runs.items():
        print(f"  {name:38} {statistics.median(values):8.0f}   (runs: {', '.join(f'{v:.0f}' for v in values)})")
    home = statistics.median(runs["home: first paint"])
    print(f"  explore first paint (first start) / home first paint: "
          f"{statistics.median(runs['explore, first start: first paint']) / home:.2f}")
    print("bytes sent (warm server):           plain      gzip")
    for path, plain, zipped in measured:
        print(f"  {path:42} {plain:>10,} {zipped:>10,}")


if __name__ == "__main__":
    main()
