"""crmgraph: a sourced knowledge graph of the EU's critical raw materials and its partnerships
with Central Asia, with a SPARQL query layer.

The library is the core (`crmgraph.open`, `crmgraph.build`); `crmgraph.cli` is a thin shell over it.
"""
__version__ = "0.1.0"

from .query.api import KnowledgeGraph, iri, open  # noqa: E402,A004
from .knowledge.build import build  # noqa: E402

__all__ = ["KnowledgeGraph", "__version__", "build", "iri", "open"]
