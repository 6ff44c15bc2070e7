"""The XSD lexical spaces the curation guard knows (knowledge/lexical.py) and the positions of terms
(knowledge/positions.py) that put each problem on its line."""
from __future__ import annotations

import pytest

from crmgraph.knowledge.lexical import problem, suggestion
from crmgraph.knowledge.positions import scan

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize("datatype, valid", [
    ("integer", ["0", "-3", "+12", "0017"]),
    ("nonNegativeInteger", ["0", "12"]),
    ("positiveInteger", ["1"]),
    ("decimal", ["12.5", "-0.3", "17", ".5", "5."]),
    ("double", ["1.5e3", "1E-2", "INF", "-INF", "NaN", "3"]),
    ("boolean", ["true", "false", "1", "0"]),
    ("gYear", ["2011", "0999", "-0044", "2011Z", "2011+02:00", "12011"]),
    ("gYearMonth", ["2011-11", "2011-01Z"]),
    ("date", ["2011-11-30", "2024-02-29", "2000-02-29", "2011-11-30Z"]),
    ("dateTime", ["2011-11-30T12:00:00", "2011-11-30T12:00:00.5Z", "2011-11-30T24:00:00"]),
    ("anyURI", ["https://eur-lex.europa.eu/eli/reg/2024/1252/oj", "urn:isbn:0451450523"]),
    ("string", ["anything at all, 11/2011"]),
])
def test_valid_forms_pass(datatype, valid):
    assert [v for v in valid if problem(v, XSD + datatype)] == []


@pytest.mark.parametrize("datatype, invalid", [
    ("integer", ["12a", "1.0", "1,000", "", " 12", "twelve"]),
    ("nonNegativeInteger", ["-1"]),
    ("positiveInteger", ["0"]),
    ("byte", ["128"]),
    ("decimal", ["1,5", "1e3", "12 %", "."]),
    ("double", ["1,5e3", "e3", "inf"]),
    ("boolean", ["yes", "True", "2"]),
    ("gYear", ["11/2011", "11", "2011-11", "'2011", "20111 "]),
    ("gYearMonth", ["2011", "2011-13", "11/2011"]),
    ("date", ["2011-11-31", "2023-02-29", "1900-02-29", "30.11.2011", "2011-11"]),
    ("dateTime", ["2011-11-30", "2011-11-30T25:00:00"]),
    ("anyURI", ["not a url", "www.example.org", "/relative/path"]),
])
def test_invalid_forms_say_what_was_expected(datatype, invalid):
    for value in invalid:
        said = problem(value, XSD + datatype)
        assert said and ("expected" in said or "no such day" in said), (value, said)


def test_an_unknown_datatype_is_a_problem_but_strings_and_language_strings_are_not():
    assert problem("2024", XSD + "gyear") == "unknown datatype xsd:gyear"
    assert problem("x", "urn:example:type") == "unknown datatype <urn:example:type>"
    assert problem("x", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString") is None


@pytest.mark.parametrize("value, datatype, fix", [
    ("11/2011", "gYear", '"2011-11"^^xsd:gYearMonth'),
    ("30/11/2011", "date", '"2011-11-30"^^xsd:date'),
    ("1,500,000", "integer", "1500000"),
    ("1,5", "decimal", "1.5"),
    ("12.5", "integer", "without the ^^xsd:integer"),
    ("about 2011", "gYear", '"2011"^^xsd:gYear'),
])
def test_common_slips_get_a_concrete_rewrite(value, datatype, fix):
    assert fix in suggestion(value, XSD + datatype)


TEXT = '''@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
# ex:Ghost in a comment does not count, nor does 250
ex:a ex:label "ex:Ghost in a string" ;
    ex:value 250 ; ex:when "11/2011"^^xsd:gYear .
ex:b ex:value 250 ; ex:note """a long
string with "quotes" and ex:Ghost""" ;
    ex:ref [ ex:locator 'p. \\'3\\'' ] .
PREFIX ex: <http://other.example/>
ex:c a ex:Ghost .
'''


def test_positions_skip_comments_and_strings_and_follow_prefix_redefinitions():
    pos = scan(TEXT)
    assert pos.line_of_iri("http://example.org/Ghost") is None
    assert pos.line_of_iri("http://other.example/Ghost") == 10
    assert pos.line_of_iri("http://example.org/b") == 6


def test_positions_find_a_literal_in_the_statements_of_its_subject():
    pos = scan(TEXT)
    integer = XSD + "integer"
    assert pos.line_of_literal("250", integer) == 5
    assert pos.line_of_literal("250", integer, subject="http://example.org/b") == 6
    assert pos.line_of_literal("11/2011", XSD + "gYear", subject="http://example.org/a") == 5
    assert pos.line_of_literal("p. '3'", XSD + "string", subject="http://example.org/b") == 8


SHAPE = '''@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:p ; sh:minCount 1 ] ,
                [ sh:path ex:q ; sh:class ex:Thing ;
                  sh:maxCount 1 ] .
'''


def test_positions_find_an_object_right_after_its_predicate_in_a_blank_node():
    """A term written twice in one statement (a class targeted and then required) is told apart by the IRI
    written just before it: the line of `sh:class ex:Thing` is 5, not the target's line 3."""
    pos, sh, ex = scan(SHAPE), "http://www.w3.org/ns/shacl#", "http://example.org/"
    assert pos.line_of_iri(ex + "Thing", subject=ex + "Shape") == 3
    assert pos.line_of_iri(ex + "Thing", subject=ex + "Shape", after=sh + "class") == 5
    assert pos.line_of_literal("1", XSD + "integer", subject=ex + "Shape", after=sh + "maxCount") == 6
    assert pos.line_of_literal("1", XSD + "integer", subject=ex + "Shape", after=sh + "minLength") == 4  # no such: the first
