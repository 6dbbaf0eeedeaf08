"""The merging stage alone (marsad.merge): outlets, similarity, clustering, combining."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.errors import KnowledgeError
from marsad.merge import sources as sources_mod
from marsad.merge.cluster import cluster
from marsad.merge.combine import combine, conservative_count
from marsad.merge.similarity import compare, load_rules
from marsad.merge.sources import combine_scales, load_sources
from marsad.records import Event, Evidence


def ev(event_id: str, doc: str, **changes) -> Event:
    """An HTS arrest in Idlib city on 14 March 2022, as one report tells it."""
    base = Event(
        event_id=event_id, event_date="2022-03-14", time_precision=1,
        disorder_type="Strategic developments", event_type="Strategic developments",
        sub_event_type="Arrests", actor1="Hayat Tahrir al-Sham", inter1=2,
        actor2="Civilians (Syria)", inter2=7, interaction=27, iso=760, region="Middle East",
        country="Syria", admin1="Idlib", location="Idlib", latitude=35.9306, longitude=36.6339,
        geo_precision=1, source="SOHR", source_scale="Other", fatalities=0, arrests=5,
        confidence=0.8, document_ids=(doc,),
        evidence=(Evidence("arrests", 10, 14, "five", doc, 0.9),),
    )
    return replace(base, **changes)


# ----------------------------------------------------------------------
# sources
# ----------------------------------------------------------------------

def test_registry_finds_outlets_by_alias_name_and_domain():
    registry = load_sources()
    assert registry.find("SOHR").name == "Syrian Observatory for Human Rights"
    assert registry.find("syrian observatory for human rights").scale == "Other"
    assert registry.find("", "https://www.reuters.com/world/x").name == "Reuters"
    assert registry.find("", "https://news.bbc.co.uk/a").name == "BBC"
    assert registry.find("Some Blog", "https://example.org/x") is None
    attributed = registry.attribute(ev("a", "d1", source="AFP", source_scale=""))
    assert (attributed.source, attributed.source_scale) == ("Agence France-Presse", "International")


def test_scales_combine_in_acled_order():
    assert combine_scales(["National", "Other"]) == "Other-National"
    assert combine_scales(["International", "National", "National"]) == "National-International"
    assert combine_scales(["New media", "Local partner-Other"]) == "Local partner-Other-New media"
    assert combine_scales([]) == ""


def test_user_sources_extend_the_registry(tmp_path, monkeypatch):
    (tmp_path / "sources.yaml").write_text(
        "sources:\n"
        "  - name: Daraa 24\n    scale: Local\n    country: Syria\n    aliases: [Deraa24]\n    domains: [daraa24.org]\n"
        "  - name: Reuters\n    aliases: [Reuters Arabic]\n",
        encoding="utf-8")
    monkeypatch.setenv("MARSAD_KNOWLEDGE", str(tmp_path))
    registry = load_sources()
    assert registry.find("deraa24").name == "Daraa 24"
    assert registry.find("", "http://www.daraa24.org/news/1").scale == "Local"
    assert registry.find("Reuters Arabic").name == "Reuters"
    assert registry.find("Reuters Arabic").scale == "International"  # kept: the user gave none


def test_bad_user_sources_file_is_one_line_error(tmp_path, monkeypatch):
    (tmp_path / "sources.yaml").write_text("sources:\n  - name: X\n    scale: Galactic\n", encoding="utf-8")
    monkeypatch.setenv("MARSAD_KNOWLEDGE", str(tmp_path))
    with pytest.raises(KnowledgeError, match="unknown scale 'Galactic'"):
        load_sources()
    sources_mod._load.cache_clear()


# ----------------------------------------------------------------------
# similarity
# ----------------------------------------------------------------------

def test_same_incident_in_two_reports_is_linked_with_reasons():
    verdict = compare(ev("a", "d1"), ev("b", "d2", source="Enab Baladi", event_date="2022-03-15"))
    assert verdict.linked
    assert any("adjacent days" in r for r in verdict.reasons)
    assert any("shared actor (Hayat Tahrir al-Sham)" in r for r in verdict.reasons)


@pytest.mark.parametrize("change, why", [
    ({"event_date": "2022-03-17"}, "dates too far apart"),
    ({"latitude": 36.0, "longitude": 36.9, "location": "Binnish"}, "places too far apart"),
    ({"sub_event_type": "Air/drone strike"}, "different kinds of incident"),
    ({"actor1": "Syrian National Army"}, "different actors"),
    ({"country": "Iraq"}, "different or unknown countries"),
    ({"sub_event_type": "Something new"}, "not one marsad merges"),
])
def test_incompatible_events_are_not_linked(change, why):
    verdict = compare(ev("a", "d1"), ev("b", "d2", **change))
    assert not verdict.compatible and not verdict.linked
    assert any(why in r for r in verdict.reasons), verdict.reasons


def test_two_events_of_one_report_are_never_linked():
    assert not compare(ev("a", "d1"), ev("b", "d1")).compatible


def test_time_precision_widens_the_date_window():
    week = ev("b", "d2", event_date="2022-03-17", time_precision=2)
    assert compare(ev("a", "d1"), week).compatible
    assert not compare(ev("a", "d1"), ev("b", "d2", event_date="2022-03-17")).compatible


def test_geo_precision_widens_the_radius_and_region_matches_admin1():
    saraqib = dict(latitude=35.8644, longitude=36.8006, location="Saraqib")
    assert not compare(ev("a", "d1"), ev("b", "d2", **saraqib)).compatible
    region = ev("b", "d2", latitude=35.9, longitude=36.6, location="Idlib", geo_precision=3)
    assert compare(ev("a", "d1", **saraqib), region).compatible


def test_unnamed_actor_merges_with_a_named_one_and_related_types_need_agreement():
    gunmen = ev("b", "d2", actor1="Unidentified Armed Group (Syria)", inter1=3)
    assert compare(ev("a", "d1"), gunmen).linked
    attack = ev("a", "d1", sub_event_type="Attack", event_type="Violence against civilians")
    clash = ev("b", "d2", sub_event_type="Armed clash", event_type="Battles")
    assert compare(attack, clash).linked  # same named group in both
    unrelated = replace(clash, actor1="Unidentified Armed Group (Syria)", actor2="Free Syrian Army")
    assert not compare(attack, unrelated).compatible


def test_state_forces_of_one_country_agree():
    police = ev("a", "d1", actor1="Police Forces of Syria (2000-)", inter1=1)
    army = ev("b", "d2", actor1="Military Forces of Syria (2000-)", inter1=1)
    assert compare(police, army).linked


def test_similarity_is_symmetric():
    a = ev("a", "d1")
    b = ev("b", "d2", event_date="2022-03-15", actor1="Unidentified Armed Group (Syria)", geo_precision=2,
           latitude=35.95, longitude=36.65)
    ab, ba = compare(a, b), compare(b, a)
    assert (ab.compatible, ab.score, ab.reasons) == (ba.compatible, ba.score, ba.reasons)


def test_merge_rules_families_name_only_known_types():
    rules = load_rules()
    assert rules.compatible_types("Attack") >= {"Attack", "Armed clash"}
    assert rules.compatible_types("Unknown type") == frozenset()


# ----------------------------------------------------------------------
# clustering
# ----------------------------------------------------------------------

def _ids(clusters):
    return [c.members for c in clusters]


def test_cluster_joins_reports_and_keeps_same_document_apart():
    events = [ev("a", "d1"), ev("b", "d2"), ev("c", "d1", location="Idlib", sub_event_type="Arrests")]
    # c is in a's document: it may join b only if compatible with every member, and a is not
    assert _ids(cluster(events)) == [("a", "b"), ("c",)]


def test_no_chaining_through_a_vague_member():
    a = ev("a", "d1", event_date="2022-03-13")
    b = ev("b", "d2", event_date="2022-03-14")
    c = ev("c", "d3", event_date="2022-03-15")
    # a-b and b-c are adjacent days, a-c are two days apart: never all three
    groups = _ids(cluster([a, b, c]))
    assert ("a", "b", "c") not in groups and sum(len(g) for g in groups) == 3


def test_constraints_override_and_forbid():
    far = ev("b", "d2", event_date="2022-04-20")
    assert _ids(cluster([ev("a", "d1"), far], must_link=[("a", "b")])) == [("a", "b")]
    assert _ids(cluster([ev("a", "d1"), ev("b", "d2")], cannot_link=[("b", "a")])) == [("a",), ("b",)]
    both = cluster([ev("a", "d1"), ev("b", "d2")], must_link=[("a", "b")], cannot_link=[("a", "b")])
    assert _ids(both) == [("a",), ("b",)]


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(7)))
def test_cluster_does_not_depend_on_input_order(order):
    events = [
        ev("a", "d1"), ev("b", "d2", event_date="2022-03-15"), ev("c", "d3", actor1="Unidentified Armed Group (Syria)"),
        ev("d", "d4", sub_event_type="Air/drone strike"), ev("e", "d5", sub_event_type="Air/drone strike"),
        ev("f", "d1", event_date="2022-03-15"), ev("g", "d6", event_date="2022-03-16"),
    ]
    expected = cluster(events)
    assert cluster([events[i] for i in order]) == expected


# ----------------------------------------------------------------------
# combining
# ----------------------------------------------------------------------

def test_conservative_counts_lowest_unless_a_later_report_revises():
    published = {"d1": "2022-04-02", "d2": "2022-04-02", "d3": "2022-04-03"}
    first = ev("a", "d1", fatalities=3, evidence=(Evidence("fatalities", 1, 2, "3", "d1"),))
    wire = ev("b", "d2", fatalities=4, evidence=(Evidence("fatalities", 1, 2, "4", "d2"),))
    later = ev("c", "d3", fatalities=5, evidence=(Evidence("fatalities", 1, 2, "5", "d3"),))
    silent = ev("d", "d3", fatalities=0, evidence=())  # gives no figure: not a report of zero
    assert conservative_count([first, wire], "fatalities", published) == 3
    assert conservative_count([first, wire, later], "fatalities", published) == 5
    assert conservative_count([first, wire, silent], "fatalities", published) == 3
    assert conservative_count([silent], "fatalities", published) is None


def test_combine_keeps_every_source_document_and_span():
    a = ev("b1", "d1", source="Syrian Observatory for Human Rights", source_scale="Other", arrests=5)
    b = ev("a9", "d2", source="Enab Baladi", source_scale="National", arrests=4,
           actor1="Unidentified Armed Group (Syria)", confidence=0.6,
           evidence=(Evidence("arrests", 3, 7, "four", "d2", 0.9),))
    merged = combine([a, b], {"d1": "2022-03-14", "d2": "2022-03-14"})
    assert merged.event_id == "a9"  # the smallest member id
    assert merged.source == "Enab Baladi; Syrian Observatory for Human Rights"
    assert merged.source_scale == "Other-National"
    assert set(merged.document_ids) == {"d1", "d2"}
    assert {(e.doc_id, e.text) for e in merged.evidence} == {("d1", "five"), ("d2", "four")}
    assert merged.arrests == 4
    assert merged.actor1 == "Hayat Tahrir al-Sham"  # the named actor replaces the unnamed one
    assert merged.confidence == pytest.approx(1 - 0.2 * 0.4)
    assert "4 arrested" in merged.notes
    assert combine([b, a], {"d1": "2022-03-14", "d2": "2022-03-14"}) == merged


def test_combine_takes_the_most_precise_date_and_place():
    vague = ev("a", "d1", time_precision=2, event_date="2022-03-16", geo_precision=3, location="Idlib")
    precise = ev("b", "d2", geo_precision=1, location="Idlib", confidence=0.5)
    merged = combine([vague, precise])
    assert (merged.event_date, merged.time_precision, merged.geo_precision) == ("2022-03-14", 1, 1)


def test_single_member_is_unchanged():
    one = ev("a", "d1")
    assert combine([one]) == one


def test_every_permutation_combines_the_same():
    members = [ev("c", "d1"), ev("a", "d2", fatalities=2), ev("b", "d3", confidence=0.3)]
    results = {combine(list(p)) for p in itertools.permutations(members)}
    assert len(results) == 1
