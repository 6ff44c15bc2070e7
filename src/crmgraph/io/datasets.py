"""The outside datasets crmgraph imports, described once: what they are, who published them, under
which licence, and the SHA-256 of every file as its README records it.

Why checksums: the copies in `data/` are byte-for-byte copies of published files; a changed byte
(an editor re-saving a cp1252 file as UTF-8, a truncated download) would change figures silently.
`verify` reads each file, compares its digest with the one recorded here (and in the dataset's
README) and refuses to import on a mismatch.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import DatasetError, Problem
from ..namespaces import GRAPH_IMPORT_PREFIX, SOURCE


@dataclass(frozen=True)
class Dataset:
    key: str  # also the source key (src:KEY) and the named graph (graph:import/KEY)
    folder: str  # under data/
    title: str
    publisher: str
    creator: str
    doi: str | None
    url: str
    version: str
    licence: str
    licence_url: str
    citation: str
    files: dict[str, str]  # file name → sha256
    kind: str = "Statistics"  # crm:SourceKind of the dataset
    issued: str | None = None  # xsd:date or xsd:gYear, as the README gives it: readers' citations show its year

    @property
    def source_iri(self) -> str:
        return SOURCE + self.key

    @property
    def graph(self) -> str:
        return GRAPH_IMPORT_PREFIX + self.key


USGS_MCS2025 = Dataset(
    key="usgs-mcs2025-world",
    folder="usgs-mcs2025-world",
    title="U.S. Geological Survey Mineral Commodity Summaries 2025 Data Release: World Production, Capacity, and Reserves",
    publisher="U.S. Geological Survey (USGS)",
    creator="National Minerals Information Center",
    doi="10.5066/P13XCP3R",
    url="https://doi.org/10.5066/P13XCP3R",
    version="MCS 2025 data release, published 2025-01-31 (CSV dated 2025-01-29)",
    licence="U.S. Government work, public domain in the U.S. (USGS data policy)",
    licence_url="https://www.usgs.gov/faqs/are-usgs-reportspublications-copyrighted",
    citation=("National Minerals Information Center, 2025, U.S. Geological Survey Mineral Commodity Summaries 2025 "
              "Data Release (ver. 2.0, April 2025): U.S. Geological Survey data release, https://doi.org/10.5066/P13XCP3R"),
    files={"MCS2025_World_Data.csv": "4cf9adcc5add0f2271b073569635e49adc51392326ac5225bb9d644b1bb11e28"},
    issued="2025-01-31",  # data/usgs-mcs2025-world/README.md "Version / date"
)

EU_CRM_2023 = Dataset(
    key="eu-crm-study-2023",
    folder="eu-crm-2023",
    title="Study on the critical raw materials for the EU 2023 – Final Report (tables of Annex 4 and Appendices 6–7, "
          "transcribed to CSV)",
    publisher="European Commission (DG GROW)",  # the transcriber is named in `creator` and `citation`
    creator="European Commission (study); Erik Emilsson (CSV extraction, GitHub erikemilsson/"
            "EU-Critical-Raw-Materials-CRM-Reports-Datasets, commit 59383504ead25f91fe9c197a1e660f4813684f17)",
    doi=None,
    url="https://op.europa.eu/en/publication-detail/-/publication/57318397-fdd4-11ed-a05c-01aa75ed71a1",
    version="2023 CRM assessment; extraction commits of 2024-12-02",
    licence="CC BY 4.0 (the transcription); the EC report may be reproduced with acknowledgement (Decision 2011/833/EU)",
    licence_url="https://creativecommons.org/licenses/by/4.0/",
    citation=("European Commission, Study on the critical raw materials for the EU 2023 – Final Report, Publications "
              "Office, 2023; tables transcribed by E. Emilsson (CC BY 4.0)"),
    files={
        "dimension_CRMsOverTime.csv": "7dbcb284a429647effa3a4a737474f0c655c14b4eaecf79f22326ef0a02d774a",
        "fact_EUSupplyShares&t.csv": "b0c89120d99204ba85c74b151d6136acfea89bdce8629ef0b4dc66c67061e9b7",
        "fact_GlobalSupplyShares&t.csv": "7d06ae6b154933f53882c40f0c8af68d54c8c5e24a5121ed286eaf9208144fc8",
    },
    kind="Compilation",
    issued="2023",  # data/eu-crm-2023/README.md: "the report is dated 2023"
)

DATASETS: dict[str, Dataset] = {"usgs-mcs": USGS_MCS2025, "eu-crm-study": EU_CRM_2023}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(dataset: Dataset, folder: Path) -> dict[str, str]:
    """Check every file of the dataset in `folder`; return name → sha256. Raises DatasetError
    listing each missing file and each checksum that differs from the recorded one."""
    problems: list[Problem] = []
    digests: dict[str, str] = {}
    for name, expected in dataset.files.items():
        path = folder / name
        if not path.is_file():
            problems.append(Problem(f"missing file of dataset {dataset.key}", file=str(path),
                                    hint=f"copy {name} of the dataset into {folder} (see data/{dataset.folder}/README.md)"))
            continue
        digest = sha256_of(path)
        if digest != expected:
            problems.append(Problem(f"sha256 is {digest}, the dataset's README records {expected}", file=str(path),
                                    hint="the file was changed or is another version: restore the published bytes"))
        digests[name] = digest
    if problems:
        raise DatasetError(problems)
    return digests
