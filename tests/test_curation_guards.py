"""Curation guards (issue 13 §4): values that parse but are wrong are refused at their own line.

Each test writes one small file (16 prefix lines, so its body starts at line 17) and runs the curation
checks over the real ontology and graph/ (parsed once for the module) plus that file.
"""
from __future__ import annotations

import pytest

from crmgraph.errors import CurationError
from crmgraph.knowledge.build import compile_graph
from crmgraph.knowledge.checks import check_curation
from crmgraph.knowledge.curated import parse_file, read_curated

from .conftest import ROOT, write_graph_file

REF = '[ crm:source src:seed-000 ; crm:locator "Tajikistan ¶1" ]'


@pytest.fixture(scope="module")
def real():
    """The real ontology (without shapes) and graph/, parsed once."""
    ontology = [f for f in read_curated(ROOT, ("ontology",)) if not f.name.endswith("shapes.ttl")]
    return ontology, read_curated(ROOT, ("graph",))


@pytest.fixture
def check(real, tmp_path):
    """check(name, body): the problems the curation checks find in the new file graph/NAME (and only there)."""
    def run(name: str, body: str):
        prefixes = (ROOT / "tests" / "data" / "prefixes.ttl").read_text(encoding="utf-8")
        path = tmp_path / name
        path.write_text(prefixes + body, encoding="utf-8")
        ontology, data = real
        problems = check_curation(ontology, data + [parse_file(path, f"graph/{name}")])
        return [p for p in problems if p.file == f"graph/{name}"]
    return run


def _figure(node: str, *, value="17", unit="unit:percent", kind="qk:share-of-world-production", year='"2024"^^xsd:gYear',
            subject="country:TJ", material="mat:antimony", claimant="src:seed-000", extra="") -> str:
    return (f"fig:{node} a crm:Figure ; crm:subject {subject} ; crm:material {material} ; crm:quantityKind {kind} ;\n"
            f"    crm:value {value} ; crm:unit {unit} ; crm:refYear {year} ; crm:scope scope:world ;\n"
            f"    crm:claimant {claimant} ; crm:status crm:Unverified ;{extra} prov:wasDerivedFrom {REF} .\n")


def test_the_real_graph_passes_every_guard(real):
    """The current graph/ trips none of the new guards (the shares of one whole sum to at most 94.6 %)."""
    assert check_curation(*real) == []


# -- typed literals: the literal, its line, the expected form, how to fix -------------------------------

def test_a_gyear_written_as_month_slash_year_is_refused_at_its_line_with_the_fix(check):
    mine = check("gyear.ttl", "\n\n" + _figure("tj-share", year='"11/2011"^^xsd:gYear'))
    assert len(mine) == 1
    p = mine[0]
    assert (p.line, p.entity) == (20, "fig:tj-share")
    assert '"11/2011"^^xsd:gYear' in p.message and 'a year of (at least) four digits: "2011"' in p.message
    assert '"2011-11"^^xsd:gYearMonth' in p.hint


@pytest.mark.parametrize("literal, datatype, expected", [
    ('"12a"', "xsd:integer", "whole number"),
    ('"1,5"', "xsd:decimal", "decimal point"),
    ('"2020-02-30"', "xsd:date", "no such day"),
    ('"2021-13-01"', "xsd:date", "year-month-day"),
    ('"yes"', "xsd:boolean", "true or false"),
    ('"not a url"', "xsd:anyURI", "absolute IRI"),
    ('"2024"', "xsd:gyear", "unknown datatype"),
])
def test_every_ill_typed_literal_is_refused_at_its_own_line(check, literal, datatype, expected):
    body = ('country:TJ skos:altLabel "Tojikiston"@tg .\n'
            '# a comment: country:TJ crm:founded "12a"^^xsd:integer\n'
            f'country:TJ rdfs:seeAlso {literal}^^{datatype} .\n')
    mine = [p for p in check("typed.ttl", body) if "seeAlso" in p.message]
    assert len(mine) == 1 and mine[0].line == 19 and expected in mine[0].message
    assert literal.strip('"') in mine[0].message and mine[0].hint


def test_an_ill_typed_literal_stops_the_build_before_any_parser_traceback(project, capfd):
    """rdflib (SHACL, HermiT) logs a traceback for an ill-typed literal; the check runs first, so none appears."""
    write_graph_file(project, "typed.ttl", _figure("tj-share", value='"12a"^^xsd:integer'))
    with pytest.raises(CurationError) as info:
        compile_graph(project, reason=False)
    assert any(p.file == "graph/typed.ttl" and p.line == 18 and '"12a"^^xsd:integer' in p.message for p in info.value.problems)
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out


def test_an_unknown_class_is_reported_at_its_line_not_at_a_comment_or_line_1(check):
    body = ("# site:foo a schema:Mine would be wrong\n"
            "<https://w3id.org/crmgraph/id/site/foo> skos:prefLabel \"Foo\"@en ;\n"
            "    a <https://schema.org/Mine> .\n"
            "country:XX skos:prefLabel \"X\"@en ; a crm:Countri .\n")
    mine = check("classes.ttl", body)
    lines = {term: p.line for p in mine for term in ("unknown class schema:Mine", "unknown ontology term crm:Countri")
             if p.message.startswith(term)}
    assert lines == {"unknown class schema:Mine": 19, "unknown ontology term crm:Countri": 20}


