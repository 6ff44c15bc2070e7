"""The statement layer and the truthy layer (knowledge/statements.py): every fact is reachable through
one statement shape; the direct triples of the truthy layer are only those of accepted facts; the
reasoner never rests on an unverified sentence."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from crmgraph.knowledge.statements import compile_statements
from crmgraph.namespaces import CRM, ID, RDF

N = ox.NamedNode
TYPE, SUBJ, PRED, OBJ = N(RDF + "type"), N(RDF + "subject"), N(RDF + "predicate"), N(RDF + "object")
STATUS, POLARITY = N(CRM + "status"), N(CRM + "polarity")
FALSE = ox.Literal("false", datatype=N("http://www.w3.org/2001/XMLSchema#boolean"))
ONTOLOGY = [ox.Triple(N(CRM + "memberOf"), TYPE, N("http://www.w3.org/2002/07/owl#ObjectProperty"))]
A, B, ERMA, MEMBER = N(ID + "org/a"), N(ID + "org/b"), N(ID + "org/erma"), N(CRM + "memberOf")


def _assertion(name: str, s, status: str) -> list[ox.Triple]:
    node = N(ID + "assertion/" + name)
    return [ox.Triple(node, TYPE, N(CRM + "Assertion")), ox.Triple(node, SUBJ, s), ox.Triple(node, PRED, MEMBER),
            ox.Triple(node, OBJ, ERMA), ox.Triple(node, STATUS, N(CRM + status)), ox.Triple(s, MEMBER, ERMA)]


def _claim(name: str, s, status: str, denied: bool = False) -> list[ox.Triple]:
    node = N(ID + "claim/" + name)
    out = [ox.Triple(node, TYPE, N(CRM + "Claim")), ox.Triple(node, N(CRM + "subject"), s),
           ox.Triple(node, N(CRM + "property"), MEMBER), ox.Triple(node, N(CRM + "object"), ERMA),
           ox.Triple(node, STATUS, N(CRM + status))]
    return out + ([ox.Triple(node, POLARITY, FALSE)] if denied else [])


def _truthy(triples) -> set[str]:
    return {t.subject.value.rsplit("/", 1)[-1] for t in compile_statements(triples, ONTOLOGY).truthy}


# ------------------------------------------------------------------ the rule, on small hand-made inputs

def test_a_verified_direct_triple_is_truthy_and_an_unverified_one_only_a_statement():
    layer = compile_statements(_assertion("1", A, "Verified") + _assertion("2", B, "Unverified"), ONTOLOGY)
    assert {t.subject.value for t in layer.truthy} == {A.value}
    assert not any(t.predicate == MEMBER for t in layer.asserted)  # direct triples leave the asserted graph
    assert [r for _, r in layer.withheld] == ["no accepted statement (Unverified)"]


@pytest.mark.parametrize("status", ["Verified", "SecondHand", "Derived"])
def test_accepted_statuses(status):
    assert _truthy(_assertion("1", A, status)) == {"a"}


def test_one_accepted_source_is_enough_when_nothing_contradicts_or_denies():
    assert _truthy(_assertion("1", A, "Verified") + _claim("2", A, "Unverified")) == {"a"}


def test_a_contradicted_statement_keeps_the_triple_out():
    assert _truthy(_assertion("1", A, "Verified") + _claim("2", A, "Contradicted")) == set()


def test_an_accepted_denial_keeps_the_triple_out_but_a_contradicted_denial_does_not():
    assert _truthy(_assertion("1", A, "Verified") + _claim("2", A, "Verified", denied=True)) == set()
    assert _truthy(_assertion("1", A, "Verified") + _claim("2", A, "Contradicted", denied=True)) == {"a"}


def test_an_accepted_claim_has_its_direct_triple_and_a_free_text_claim_has_none():
    assert _truthy(_claim("1", A, "Verified")) == {"a"}
    node = N(ID + "claim/free")
    text = [ox.Triple(node, TYPE, N(CRM + "Claim")), ox.Triple(node, N(CRM + "subject"), A),
            ox.Triple(node, N(CRM + "property"), N("http://www.w3.org/2000/01/rdf-schema#comment")),
            ox.Triple(node, N(CRM + "value"), ox.Literal("something")), ox.Triple(node, STATUS, N(CRM + "Verified"))]
    assert compile_statements(text, ONTOLOGY).truthy == []


def test_an_assertion_gets_the_common_shape_without_repeating_what_is_written():
    layer = compile_statements(_assertion("1", A, "Verified"), ONTOLOGY)
    node = N(ID + "assertion/1")
    said = {(t.predicate.value.rsplit("#", 1)[-1], str(t.object)) for t in layer.statements if t.subject == node}
    assert said == {("type", f"<{CRM}Statement>"), ("type", f"<{CRM}AcceptedStatement>"), ("subject", f"<{A.value}>"),
                    ("property", f"<{MEMBER.value}>"), ("object", f"<{ERMA.value}>"),
                    ("polarity", '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>')}


# ------------------------------------------------------------------ the real knowledge base

def test_every_statement_has_the_one_shape(select):
    rows = select("""SELECT ?kind (COUNT(DISTINCT ?st) AS ?n) WHERE {
        ?st a crm:Statement ; a ?kind . FILTER(?kind IN (crm:Assertion, crm:Claim, crm:Figure, crm:ListEntry)) } GROUP BY ?kind""")
    assert {r["kind"].rsplit("#", 1)[-1] for r in rows} == {"Assertion", "Claim", "Figure", "ListEntry"}
    broken = select("""SELECT ?st WHERE { ?st a crm:Statement .
        OPTIONAL { ?st crm:subject ?s } OPTIONAL { ?st crm:property ?p } OPTIONAL { ?st crm:object ?o }
        OPTIONAL { ?st crm:value ?v } OPTIONAL { ?st crm:status ?status } OPTIONAL { ?st crm:polarity ?pol }
        FILTER(!BOUND(?s) || !BOUND(?p) || (!BOUND(?o) && !BOUND(?v)) || !BOUND(?status) || !BOUND(?pol)) }""")
    assert broken == [], broken[:5]


def test_every_reference_of_a_statement_has_a_short_citation(select):
    missing = select("""SELECT ?st WHERE { ?st a crm:Statement ; prov:wasDerivedFrom ?ref .
        OPTIONAL { ?ref crm:citation ?c } FILTER(!BOUND(?c)) }""")
    assert missing == []
    rows = select("""SELECT ?c WHERE { ?a a crm:Assertion ; rdf:subject inst:eu-kz-mou-raw-materials-2022 ;
        prov:wasDerivedFrom/crm:citation ?c }""")
    assert rows and all(":" in r["c"] for r in rows)


def test_every_truthy_triple_has_an_accepted_statement(select):
    rows = select("""SELECT ?s ?p ?o WHERE { GRAPH graph:truthy { ?s ?p ?o }
        OPTIONAL { ?st a crm:AcceptedStatement ; crm:subject ?s ; crm:property ?p . { ?st crm:object ?o } UNION { ?st crm:value ?o } }
        FILTER(!BOUND(?st)) }""")
    assert rows == []


def test_no_direct_triple_rests_only_on_unverified_statements(select):
    """Nowhere in the stated graphs, not only the truthy layer (the reasoner may still derive the same
    triple from an accepted one: an inverse, a chain)."""
    rows = select("""SELECT ?s ?p ?o ?g WHERE { ?st a crm:Assertion ; crm:status crm:Unverified ; crm:subject ?s ; crm:property ?p ; crm:object ?o .
        OPTIONAL { ?ok a crm:AcceptedStatement ; crm:subject ?s ; crm:property ?p ; crm:object ?o }
        FILTER(!BOUND(?ok)) GRAPH ?g { ?s ?p ?o } FILTER(?g != graph:inferred) }""")
    assert rows == []


def test_the_layers_do_not_repeat_each_other(select):
    for a, b in (("asserted", "truthy"), ("asserted", "statements"), ("truthy", "inferred"), ("statements", "truthy")):
        rows = select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH graph:{a} {{ ?s ?p ?o }} GRAPH graph:{b} {{ ?s ?p ?o }} }}")
        assert rows[0]["n"] == 0, (a, b)


@pytest.mark.parametrize("material", ["boron", "strontium", "fluorspar", "tungsten"])
def test_tajikistan_unverified_reserves_are_statements_not_truthy_triples(select, material):
    """Seed 000's unconfirmed sentence 'Tajikistan has boron, strontium, fluorspar, tungsten'."""
    st = select(f"""SELECT ?status WHERE {{ ?st crm:subject country:TJ ; crm:property crm:hasReserves ;
        crm:object mat:{material} ; crm:status ?status }}""")
    assert {r["status"].rsplit("#", 1)[-1] for r in st} == {"Unverified"}
    assert select(f"SELECT * WHERE {{ country:TJ crm:hasReserves mat:{material} }}") == []


