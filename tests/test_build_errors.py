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


# ---------------------------------------------------------------- curation fidelity (issue 9, item 3)

def _problems(project, name, body):
    write_graph_file(project, name, body)
    with pytest.raises(CurationError) as info:
        compile_graph(project, reason=False)
    return [p for p in info.value.problems if p.file == f"graph/{name}"]


def test_one_triple_with_two_statuses_is_refused_naming_both_files(project):
    """instruments.ttl states Kazakhstan a party to the EPCA as Verified; a second file may not call it Unverified."""
    mine = _problems(project, "twice.ttl",
                     f"country:KZ crm:partyTo inst:eu-kz-epca {{| crm:status crm:Unverified ; prov:wasDerivedFrom {GOOD_REF} |}} .\n")
    assert len(mine) == 1 and mine[0].line == 17 and mine[0].entity == "country:KZ"
    assert "2 statuses" in mine[0].message and "graph/instruments.ttl" in mine[0].message and "graph/twice.ttl" in mine[0].message


def test_a_duplicate_role_node_is_refused(project):
    """organisations.ttl already gives Tokayev the role President of Kazakhstan; a second node doubles it."""
    mine = _problems(project, "role.ttl", f"""
<https://w3id.org/crmgraph/id/person/kassym-jomart-tokayev> crm:holdsRole [ a crm:Role ; crm:roleTitle "President of Kazakhstan" ; crm:roleIn country:KZ ] {{|
    crm:status crm:Unverified ; prov:wasDerivedFrom {GOOD_REF} |}} .
""")
    assert len(mine) == 1 and mine[0].entity == "person:kassym-jomart-tokayev" and mine[0].line == 18
    assert "two role nodes" in mine[0].message and "graph/organisations.ttl" in mine[0].message


def test_the_first_object_of_a_list_before_an_annotation_has_no_reference(project):
    """`s p A , B {| … |}` annotates only B: A is a domain triple without a reference."""
    mine = _problems(project, "comma.ttl",
                     f"country:TJ crm:produces mat:hafnium , mat:indium {{| crm:status crm:Unverified ; prov:wasDerivedFrom {GOOD_REF} |}} .\n")
    assert [p.message for p in mine] == ["the triple country:TJ crm:produces mat:hafnium has no reference"]
    assert mine[0].line == 17 and "give A its own block" in mine[0].hint


def test_a_plain_domain_triple_without_annotation_is_refused(project):
    mine = _problems(project, "bare.ttl", "country:TJ crm:produces mat:scandium .\n")
    assert len(mine) == 1 and "country:TJ crm:produces mat:scandium has no reference" in mine[0].message


def test_a_figure_whose_comment_says_not_stated_may_not_carry_a_year(project):
    mine = _problems(project, "year.ttl", f"""
fig:invented a crm:Figure ; crm:subject country:TJ ; crm:quantityKind qk:mine-production ; crm:value 5 ; crm:unit unit:tonne ;
    crm:refYear "2024"^^xsd:gYear ; crm:scope scope:world ; crm:claimant src:seed-000 ; crm:status crm:Unverified ;
    rdfs:comment "Year not stated; the seed was written after May 2024."@en ; prov:wasDerivedFrom {GOOD_REF} .
""")
    assert len(mine) == 1 and mine[0].entity == "fig:invented" and mine[0].line == 18
    assert "crm:refYear 2024" in mine[0].message and "crm:yearNotStated true" in mine[0].hint


def test_a_figure_that_says_not_stated_and_has_no_year_is_accepted(project):
    from crmgraph.knowledge.checks import check_curation
    from crmgraph.knowledge.curated import read_curated

    write_graph_file(project, "honest.ttl", f"""
fig:honest a crm:Figure ; crm:subject country:TJ ; crm:quantityKind qk:mine-production ; crm:value 5 ; crm:unit unit:tonne ;
    crm:yearNotStated true ; crm:scope scope:world ; crm:claimant src:seed-000 ; crm:status crm:Unverified ;
    rdfs:comment "Year not stated."@en ; prov:wasDerivedFrom {GOOD_REF} .
""")
    ontology = [f for f in read_curated(project.root, ("ontology",)) if not f.name.endswith("shapes.ttl")]
    assert check_curation(ontology, read_curated(project.root, ("graph",))) == []


# -- odd entries in graph/: clear errors, never a traceback ---------------------------------------

def test_a_folder_named_like_a_turtle_file_is_a_clear_parse_error(tmp_path):
    from crmgraph.knowledge.curated import read_curated

    (tmp_path / "graph" / "x.ttl").mkdir(parents=True)
    with pytest.raises(ParseError) as err:
        read_curated(tmp_path, ("graph",))
    problem = err.value.problems[0]
    assert problem.file == "graph/x.ttl" and "is a folder" in problem.message and "rename" in problem.hint


def test_a_dangling_link_is_a_clear_parse_error(tmp_path):
    from crmgraph.knowledge.curated import read_curated

    (tmp_path / "graph").mkdir()
    (tmp_path / "graph" / "gone.ttl").symlink_to(tmp_path / "nowhere.ttl")
    with pytest.raises(ParseError) as err:
        read_curated(tmp_path, ("graph",))
    problem = err.value.problems[0]
    assert problem.file == "graph/gone.ttl" and "does not exist" in problem.message
