"""crmgraph: a sourced knowledge graph of the EU's critical raw materials and its partnerships
with Central Asia, with a SPARQL query layer.

The library is the core (`crmgraph.open`, `crmgraph.build`); `crmgraph.cli` is a thin shell over it.
The public names are imported when first used (PEP 562): `import crmgraph` stays cheap, and
`crmgraph build` does not load the query layer it never uses.
"""
__version__ = "0.1.0"

__all__ = ["KnowledgeGraph", "__version__", "build", "iri", "open"]

_LAZY = {"KnowledgeGraph": "crmgraph.query.api", "iri": "crmgraph.query.api", "open": "crmgraph.query.api",
         "build": "crmgraph.knowledge.build"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # once
        return value
    raise AttributeError(f"module 'crmgraph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
