"""Where the project's files and the default store are: one typed settings object."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def find_project_root(start: Path | None = None) -> Path:
    """The folder holding `ontology/` and `graph/`: $CRMGRAPH_HOME, else the nearest parent of the
    working directory that has both, else the checkout this package was installed from."""
    env = os.environ.get("CRMGRAPH_HOME")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "ontology").is_dir() and (folder / "graph").is_dir():
            return folder
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    root: Path

    @classmethod
    def discover(cls) -> "Settings":
        return cls(root=find_project_root())

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def graph_dir(self) -> Path:
        return self.root / "graph"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def data_dir(self) -> Path:
        """`data/`: copies of the outside datasets the importers read (USGS MCS 2025, EC CRM study 2023)."""
        return self.root / "data"

    @property
    def web_assets_dir(self) -> Path:
        """`web-assets/`: the npm packages the portal serves (YASGUI), installed by `make install`."""
        return self.root / "web-assets"

    @property
    def default_store(self) -> Path:
        """$CRMGRAPH_STORE, else `var/store` inside the project."""
        env = os.environ.get("CRMGRAPH_STORE")
        return Path(os.path.abspath(env)) if env else self.root / "var" / "store"  # not resolve(): var/store is a link

    @property
    def cache_dir(self) -> Path:
        """$CRMGRAPH_CACHE, else `var/cache` inside the project: what a build may re-use (HermiT's answers, the imported graphs)."""
        env = os.environ.get("CRMGRAPH_CACHE")
        return Path(env).resolve() if env else self.root / "var" / "cache"

    @property
    def release_dir(self) -> Path:
        """Where `crmgraph export` writes the release and the portal serves its downloads: $CRMGRAPH_RELEASE,
        else `var/release` inside the project."""
        env = os.environ.get("CRMGRAPH_RELEASE")
        return Path(env).resolve() if env else self.root / "var" / "release"

    @property
    def changes_file(self) -> Path:
        """CHANGES.md: the dataset's versions (the first heading is the current one)."""
        return self.root / "CHANGES.md"
