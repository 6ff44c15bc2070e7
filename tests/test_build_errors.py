"""Bad input gets one clear error naming the file and line (or entity) — and loses nothing."""
from __future__ import annotations

import pytest

from crmgraph.knowledge.build import build, compile_graph
from crmgraph.errors import CurationError, InconsistencyError, ParseError, ShapeViolationError
from crmgraph.store.embedded import OxigraphStore

from .conftest import write_graph_file

GOOD_REF = '[ crm:source src:seed-000 ; crm:locator "Tajikistan ¶1" ]'


def test_a_turtle_syntax_error_names_the_file_and_line(project):
    write_graph_file(project, "broken.ttl", 'country:TJ skos:altLabel "Tojikiston"@tg\n country:TJ skos:altLabel "x" .\n')
    with pytest.raises(ParseError) as info:
        compile_graph(project, reason=False)
    problem = info.value.problems[0]
    assert problem.file == "graph/broken.ttl"
    assert problem.line == 18  # 16 prefix lines, then the two lines of the body
    assert "graph/broken.ttl:18" in str(info.value)


def test_an_unknown_prefix_is_reported_with_a_fix(project):
    write_graph_file(project, "prefix.ttl", "foo:bar a crm:Country .\n")
    with pytest.raises(ParseError) as info:
        compile_graph(project, reason=False)
    text = str(info.value)
    assert "graph/prefix.ttl:17" in text and "foo" in text and "declare the prefix" in text


def test_a_misspelt_ontology_term_is_refused(project):
    write_graph_file(project, "typo.ttl", f"country:TJ crm:produce mat:antimony {{| crm:status crm:Verified ; prov:wasDerivedFrom {GOOD_REF} |}} .\n")
    with pytest.raises(CurationError) as info:
        compile_graph(project, reason=False)
    assert any(p.file == "graph/typo.ttl" and p.line == 17 and "crm:produce" in p.message for p in info.value.problems)


def test_a_missing_source_is_refused(project):
    write_graph_file(project, "nosource.ttl",
                     'country:TJ crm:produces mat:antimony {| crm:status crm:Verified ; prov:wasDerivedFrom [ crm:source src:S999 ; crm:locator "p. 1" ] |} .\n')
    with pytest.raises(CurationError) as info:
        compile_graph(project, reason=False)
    assert any("src:S999" in p.message and p.file == "graph/nosource.ttl" for p in info.value.problems)


def test_a_contradicted_claim_may_not_be_written_as_a_plain_triple(project):
    write_graph_file(project, "contra.ttl",
                     f"mat:antimony crm:strategicIn list:crma-strategic-2024 {{| crm:status crm:Contradicted ; prov:wasDerivedFrom {GOOD_REF} |}} .\n")
    with pytest.raises(CurationError) as info:
        compile_graph(project, reason=False)
    assert any("crm:Claim" in p.hint for p in info.value.problems)


def test_a_figure_without_unit_or_year_fails_shacl_with_the_entity_and_file(project):
    write_graph_file(project, "fig.ttl", f"""
fig:bad a crm:Figure ; crm:subject country:TJ ; crm:quantityKind qk:mine-production ; crm:value 5 ;
    crm:scope scope:world ; crm:claimant src:seed-000 ; crm:status crm:Verified ; prov:wasDerivedFrom {GOOD_REF} .
""")
    with pytest.raises(ShapeViolationError) as info:
        compile_graph(project, reason=False)
    mine = [p for p in info.value.problems if p.entity == "fig:bad"]
    assert {p.file for p in mine} == {"graph/fig.ttl"}
    assert any("crm:unit" in p.message for p in mine)
    assert any("year" in p.message for p in mine)


def test_a_reference_without_locator_fails_shacl_and_points_at_the_citing_statement(project):
    write_graph_file(project, "ref.ttl",
                     "country:TJ crm:produces mat:antimony {| crm:status crm:Verified ; prov:wasDerivedFrom [ crm:source src:seed-000 ] |} .\n")
    with pytest.raises(ShapeViolationError) as info:
        compile_graph(project, reason=False)
    assert any("crm:locator" in p.message and p.file == "graph/ref.ttl" for p in info.value.problems)


def test_an_agreement_without_parties_or_date_fails_shacl(project):
    write_graph_file(project, "inst.ttl", 'inst:empty a crm:MemorandumOfUnderstanding ; skos:prefLabel "An empty MoU"@en .\n')
    with pytest.raises(ShapeViolationError) as info:
        compile_graph(project, reason=False)
    mine = [p.message for p in info.value.problems if p.entity == "inst:empty"]
    assert any("parties" in m for m in mine) and any("date" in m for m in mine)


def test_a_material_that_is_also_a_country_is_inconsistent(project):
    write_graph_file(project, "nonsense.ttl", "mat:antimony a crm:Country .\n")
    with pytest.raises((InconsistencyError, ShapeViolationError)) as info:
        compile_graph(project)
    assert "mat:antimony" in str(info.value)


def test_reasoning_alone_rejects_nonsense(compiled):
    """Disjointness axioms make HermiT refuse a material typed as a country, with an explanation."""
    import pyoxigraph as ox

    from crmgraph.knowledge.reasoning import run_hermit

    bad = ox.Triple(ox.NamedNode("https://w3id.org/crmgraph/id/material/antimony"),
                    ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                    ox.NamedNode("https://w3id.org/crmgraph/ontology#Country"))
    with pytest.raises(InconsistencyError) as info:
        run_hermit(compiled.ontology, compiled.asserted + [bad])
    assert "mat:antimony" in str(info.value) and "disjoint" in str(info.value)


def test_a_failed_build_leaves_the_previous_store_untouched(project, tmp_path):
    target = tmp_path / "store"
    report = build(project, store_path=target, reason=False)
    before = report.triples["asserted"]
    write_graph_file(project, "broken.ttl", "country:TJ crm:produces .\n")
    with pytest.raises(ParseError):
        build(project, store_path=target, reason=False)
    store = OxigraphStore(target, read_only=True)
    try:
        assert store.count("https://w3id.org/crmgraph/graph/asserted") == before
    finally:
        store.close()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".store")]
    assert leftovers == []
