"""Asking the graph: named queries and their parameters, answers and their formats, the Python API."""
