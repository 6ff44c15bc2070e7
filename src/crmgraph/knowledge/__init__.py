"""The knowledge base: reading `graph/` and `ontology/`, curation checks, SHACL, reasoning and the build."""
