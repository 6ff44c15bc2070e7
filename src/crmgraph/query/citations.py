"""Citations people can read: a short citation and links for every source, built from graph/sources.ttl.

A source is shown as "publisher or author, short title (year)" — e.g. "EUR-Lex, Regulation (EU)
2024/1252 (Critical Raw Materials Act) (2024)" — linked to its page in the portal, with its URL or DOI
where the register gives one; never as a bare key. A finding's references are shown together as
"citation, locator; citation, locator", with the same source and locator once, and a locator the
curators recorded as "not given" left out (it is no locator). Where a fact reached us through a
compilation ("cited in" the reference fact sheet), that route is kept in the data and shown as a
tooltip, not repeated in the text of every row.

`Citations.load(store)` reads the register with one query; `Reference` is one (source, locator) pair.
Web pages render them with `web.html.cite`; CSV downloads and the CLI with `Citations.text`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from ..namespaces import ID, local_path

#: Locators that say there is none: not printed.
NO_LOCATOR = frozenset({"", "not given", "n/a", "none", "unknown"})
#: Longest short title before it is cut at a word boundary (with "…").
SHORT_TITLE = 60

_QUERY = """SELECT ?s ?key ?title ?publisher ?author ?date ?url ?doi WHERE {
  ?s crm:sourceKey ?key .
  OPTIONAL { ?s dcterms:title ?title }
  OPTIONAL { ?s dcterms:publisher ?publisher }
  OPTIONAL { ?s crm:authorName ?author }
  OPTIONAL { ?s dcterms:issued ?issued } OPTIONAL { ?s dcterms:date ?dated } BIND(COALESCE(?issued, ?dated) AS ?date)
  OPTIONAL { ?s schema:url ?url }
  OPTIONAL { ?s crm:doi ?doi }
}"""


@dataclass
class Source:
    """One source of the register, as a reader sees it."""

    iri: str
    key: str
    title: str = ""
    publisher: str = ""
    author: str = ""
    year: str = ""
    urls: list[str] = field(default_factory=list)
    doi: str = ""

    @cached_property
    def path(self) -> str | None:
        return local_path(self.iri)

    @cached_property
    def link(self) -> str | None:
        """Where the source itself can be read: its DOI, else its first URL."""
        if self.doi:
            return self.doi if self.doi.startswith("http") else "https://doi.org/" + self.doi
        return self.urls[0] if self.urls else None

    @cached_property
    def short(self) -> str:
        """"Publisher, short title (year)" — whichever parts the register gives; the key if it gives none."""
        who = (self.author or self.publisher).split(";")[0].strip()
        if len(who) > 30 and "," in who:  # "European Commission, DG GROW (Publications Office…)" → its first name
            who = who.split(",")[0].strip()
        title = short_title(self.title)
        parts = [p for p in (who, title) if p]
        if who and title and any(name.lower() in title.lower() for name in _names(who)):
            parts = [title]  # "USGS Mineral Commodity Summaries 2025 — …" already says who
        text = ", ".join(parts) or self.key
        return f"{text} ({self.year})" if self.year and self.year not in text else text

    def as_json(self) -> dict:
        return {"iri": self.iri, "key": self.key, "short": self.short, "title": self.title,
                "publisher": self.publisher or None, "author": self.author or None, "year": self.year or None,
                "path": self.path, "link": self.link, "urls": self.urls}


@dataclass(frozen=True)
class Reference:
    """One reference of a finding: a source and where in it (locator), maybe via a compilation."""

    source: str                    # IRI or key
    locator: str | None = None
    cited_in: str | None = None    # IRI or key of the compilation it reached us through
    cited_in_locator: str | None = None


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def short_title(title: str) -> str:
    """The title up to its first clause break ("; ", " — ", ": "…) if that leaves enough, cut at a word."""
    t = normalise_space(title)
    for sep in ("; ", ": ", " ("):
        head = t.split(sep, 1)[0]
        if len(head) >= 12 and head != t:
            t = head
            break
    if len(t) > SHORT_TITLE:
        t = t[:SHORT_TITLE].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return t


def _names(who: str) -> list[str]:
    """A publisher's names: "U.S. Geological Survey (USGS)" → itself, "U.S. Geological Survey", "USGS"."""
    m = re.fullmatch(r"(.*?)\s*\(([^()]+)\)", who.strip())
    return [who.strip(), m.group(1), m.group(2)] if m else [who.strip()]


def has_locator(locator: str | None) -> bool:
    return locator is not None and normalise_space(locator).lower() not in NO_LOCATOR


class Citations:
    """The source register: key or IRI → Source."""

    def __init__(self, sources: dict[str, Source]) -> None:
        self.by_iri = sources
        self.by_key = {s.key: s for s in sources.values()}

    @classmethod
    def load(cls, store) -> "Citations":
        sources: dict[str, Source] = {}
        for row in store.query(_QUERY):
            iri = row["s"].value
            s = sources.get(iri)
            if s is None:
                s = sources[iri] = Source(iri, row["key"].value)
            for attr, var in (("title", "title"), ("publisher", "publisher"), ("author", "author"), ("doi", "doi")):
                if row[var] is not None and not getattr(s, attr):
                    setattr(s, attr, row[var].value)
            if row["date"] is not None and not s.year:
                m = re.match(r"-?\d{4}", row["date"].value)
                s.year = m.group(0) if m else ""
            if row["url"] is not None and row["url"].value not in s.urls:
                s.urls.append(row["url"].value)
        for s in sources.values():
            s.urls.sort()
        return cls(sources)

    def get(self, source: str | None) -> Source | None:
        """A source by IRI, key, or `src:` prefixed name; None if unknown."""
        if not source:
            return None
        if source in self.by_iri:
            return self.by_iri[source]
        if source.startswith("src:"):
            source = source[4:]
        return self.by_key.get(source) or self.by_iri.get(ID + "source/" + source)

    def grouped(self, refs: list[Reference]) -> list[tuple[Source | None, str, list[str], Reference]]:
        """References of one finding, one entry per source (in first-seen order): (source, key, its
        locators without duplicates and without "not given", the first reference)."""
        out: dict[str, tuple[Source | None, str, list[str], Reference]] = {}
        for ref in refs:
            src = self.get(ref.source)
            key = src.iri if src else str(ref.source)
            entry = out.setdefault(key, (src, src.key if src else str(ref.source), [], ref))
            loc = normalise_space(ref.locator or "")
            if has_locator(loc) and loc not in entry[2] and not (src and loc.lower() in src.short.lower()):
                entry[2].append(loc)
        return list(out.values())

    def text(self, refs: list[Reference]) -> str:
        """Plain text: "EUR-Lex, Regulation … (2024), Annex II; USGS, … (2025)"."""
        parts = []
        for src, key, locators, _ in self.grouped(refs):
            parts.append(", ".join([src.short if src else key, *locators]))
        return "; ".join(parts)
