"""Data in and out of the store as files: the release folder (export), its description (DCAT-AP + VoID),
canonical serialisations, CSV tables, and the difference between two releases or stores (diff)."""
