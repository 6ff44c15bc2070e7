"""Finding entities by what people type: labels, aliases, ISO codes, slugs — case- and accent-blind.

One index of every labelled IRI of the store (its English/untagged `skos:prefLabel`, `skos:altLabel`s,
`rdfs:label`, ISO 3166 codes, source keys and titles, and the slug of its IRI) serves two needs:

- **parameter resolution** (`resolve`): `Kazakhstan`, `kz`, `KZ`, `country:KZ` all mean `country:KZ`;
  `rare earths` means `mat:rare-earth-elements`; `2011` for a list means the 2011 edition. A value
  that matches nothing is an error naming the closest matches, raised before any query runs, so a typo
  can never come back as a plausible empty answer.
- **search** (`search`): the box on every page and its suggestions, ranked exact > prefix > word
  prefix > substring, countries and materials first.

Matching compares `normalise(text)`: Unicode NFKD with combining marks dropped ("Türkiye" →
"turkiye"), case-folded, hyphens/underscores/punctuation as spaces. The index is built by one query
(a few tens of ms on the curated graph) and kept by its owner (the web app, a `KnowledgeGraph`).
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import QueryError
from ..namespaces import CRM, DCTERMS, ID, PREFIXES, RDFS, SKOS, compact

#: Properties whose values name an entity, and how strongly (lower = the entity's own name).
NAME_PROPERTIES = {
    SKOS + "prefLabel": 0,
    RDFS + "label": 0,
    CRM + "sourceKey": 0,
    CRM + "iso3166Alpha2": 1,
    CRM + "iso3166Alpha3": 1,
    SKOS + "altLabel": 1,
    DCTERMS + "title": 2,
}
#: Which name is an entity's label, best first (a source is shown by its title, not its key).
LABEL_ORDER = (SKOS + "prefLabel", RDFS + "label", DCTERMS + "title", CRM + "sourceKey", SKOS + "altLabel",
               CRM + "iso3166Alpha2", CRM + "iso3166Alpha3")
#: Kinds listed first in search results (what readers look for), then the others alphabetically.
KIND_ORDER = ("country", "material", "instrument", "org", "list", "site", "source", "region", "union")
#: Kinds that are plumbing, not things: not offered by search (their pages still exist).
HIDDEN_KINDS = frozenset({"assertion", "entry", "figure", "claim", "statement", "reference"})

_INDEX_QUERY = """SELECT ?x ?p ?l WHERE {
  VALUES ?p { %s }
  ?x ?p ?l . FILTER(isIRI(?x) && (LANG(?l) = "" || LANGMATCHES(LANG(?l), "en")))
}""" % " ".join(f"<{p}>" for p in NAME_PROPERTIES)


def normalise(text: str) -> str:
    """Text as compared: accents dropped, case folded, punctuation as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+|_", " ", plain).split())


def kind_of(iri: str) -> str:
    """The kind of an entity from its IRI (`…/id/country/KZ` → "country"); "term" for ontology terms."""
    if iri.startswith(ID):
        return iri[len(ID):].split("/", 1)[0]
    return "term"


@dataclass
class Entity:
    """One labelled IRI: its display label and every name it can be found by."""

    iri: str
    kind: str
    label: str
    names: dict[str, int] = field(default_factory=dict)  # normalised name → strength (0 own name … 2 title)
    aliases: list[str] = field(default_factory=list)     # names as written, other than the label

    @property
    def slug(self) -> str:
        return self.iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def as_json(self) -> dict:
        from ..namespaces import local_path

        return {"iri": self.iri, "kind": self.kind, "label": self.label, "path": local_path(self.iri),
                "aliases": self.aliases}


@dataclass(frozen=True)
class Match:
    entity: Entity
    score: int           # lower is better
    matched: str         # the name that matched, as written


