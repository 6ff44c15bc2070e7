"""Stores behind one interface: the embedded Oxigraph store, a remote SPARQL 1.1 server, local test servers."""
