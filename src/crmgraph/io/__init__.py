"""Importers of outside datasets (USGS MCS 2025 world data, EC 2023 CRM study tables)."""
