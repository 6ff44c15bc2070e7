"""crmgraph: a sourced knowledge graph of the EU's critical raw materials and its partnerships
with Central Asia, with a SPARQL query layer.

The library is the core; `crmgraph.cli` is a thin shell over it.
"""
__version__ = "0.1.0"
__all__ = ["__version__"]