# -- value ranges ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("figure, expected", [
    (dict(value="250"), "250 % is not a percentage between 0 and 100"),
    (dict(value="-40", unit="unit:tonne", kind="qk:mine-production"), "-40 is negative"),
    (dict(value="3", unit="unit:count", kind="qk:eu-crms-produced", extra=" crm:outOf 2 ;"), "more than the whole"),
    (dict(value="30", extra=" crm:upperValue 20 ;"), "below its lower end"),
    (dict(year='"3024"^^xsd:gYear'), "the year 3024 is outside 1900–2100"),
    (dict(year='"1850"^^xsd:gYear'), "the year 1850 is outside 1900–2100"),
    (dict(extra=" crm:rank 0 ;"), "ranks and positions start at 1"),
])
def test_a_value_outside_its_plausible_range_is_refused_at_its_line(check, figure, expected):
    mine = check("range.ttl", "\n" + _figure("tj-odd", **figure))
    assert [p.entity for p in mine] == ["fig:tj-odd"] and expected in mine[0].message
    assert mine[0].line in (19, 20) and mine[0].hint


def test_a_change_may_be_negative_or_above_100_percent(check):
    body = (_figure("tj-fall", value="-12", kind="qk:growth-rate")
            + _figure("tj-rise", value="263", kind="qk:growth-rate"))
    assert check("growth.ttl", body) == []


def test_a_signature_dated_after_next_year_is_refused_but_a_target_year_is_not(check):
    body = ('inst:eu-kz-epca crm:signedOn "2091-12-21"^^xsd:date {| crm:status crm:Unverified ; prov:wasDerivedFrom '
            f'{REF} |}} .\n' + _figure("tj-target", kind="qk:policy-target", value="30", year='"2050"^^xsd:gYear'))
    mine = check("dates.ttl", body)
    assert [(p.line, p.entity) for p in mine] == [(17, "inst:eu-kz-epca")]
    assert "has happened" in mine[0].message and "2091" in mine[0].message


# -- shares of one whole ---------------------------------------------------------------------------------

def test_shares_of_one_material_year_scope_and_claimant_summing_to_218_8_percent_are_refused(check):
    body = (_figure("cn-a", subject="country:CN", value="120.5", claimant="src:seed-000")
            + _figure("tj-a", subject="country:TJ", value="60.2", claimant="src:seed-000")
            + _figure("kz-a", subject="country:KZ", value="38.1", claimant="src:seed-000"))
    mine = check("shares.ttl", body)
    sums = [p for p in mine if "sum to" in p.message]
    assert len(sums) == 1
    message = sums[0].message
    assert "sum to 218.8 %" in message and "mat:antimony" in message and "2024" in message and "src:seed-000" in message
    assert "fig:cn-a 120.5 %" in message and "fig:tj-a 60.2 %" in message and "fig:kz-a 38.1 %" in message
    assert sums[0].line == 17  # the largest share, where a curator looks first


def test_shares_that_pass_100_percent_only_by_rounding_are_accepted(check):
    """34 + 33 + 34 = 101: three integers may each be 0.5 off, so up to 101.5 is rounding."""
    body = "".join(_figure(f"{c.lower()}-r", subject=f"country:{c}", value=v, claimant="src:seed-000")
                   for c, v in (("CN", "34"), ("TJ", "33"), ("KZ", "34")))
    assert check("rounded.ttl", body) == []


def test_shares_from_different_claimants_years_or_with_an_upper_bound_only_are_not_summed(check):
    body = (_figure("cn-b", subject="country:CN", value="70", claimant="src:seed-000")
            + _figure("tj-b", subject="country:TJ", value="70", claimant="src:seed-002")
            + _figure("kz-b", subject="country:KZ", value="70", claimant="src:seed-000", year='"2023"^^xsd:gYear')
            + _figure("uz-b", subject="country:UZ", value="70", claimant="src:seed-000", extra=" crm:valueQualifier crm:UpTo ;"))
    assert check("apart.ttl", body) == []


# -- every subject is a defined entity -------------------------------------------------------------------

def test_triples_about_entities_defined_nowhere_are_refused_naming_the_first_few(check):
    body = "".join(f'<https://w3id.org/crmgraph/id/org/ghost-{i}> skos:altLabel "Ghost {i}"@en .\n' for i in range(40))
    mine = check("ghosts.ttl", body)
    named = [p for p in mine if "defined nowhere" in p.message and p.entity]
    assert [(p.entity, p.line) for p in named] == [(f"org:ghost-{i}", 17 + i) for i in range(5)]
    assert any("35 more subjects defined nowhere (40 in all, 40 triples)" in p.message for p in mine)


def test_a_misspelt_subject_starts_no_second_entity(check):
    mine = check("typo.ttl", 'country:TJJ skos:altLabel "Tajikistan"@fr .\n')
    assert [(p.entity, p.line) for p in mine] == [("country:TJJ", 17)]
