"""The web layer: a thin FastAPI app over the library (`create_app`), its routes in one table.

    web/app.py      the app factory, the routes table, the HTTP error renderer, binding a socket
    web/sparql.py   the SPARQL 1.1 Protocol endpoint at /sparql and its service description
    web/entities.py resolvable IRIs: entity pages (/id/…) and the ontology (/ontology), HTML + JSON + RDF
    web/queries.py  named-query pages (/queries, /queries/NAME) with CSV and JSON twins
    web/html.py     shared HTML helpers: escaping, inline CSS, links to IRIs

Queries from the web run in the worker processes of `crmgraph.web.sandbox.QueryPool` (read-only,
time limit, row cap); nothing is opened or started at import time.
"""
from .app import ROUTES, Route, bind, create_app, make_server

__all__ = ["ROUTES", "Route", "bind", "create_app", "make_server"]