def test_no_inferred_crm_holding_country_rests_on_an_unverified_sentence(select):
    """Each CRMHoldingCountry has an accepted has-reserves statement for a current critical raw material."""
    rows = select("""SELECT ?c ?m WHERE { GRAPH graph:inferred { ?c a crm:CRMHoldingCountry }
        OPTIONAL { ?st a crm:AcceptedStatement ; crm:subject ?c ; crm:property crm:hasReserves ; crm:object ?m .
                   ?m a crm:CriticalRawMaterial } }""")
    assert rows
    by_country: dict[str, set] = {}
    for r in rows:
        by_country.setdefault(r["c"], set()).add(r["m"])
    assert all(ms != {None} for ms in by_country.values()), by_country
    tj = by_country[ID + "country/TJ"]
    assert {m.rsplit("/", 1)[-1] for m in tj} == {"antimony"}  # the verified one; not boron, strontium …


def test_erma_members_through_one_statement_pattern_and_truthy_membership(select):
    rows = select("""SELECT ?m ?status WHERE { ?st crm:subject ?m ; crm:property crm:memberOf ; crm:object org:erma ;
        crm:status ?status }""")
    status = {r["m"].rsplit("/", 1)[-1]: r["status"].rsplit("#", 1)[-1] for r in rows}
    assert status["tau-ken-samruk"] == "Unverified" and status["phoenix-mining"] == "Unverified"
    truthy = {r["m"].rsplit("/", 1)[-1] for r in select("SELECT ?m WHERE { GRAPH graph:truthy { ?m crm:memberOf org:erma } }")}
    assert truthy and "tau-ken-samruk" not in truthy and "phoenix-mining" not in truthy
    assert truthy == {m for m, s in status.items() if s in ("Verified", "SecondHand", "Derived")}


def test_a_figure_is_a_statement_whose_property_is_its_quantity_kind(select):
    rows = select("""SELECT ?qk ?p WHERE { ?f a crm:Figure ; crm:quantityKind ?qk ; crm:property ?p }""")
    assert rows and all(r["qk"] == r["p"] for r in rows)


def test_a_denied_fact_is_withheld(compiled):
    withheld = {(t.subject.value.rsplit("/", 1)[-1], t.predicate.value.rsplit("#", 1)[-1]): reason
                for t, reason in compiled.layer.withheld}
    assert withheld[("zarechnoye", "ownedBy")] == "denied by an accepted statement"


def test_statement_counts(compiled):
    counts = compiled.layer.counts()
    assert sum(counts["statements by kind"].values()) == sum(counts["statements by status"].values())
    assert counts["truthy triples"] == len(compiled.truthy) > 0
    assert 0 < counts["accepted statements"] < sum(counts["statements by kind"].values())
