"""Data in and out of the store as files: importers of outside datasets (USGS MCS 2025 world data, EC 2023
CRM study tables); the release folder (export), its description (DCAT-AP + VoID), canonical serialisations,
CSV tables, and the difference between two releases or stores (diff)."""
