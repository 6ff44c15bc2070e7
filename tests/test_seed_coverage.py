"""docs/seed-coverage.md stays complete and true (issue 9, item 3).

Complete: every sentence of every paragraph of both seeds is listed under its locator, with either what
records it or, after "not recorded:", why nothing does. True: every IRI and triple it names exists in the
built graph and cites that seed at that paragraph, so the page cannot point at something that is gone.
Paragraphs are counted as docs/curation.md says (seed 000's repeated paragraphs once, figure captions not
counted, seed 000's title line is its first section's heading).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
DOC = ROOT / "docs" / "seed-coverage.md"
FILES = {"seed-000": "000_a28395e81eac441b.txt", "seed-002": "002_71f6d81720a9db46.txt"}
FIRST_SECTION = {"seed-000": "Critical Raw Materials and the European Union", "seed-002": "Introduction"}
HEADINGS = {"seed-000": {"EU and Central Asia", "Kazakhstan", "Uzbekistan", "Tajikistan", "Conclusion: Charting the Road Ahead"},
            "seed-002": {"A Strategic Region", "Connectivity and the Middle Corridor", "A Critical Minerals Pivot",
                         "Sustainable Development and Green Goals", "A Multipolar Opening", "About the Author: Michael Rossi"}}
_SENTENCE_END = re.compile(r'(?<=[.!?])\s+(?=[A-Z“"])|(?<=[.!?][”"])\s+(?=[A-Z“"])')
PREFIXES = {"crm": "https://w3id.org/crmgraph/ontology#", **{k: f"https://w3id.org/crmgraph/id/{v}/" for k, v in {
    "country": "country", "region": "region", "union": "union", "mat": "material", "list": "list", "inst": "instrument",
    "event": "event", "org": "org", "person": "person", "place": "place", "site": "site", "fig": "figure", "claim": "claim",
    "sector": "sector", "app": "application", "risk": "challenge", "infra": "infrastructure", "measure": "measure"}.items()}}


def paragraphs(key: str) -> list[tuple[str, int, str]]:
    """(section, paragraph number within it, text) in reading order."""
    lines = [line.strip() for line in (SEEDS / FILES[key]).read_text(encoding="utf-8").splitlines()]
    section, out, seen = FIRST_SECTION[key], [], set()
    for i, line in enumerate(lines):
        if not line or (key == "seed-000" and i == 0):
            continue
        if line in HEADINGS[key]:
            section = line
            continue
        if re.match(r"Figure \d+:", line) or line.startswith("Image:") or line in seen:
            continue
        seen.add(line)
        out.append((section, sum(1 for s, _, _ in out if s == section) + 1, line))
    return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def documented() -> dict[str, dict[str, str]]:
    """Locator → {sentence → what follows the arrow}, per seed (the doc's ## headings name the seed)."""
    doc: dict[str, dict[str, dict[str, str]]] = {}
    seed = loc = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## Seed "):
            seed = "seed-" + line.split()[2]
        elif line.startswith("#### "):
            loc = line[5:].strip()
            doc.setdefault(seed, {}).setdefault(loc, {})
        elif line.startswith("- “") and "” → " in line:
            sentence, _, rest = line[3:].partition("” → ")
            doc[seed][loc][sentence] = rest
    return doc


def _iri(token: str) -> str:
    prefix, _, local = token.partition(":")
    assert prefix in PREFIXES, f"unknown prefix in {token!r}"
    return "<" + PREFIXES[prefix] + local + ">"


def test_the_seeds_have_the_paragraphs_the_locators_count():
    assert [len(paragraphs(k)) for k in FILES] == [25, 25]
    assert ("Kazakhstan", 4) in {(s, n) for s, n, _ in paragraphs("seed-000")}
    assert sum(len(sentences(t)) for _, _, t in paragraphs("seed-002")) == 66


@pytest.mark.parametrize("key", FILES)
def test_every_sentence_of_every_paragraph_is_listed_with_a_record_or_a_reason(key):
    doc = documented()[key]
    for section, n, text in paragraphs(key):
        loc = f"{section} ¶{n}"
        assert loc in doc, f"docs/seed-coverage.md has no heading '#### {loc}'"
        listed = doc[loc]
        for sentence in sentences(text):
            assert sentence in listed, f"{loc}: sentence not listed: {sentence[:80]}…"
            rest = listed[sentence]
            assert re.fullmatch(r"(`[^`]+`(, `[^`]+`)*|not recorded: \S.{4,})", rest), f"{loc}: neither IRIs nor a reason: {rest[:80]}"
        assert set(listed) == set(sentences(text)), f"{loc}: lists sentences the seed does not have"


def test_the_totals_count_what_is_listed():
    text = DOC.read_text(encoding="utf-8")
    for key, counts in documented().items():
        rows = [r for para in counts.values() for r in para.values()]
        recorded = sum(not r.startswith("not recorded") for r in rows)
        assert f"| `src:{key}` | {len(counts)} | {len(rows)} | {recorded} | {len(rows) - recorded} |" in text


@pytest.fixture(scope="module")
def ask(store):
    def run(pattern: str) -> bool:
        prefixes = "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
        return bool(store.query(prefixes + f"ASK {{ GRAPH <https://w3id.org/crmgraph/graph/asserted> {{ {pattern} }} }}"))
    return run


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("key", FILES)
def test_every_named_iri_or_triple_exists_and_cites_that_paragraph(key, ask):
    source = f"<https://w3id.org/crmgraph/id/source/{key}>"
    checked = 0
    for loc, listed in documented()[key].items():
        ref = f"prov:wasDerivedFrom [ <{PREFIXES['crm']}source> {source} ; <{PREFIXES['crm']}locator> {_quoted(loc)} ]"
        for rest in listed.values():
            for named in re.findall(r"`([^`]+)`", rest):
                terms = [_iri(t) for t in named.split()]
                if len(terms) == 1:
                    pattern = f"{terms[0]} {ref}"
                else:
                    obj = terms[2] if len(terms) == 3 else "?o"
                    pattern = f"?a rdf:subject {terms[0]} ; rdf:predicate {terms[1]} ; rdf:object {obj} ; {ref}"
                assert ask(pattern), f"{named} (named under {loc}) is not in the graph with a reference to {key} at {loc!r}"
                checked += 1
    assert checked > 100
