"""The ontology documents itself: metadata, and a label and definition for every term."""
from __future__ import annotations

import pyoxigraph as ox

from crmgraph.namespaces import CRM, ONTOLOGY_IRI


def test_the_ontology_has_version_licence_creator_and_description(compiled):
    props = {t.predicate.value for t in compiled.ontology if t.subject == ox.NamedNode(ONTOLOGY_IRI)}
    for needed in ("http://www.w3.org/2002/07/owl#versionIRI", "http://purl.org/dc/terms/license",
                   "http://purl.org/dc/terms/creator", "http://purl.org/dc/terms/description"):
        assert needed in props


def test_every_class_and_property_has_a_label_and_a_definition(compiled):
    kinds = {"http://www.w3.org/2002/07/owl#" + k for k in ("Class", "ObjectProperty", "DatatypeProperty")}
    terms = {t.subject.value for t in compiled.ontology
             if t.predicate.value.endswith("#type") and t.object.value in kinds and t.subject.value.startswith(CRM)}
    described = {}
    for t in compiled.ontology:
        if t.subject.value in terms:
            described.setdefault(t.subject.value, set()).add(t.predicate.value)
    missing = [term for term in terms
               if not {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#definition"} <= described[term]]
    assert len(terms) > 100
    assert missing == []


def test_every_term_of_ours_has_a_definition(compiled):
    """Classes, properties and named individuals alike: the ontology page shows each one's definition, so a
    term added without one (rdfs:comment or skos:definition) fails here."""
    typed = {t.subject.value for t in compiled.ontology
             if t.predicate.value.endswith("#type") and t.subject.value.startswith(CRM)}
    defined = {t.subject.value for t in compiled.ontology
               if t.predicate.value in ("http://www.w3.org/2004/02/skos/core#definition",
                                        "http://www.w3.org/2000/01/rdf-schema#comment")}
    assert len(typed) > 150
    assert sorted(typed - defined) == []


def test_the_ontology_is_owl_2_dl_every_entity_declared(compiled):
    """The OWL 2 DL declaration rules (knowledge/profile.py): outside classes such as skos:Concept or
    prov:Entity are declared, every property an axiom names is declared, no object/datatype punning."""
    from crmgraph.knowledge.profile import violations

    assert violations(compiled.ontology) == []


def test_the_profile_check_finds_an_undeclared_outside_class():
    from crmgraph.knowledge.profile import violations

    text = b"""@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <http://ex/A> a owl:Class ; rdfs:subClassOf <http://www.w3.org/ns/prov#Entity> .
    <http://ex/p> a owl:ObjectProperty , owl:DatatypeProperty ; rdfs:range <http://ex/B> .
    <http://ex/q> rdfs:subPropertyOf <http://ex/p> ."""
    found = violations(t.triple for t in ox.parse(text, format=ox.RdfFormat.TURTLE))
    assert found == ["<http://ex/p> is declared both an object and a datatype property",
                     "undeclared class <http://ex/B> (range of <http://ex/p>)",
                     "undeclared class <http://www.w3.org/ns/prov#Entity> (object of rdfs:subClassOf)",
                     "undeclared property <http://ex/q> (subject of rdfs:subPropertyOf)"]