class EntityIndex:
    """Every labelled IRI of a store, findable by any of its names."""

    def __init__(self, entities: dict[str, Entity], store=None) -> None:
        self.entities = entities
        self.store = store  # to check an IRI that has no label (a figure, a claim) exists
        self._by_name: dict[str, list[Entity]] = {}
        self._written: dict[tuple[str, str], str] = {}  # (iri, normalised) → as written
        for e in entities.values():
            for name in e.names:
                self._by_name.setdefault(name, []).append(e)

    @classmethod
    def load(cls, store) -> "EntityIndex":
        """One query over the store: labels, aliases, codes, keys and titles of every IRI."""
        entities: dict[str, Entity] = {}
        written: dict[tuple[str, str], str] = {}
        rows = sorted(((s["x"].value, s["p"].value, s["l"].value) for s in store.query(_INDEX_QUERY)),
                      key=lambda r: (r[0], LABEL_ORDER.index(r[1]), r[2]))
        for iri, prop, text in rows:
            strength = NAME_PROPERTIES[prop]
            e = entities.get(iri)
            if e is None:
                e = entities[iri] = Entity(iri, kind_of(iri), text)
            name = normalise(text)
            if name and (name not in e.names or e.names[name] > strength):
                e.names[name] = strength
                written[(iri, name)] = text
            if text != e.label and text not in e.aliases:
                e.aliases.append(text)
        for e in entities.values():  # the slug of the IRI names it too (KZ, antimony, eu-crm-2011)
            slug = normalise(e.slug)
            if slug and slug not in e.names:
                e.names[slug] = 1
                written[(e.iri, slug)] = e.slug
        index = cls(entities, store)
        index._written = written
        return index

    # -- resolution ------------------------------------------------------------------------------

    def get(self, iri: str) -> Entity | None:
        return self.entities.get(iri)

    def candidates(self, text: str, kind: str | None = None) -> list[Entity]:
        """Entities (of `kind`, if given) with a name equal to `text` once normalised, best names first."""
        found = self._by_name.get(normalise(text), [])
        found = [e for e in found if kind is None or e.kind == kind]
        return sorted(found, key=lambda e: (e.names[normalise(text)], e.iri))

    def closest(self, text: str, kind: str | None = None, n: int = 5) -> list[Entity]:
        """The entities whose names look most like `text` (for "did you mean")."""
        pool = {name: es for name, es in self._by_name.items()
                if any(kind is None or e.kind == kind for e in es)}
        out: list[Entity] = []
        for m in self.search(text, kinds=(kind,) if kind else None, limit=n):
            out.append(m.entity)
        for name in difflib.get_close_matches(normalise(text), list(pool), n=n * 2, cutoff=0.6):
            for e in pool[name]:
                if (kind is None or e.kind == kind) and e not in out:
                    out.append(e)
        return out[:n]

    def resolve(self, text: str, kind: str | None = None) -> Entity:
        """The one entity `text` names (an IRI, a prefixed name, a slug, a label, an alias, an ISO code),
        of the given kind if any; QueryError with the closest matches if none or several do."""
        value = text.strip()
        iri = expand(value)
        if iri is not None:
            e = self.entities.get(iri)
            if e is not None and (kind is None or e.kind == kind):
                return e
            if e is None and kind in (None, kind_of(iri)) and self._exists(iri):
                return Entity(iri, kind_of(iri), compact(iri))
        found = self.candidates(value, kind)
        if kind is None and any(e.kind not in HIDDEN_KINDS for e in found):
            found = [e for e in found if e.kind not in HIDDEN_KINDS]
        if kind == "list" and re.fullmatch(r"\d{4}", value):  # 2011 → the 2011 edition of the CRM list
            found = sorted((e for e in self.entities.values() if e.kind == "list" and e.slug.endswith("-" + value)),
                           key=lambda e: (not e.slug.startswith("eu-crm-"), e.slug))[:1]
        best = [e for e in found if e.names.get(normalise(value), 0) == min(
            (x.names.get(normalise(value), 0) for x in found), default=0)]
        if len(best) == 1:
            return best[0]
        what_kind = f"{kind} " if kind else ""
        if len(best) > 1:
            raise QueryError(f"{value!r} names several {what_kind}entities: "
                             + "; ".join(describe(e) for e in best[:8]),
                             hint="give the identifier, e.g. " + compact(best[0].iri))
        close = self.closest(value, kind)
        raise QueryError(f"no {what_kind or 'entity '}called {value!r} in the graph",
                         hint=("closest: " + "; ".join(describe(e) for e in close) if close
                               else "no similar name; search the portal or list them with a query"))

    def _exists(self, iri: str) -> bool:
        if self.store is None:
            return False
        import pyoxigraph as ox

        try:
            s = str(ox.NamedNode(iri))
        except ValueError:  # not an IRI at all: it names nothing
            return False
        return bool(self.store.query(f"ASK {{ {{ {s} ?p ?o }} UNION {{ ?x ?y {s} }} }}"))

    # -- search ----------------------------------------------------------------------------------

    def search(self, text: str, limit: int = 20, kinds: tuple[str, ...] | None = None) -> list[Match]:
        """Entities whose names match `text`: exact, then prefix, then word prefix, then substring (each
        needs every word of the text); countries and materials before other kinds."""
        q = normalise(text)
        if not q:
            return []
        words = q.split()
        best: dict[str, Match] = {}
        for name, entities in self._by_name.items():
            if q == name:
                score = 0
            elif name.startswith(q):
                score = 10
            elif all(any(w.startswith(x) for w in name.split()) for x in words):
                score = 20
            elif q in name:
                score = 30
            else:
                continue
            for e in entities:
                if e.kind in HIDDEN_KINDS or (kinds and e.kind not in kinds):
                    continue
                s = score + e.names[name] * 3
                if e.iri not in best or s < best[e.iri].score:
                    best[e.iri] = Match(e, s, self._written.get((e.iri, name), name))
        order = {k: i for i, k in enumerate(KIND_ORDER)}
        ranked = sorted(best.values(), key=lambda m: (m.score, order.get(m.entity.kind, len(order)),
                                                        len(m.entity.label), m.entity.label))
        return ranked[:limit]


def describe(e: Entity) -> str:
    """`Kazakhstan (country:KZ)`: a label and the identifier to type."""
    return f"{e.label} ({compact(e.iri)})"


def expand(value: str) -> str | None:
    """An IRI from an IRI or a prefixed name (`mat:antimony`); None for anything else."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", value):
        return value
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and re.fullmatch(r"[\w.~-]*", local):
        return PREFIXES[prefix] + local
    return None
