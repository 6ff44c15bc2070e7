"""Load tests of `crmgraph serve` on 127.0.0.1, side by side with `oxigraph serve` (issue 13 §2).

    stress/load.py      drive wrk (a C load generator, Debian package `wrk`) over a list of URLs; parse its figures
    stress/mixes.py     the request mixes: the SPARQL mixes (same text to both servers) and the portal mix
    stress/servers.py   start `crmgraph serve` / `oxigraph serve` on a free port of 127.0.0.1; RSS of a server's processes

`benchmarks/serving.py` runs them and prints the figures. Every request goes to 127.0.0.1 only, every run
is bounded in time (wrk `-d`), and every server started here is stopped at the end.
"""
