"""Running the importers: each dataset into its own named graph (`graph:import/KEY`), replacing
whatever an earlier import put there — a re-import never duplicates.

`import_all` is what `crmgraph build` calls (both datasets from `data/`); `import_into_store` is
`crmgraph import KIND PATH` on an existing store.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import DatasetError, Problem
from ..settings import Settings
from .datasets import DATASETS, Dataset
from .eucrm import import_eu_crm
from .records import ImportReport
from .usgs import import_usgs

IMPORTERS = {"usgs-mcs": import_usgs, "eu-crm-study": import_eu_crm}


def dataset_folder(kind: str, path: Path) -> Path:
    """A dataset's folder from a path to the folder or to one of its files."""
    return path.parent if path.is_file() else path


def run_import(kind: str, path: Path, known_countries: set[str] | frozenset[str] = frozenset()) -> tuple[Dataset, list, ImportReport]:
    if kind not in IMPORTERS:
        raise DatasetError([Problem(f"unknown dataset kind {kind!r}", hint=f"use one of: {', '.join(IMPORTERS)}")])
    triples, report = IMPORTERS[kind](dataset_folder(kind, path), known_countries)
    return DATASETS[kind], triples, report


def import_all(settings: Settings, known_countries: set[str] | frozenset[str] = frozenset()) -> list[tuple[Dataset, list, ImportReport]]:
    """Both datasets from the project's `data/` (skipped, with no error, if `data/` is absent)."""
    out = []
    for kind, dataset in DATASETS.items():
        folder = settings.data_dir / dataset.folder
        if folder.is_dir():
            out.append(run_import(kind, folder, known_countries))
    return out


def import_into_store(store, kind: str, path: Path, known_countries: set[str] | frozenset[str] = frozenset()) -> ImportReport:
    """Import one dataset into an existing store, replacing its named graph."""
    dataset, triples, report = run_import(kind, path, known_countries)
    store.replace_graph(dataset.graph, triples)
    return report
