"""Countries and actors: the shipped dictionaries, the loader, user extensions."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from marsad.errors import KnowledgeError
from marsad.knowledge import load_knowledge
from marsad.knowledge.loader import _load, fold

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GOLD_ACLED = SHARED / "gold" / "dev" / "acled_2022h1.csv"

ACLED_REGIONS = {
    "Western Africa", "Middle Africa", "Eastern Africa", "Southern Africa", "Northern Africa",
    "Middle East", "South Asia", "Southeast Asia", "East Asia", "Caucasus and Central Asia",
    "Europe", "North America", "Central America", "South America", "Caribbean", "Oceania",
    "Antarctica",
}


@pytest.fixture(autouse=True)
def _no_user_dirs(monkeypatch):
    monkeypatch.delenv("MARSAD_KNOWLEDGE", raising=False)


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


def names(kb, alias: str) -> list[str]:
    return [e.name for e in kb.candidates(alias)]


# ---------------------------------------------------------------- countries


def test_every_country_has_codes_and_region(kb):
    assert len(kb.countries) >= 240
    iso2, iso3, acled = set(), set(), set()
    for c in kb.countries:
        assert re.fullmatch(r"[A-Z]{2}", c.iso2), c
        assert re.fullmatch(r"[A-Z]{3}", c.iso3), c
        assert isinstance(c.iso, int) and c.iso >= 0, c
        assert c.region in ACLED_REGIONS, c
        assert c.iso2 not in iso2 and c.iso3 not in iso3 and c.name not in acled, c
        iso2.add(c.iso2), iso3.add(c.iso3), acled.add(c.name)
        if c.police_since is not None:
            assert c.military_since is not None, c


def test_acled_country_names_and_lookups(kb):
    t = kb.countries
    assert t.by_iso2("CD").name == "Democratic Republic of Congo"
    assert t.by_iso2("cg").name == "Republic of Congo"
    assert t.by_iso2("SZ").name == "eSwatini"
    assert t.by_iso2("CI").name == "Ivory Coast"
    assert t.by_iso2("XK").iso == 0
    assert t.by_iso2("SY").iso == 760 and t.by_iso2("SY").region == "Middle East"
    assert t.by_iso2("NO").name == "Norway"  # the YAML "NO" trap
    assert t.by_name("Syrian Arab Republic").iso2 == "SY"
    assert t.by_name("the Democratic Republic of the Congo").iso2 == "CD"
    assert t.by_name("Côte d’Ivoire").iso2 == "CI"
    assert t.by_name("the Philippines").iso2 == "PH"
    assert t.by_name("Burma").iso2 == "MM"
    assert t.by_name("Syrian").iso2 == "SY"
    assert t.from_demonym("Congolese").iso2 == "CD"
    assert t.from_demonym("Burkinabe").iso2 == "BF"
    assert t.from_demonym("Syria") is None
    assert t.by_name("Atlantis") is None and t.by_iso2("") is None


def test_every_demonym_names_one_country(kb):
    seen: dict[str, str] = {}
    for c in kb.countries:
        for dem in c.demonyms:
            assert seen.setdefault(fold(dem), c.iso2) == c.iso2, f"{dem}: {seen[fold(dem)]} and {c.iso2}"


# ---------------------------------------------------------------- actors


def test_no_duplicate_canonical_names(kb):
    seen = set()
    for entry in kb.actors:
        assert entry.name not in seen, entry.name
        seen.add(entry.name)


def test_entries_are_well_formed(kb):
    for e in kb.actors:
        assert e.kind in ("named", "generic", "state", "role"), e
        assert e.aliases, e.name
        assert 0 <= e.inter <= 8 and (e.kind == "role" or e.inter >= 1), e.name
        assert set(e.case_sensitive_aliases) <= set(e.aliases), e.name
        if e.kind == "state":
            assert e.state_of and "{" not in e.name, e.name
        if e.kind == "named":
            assert "{" not in e.name, e.name
        for code in e.countries:
            assert kb.countries.by_iso2(code), (e.name, code)


def _scope(entry):
    if entry.state_of:
        return {entry.state_of}
    return set(entry.countries) or None  # None: anywhere


def test_every_alias_is_unambiguous_or_declared(kb):
    """Shared aliases need entries in disjoint countries, or a line in `ambiguous:`."""
    problems = []
    for entry in kb.actors:
        for alias in entry.aliases:
            found = kb.candidates(alias)
            if len(found) < 2 or fold(alias) in kb.ambiguous:
                continue
            scopes = [_scope(e) for e in found]
            for i in range(len(scopes)):
                for j in range(i + 1, len(scopes)):
                    a, b = scopes[i], scopes[j]
                    if a is None or b is None or a & b:
                        problems.append(f"{alias!r}: {found[i].name} / {found[j].name}")
    assert not problems, "\n".join(sorted(set(problems))[:30])


def test_all_caps_aliases_are_case_sensitive(kb):
    hts = kb.actor("Hayat Tahrir al-Sham")
    assert "HTS" in hts.case_sensitive_aliases
    assert "Tahrir al-Sham" not in hts.case_sensitive_aliases
    is_entry = kb.actor("Islamic State ({country})")
    assert "IS" in is_entry.case_sensitive_aliases and "ISIS" in is_entry.case_sensitive_aliases
    flagged = {alias for alias, cs, _ in kb.actor_aliases() if cs}
    assert "Hamas" not in flagged  # "HAMAS" written too: the case-insensitive form wins


@pytest.mark.parametrize("alias", [
    "HTS", "Hay'at Tahrir al-Sham", "Hayyaat Tahrir Al-Sham", "Hayat Tahrir al Sham", "Tahrir al-Sham",
    "Hayaat Tahrir al-Sham", "Hayat Tahrir Al-Sham", "hayat tahrir al-sham", "Hay’at Tahrir al-Sham",
])
def test_hts_transliterations(kb, alias):
    assert names(kb, alias) == ["Hayat Tahrir al-Sham"]


@pytest.mark.parametrize("alias, expected", [
    ("Islamic Party of Liberation", "Hizb ut-Tahrir"),
    ("Hizb ut Tahrir", "Hizb ut-Tahrir"),
    ("Russian forces", "Military Forces of Russia (2000-)"),
    ("the Russian army", None),  # "the" is not part of the alias: the matcher finds "Russian army"
    ("Russian army", "Military Forces of Russia (2000-)"),
    ("forces of Russia", "Military Forces of Russia (2000-)"),
    ("Russian warplanes", "Military Forces of Russia (2000-) Air Force"),
    ("Syrian regime forces", "Military Forces of Syria (2000-)"),
    ("regime forces", "Military Forces of {state} ({military_since}-)"),
    ("Assad forces", "Military Forces of Syria (2000-)"),
    ("Iraqi police", "Police Forces of Iraq (2020-)"),
    ("Turkish gendarmerie", "Military Forces of Turkey (2016-) Gendarmerie"),
    ("soldiers of the Philippines", "Military Forces of the Philippines (2016-)"),
    ("Congolese army", "Military Forces of the Democratic Republic of Congo (2019-)"),
    ("FARDC", "Military Forces of the Democratic Republic of Congo (2019-)"),
    ("SDF", "QSD: Syrian Democratic Forces"),
    ("Hashd al-Shaabi", "Military Forces of Iraq (2020-) Popular Mobilization Forces"),
    ("Houthis", "Military Forces of Yemen (2016-) Supreme Political Council"),
    ("Tatmadaw", "Military Forces of Myanmar (2021-)"),
    ("Taliban", "Military Forces of Afghanistan (2021-)"),
    ("Pakistani Taliban", "TTP: Tehreek-i-Taliban Pakistan"),
    ("al-Shabab", "Al Shabaab"),
    ("ISWAP", "Islamic State (West Africa)"),
    ("Fulani herdsmen", "Fulani Ethnic Militia ({country})"),
    ("unknown gunmen", "Unidentified Armed Group ({country})"),
    ("demonstrators", "Protesters ({country})"),
    ("Clan del Golfo", "Gulf Clan"),
    ("women", "Women ({country})"),
    ("off-duty police officer", "Civilians ({country})"),
    ("retired soldier", "Civilians ({country})"),
    ("a detainee", "Civilians ({country})"),
])
def test_aliases_map_to_canonical_names(kb, alias, expected):
    found = names(kb, alias)
    if expected is None:
        assert found == []
    else:
        assert found[:1] == [expected], found


def test_resolve_picks_by_country(kb):
    assert kb.resolve("Internal Security Forces", "LB").name == "Police Forces of Lebanon (2016-)"
    assert kb.resolve("Internal Security Forces", "SY").name == "QSD: Syrian Democratic Forces"
    assert kb.resolve("Internal Security Forces").name == "QSD: Syrian Democratic Forces"
    assert kb.resolve("no such group") is None


def test_fill_name_and_inter(kb):
    generic = kb.actor("Military Forces of {state} ({military_since}-)")
    assert kb.fill_name(generic.name, "SY") == "Military Forces of Syria (2000-)"
    assert kb.fill_name(generic.name, "CF") == "Military Forces of the Central African Republic (2016-)"
    assert kb.fill_name("Police Forces of {state} ({police_since}-)", "IQ") == "Police Forces of Iraq (2020-)"
    assert kb.fill_name("Civilians ({country})", "PS") == "Civilians (Palestine)"
    assert kb.fill_name("Civilians ({country})", "") == "Civilians (Unknown)"
    assert kb.fill_name("Hayat Tahrir al-Sham", "SY") == "Hayat Tahrir al-Sham"
    russia = kb.actor("Military Forces of Russia (2000-)")
    assert kb.inter_for(russia, "RU") == 1 and kb.inter_for(russia, "UA") == 8
    assert kb.inter_for(kb.actor("Hayat Tahrir al-Sham"), "TR") == 2


def test_every_country_with_forces_has_state_entries(kb):
    for c in kb.countries:
        if c.military_since is None:
            continue
        mil = kb.fill_name("Military Forces of {state} ({military_since}-)", c.iso2)
        pol = kb.fill_name("Police Forces of {state} ({police_since}-)", c.iso2)
        assert kb.actor(mil) is not None and kb.actor(pol) is not None, c.name


def test_actor_aliases_feed_the_matcher(kb):
    rows = list(kb.actor_aliases())
    assert len(rows) > 10_000
    assert all(isinstance(a, str) and a == a.strip() and isinstance(cs, bool) for a, cs, _ in rows[:5000])
    from marsad.mentions.actors import ActorMatcher
    from marsad.records import Sentence

    matcher = ActorMatcher(rows)
    text = "HTS fighters clashed with Syrian regime forces while IS cells hid; this is quiet."
    found = {m.span.text: m.canonical for m in matcher.find(Sentence(0, 0, len(text), text))}
    assert found["HTS"] == "Hayat Tahrir al-Sham"
    assert found["Syrian regime forces"] == "Military Forces of Syria (2000-)"
    assert found["IS cells"] == "Islamic State ({country})"
    assert "is" not in found


def test_an_actor_word_before_a_modifier_noun_names_no_actor(kb):
    from marsad.mentions.actors import ActorMatcher
    from marsad.records import Sentence

    assert "coup" in kb.modifier_nouns
    matcher = ActorMatcher(kb.actor_aliases(), kb.modifier_nouns)
    text = "Protesters denounced the military coup; police fired tear gas at the army base."
    found = [m.span.text for m in matcher.find(Sentence(0, 0, len(text), text))]
    assert "military" not in found  # "the military coup" only describes the coup
    assert "police" in found and "the army" in found  # a target's noun ("army base") keeps its actor


@pytest.mark.parametrize("text, surface", [
    ("Ukrainian forces shot down a Russian Orlan-10 drone in the Kharkiv region.", "Russian Orlan-10 drone"),
    ("Air defence downed a Russian Tochka U missile near Popasna.", "Russian Tochka U missile"),
    ("Ukrainian forces shot down 1 Russian rocket over Kyiv region.", "Russian rocket"),
])
def test_a_sides_weapon_named_with_its_model_is_that_side(kb, text, surface):
    from marsad.mentions.actors import ActorMatcher
    from marsad.records import Sentence

    matcher = ActorMatcher(kb.actor_aliases(), kb.modifier_nouns)
    found = {m.span.text: m.canonical for m in matcher.find(Sentence(0, 0, len(text), text))}
    assert found[surface] == "Military Forces of Russia (2000-)"


def test_a_capitalised_phrase_that_makes_no_alias_is_no_actor(kb):
    from marsad.mentions.actors import ActorMatcher
    from marsad.records import Sentence

    matcher = ActorMatcher(kb.actor_aliases(), kb.modifier_nouns)
    text = "On 14 April 2022 residents of Old Town Square gathered."
    assert [m.span.text for m in matcher.find(Sentence(0, 0, len(text), text))] == ["residents"]


@pytest.mark.parametrize("text, surface, canonical", [
    ("The Banmauk PDF attacked the combined force of the military.", "Banmauk PDF",
     "People's Defense Force - Banmauk"),
    ("Fighters of the PDF - Kalay ambushed a convoy.", "PDF - Kalay", "People's Defense Force - Kalay"),
    ("A local PDF fired six shots at the soldiers.", "local PDF", "Unidentified Anti-Coup Armed Group"),
    # a capitalised word before the place makes another name: the general entry
    ("Black Wolf PDF and others attacked the police station.", "PDF", "PDF: People's Defense Force"),
])
def test_names_made_of_a_place_and_a_groups_word(kb, text, surface, canonical):
    from marsad.mentions.actors import ActorMatcher
    from marsad.records import Sentence

    matcher = ActorMatcher(kb.actor_aliases(), kb.modifier_nouns, kb.name_patterns)
    found = {m.span.text: (m.canonical, m.inter, m.country) for m in matcher.find(Sentence(0, 0, len(text), text))}
    assert found[surface][0] == canonical
    assert found[surface][2] == "MM"


@pytest.mark.parametrize("text, expected", [
    # an organisation the dictionary does not list, introduced with its acronym
    # (names made up for the test)
    ("Cadres of the Dawna Hills Revolutionary Army (DHRA) beat up five farmers.",
     ("Dawna Hills Revolutionary Army (DHRA)", "DHRA: Dawna Hills Revolutionary Army")),
    ("Joint forces of the Myaing Villages Revolution Front (MVRF) attacked the camp.",
     ("Myaing Villages Revolution Front (MVRF)", "MVRF: Myaing Villages Revolution Front")),
    # joining words between the initials
    ("The Movement for the Liberation of Kivu (MLK) ambushed a convoy.",
     ("Movement for the Liberation of Kivu (MLK)", "MLK: Movement for the Liberation of Kivu")),
    # an office is introduced the same way but is no armed group
    ("Ballots of the National Electoral Institute (INE) were stolen.", None),
    # the acronym must spell the name's initials
    ("Fighters of the Black Leopard Force (BLX) fired shots.", None),
])
def test_organisations_introduced_with_their_acronym(kb, text, expected):
    from marsad.mentions.actors import ActorMatcher
    from marsad.records import Sentence

    matcher = ActorMatcher(kb.actor_aliases(), kb.modifier_nouns, kb.name_patterns, kb.introduced_names)
    found = [(m.span.text, m.canonical) for m in matcher.find(Sentence(0, 0, len(text), text))]
    if expected is None:
        assert not any(":" in canonical for _, canonical in found), found
    else:
        assert expected in found


def test_a_known_organisation_keeps_its_dictionary_name(kb):
    from marsad.mentions.actors import ActorMatcher
    from marsad.records import Sentence

    matcher = ActorMatcher(kb.actor_aliases(), kb.modifier_nouns, kb.name_patterns, kb.introduced_names)
    text = "Fighters of the Syrian Democratic Forces (SDF) took the village."
    names = {m.canonical for m in matcher.find(Sentence(0, 0, len(text), text))}
    assert names == {"QSD: Syrian Democratic Forces"}


def test_a_users_file_adds_heads_of_introduced_names(tmp_path, monkeypatch):
    (tmp_path / "actors.yaml").write_text("version: 1\nintroduced_names:\n  heads: [Squadron]\n  inter: 3\n",
                                          encoding="utf-8")
    monkeypatch.setenv("MARSAD_KNOWLEDGE", str(tmp_path))
    kb = load_knowledge()
    assert {"squadron", "army"} <= kb.introduced_names.heads and kb.introduced_names.inter == 3


@pytest.mark.parametrize("text, surface, canonical", [
    ("Two members from Marehan clan militia shot a driver.", "Marehan clan militia", "Marehan Clan Militia ({country})"),
    ("Suspected Dhulbahante-Hassan Ugas sub-clan militia killed two civilians.",
     "Dhulbahante-Hassan Ugas sub-clan militia", "Dhulbahante-Hassan Ugas Sub-Clan Militia ({country})"),
    ("Batwa ethnic militiamen attacked civilians.", "Batwa ethnic militiamen", "Batwa Ethnic Militia ({country})"),
    ("Clashes erupted between Al Lahaq tribesmen in Ahwar city.", "Al Lahaq tribesmen", "Al Lahaq Tribal Militia ({country})"),
    ("Bani Nawf tribesmen attacked the checkpoint.", "Bani Nawf tribesmen", "Bani Nawf Tribal Militia ({country})"),
    # unnamed: the generic militias
    ("Rival clan militias clashed.", "clan militias", "Unidentified Tribal Militia ({country})"),
    ("Unidentified tribesmen ambushed a convoy.", "tribesmen", "Unidentified Tribal Militia ({country})"),
    ("Members of an unidentified cult militia shot sporadically.", "an unidentified cult militia",
     "Unidentified Cult Militia ({country})"),
])
def test_named_and_unnamed_clan_ethnic_and_cult_militias(kb, text, surface, canonical):
    from marsad.mentions.actors import ActorMatcher
    from marsad.records import Sentence

    matcher = ActorMatcher(kb.actor_aliases(), kb.modifier_nouns, kb.name_patterns, kb.introduced_names)
    found = {m.span.text: m.canonical for m in matcher.find(Sentence(0, 0, len(text), text))}
    assert found.get(surface) == canonical, found


def test_a_users_name_pattern_names_actors(tmp_path, monkeypatch):
    from marsad.mentions.actors import ActorMatcher
    from marsad.records import Sentence

    (tmp_path / "actors.yaml").write_text(
        "version: 1\nname_patterns:\n"
        "  - pattern: '(?P<place>[A-Z][a-z]+) Self-Defence Unit'\n"
        "    name: 'Self-Defence Unit of {place}'\n    inter: 4\n    countries: [CD]\n    requires: [Self-Defence]\n"
        "    not_places: [The]\n", encoding="utf-8")
    monkeypatch.setenv("MARSAD_KNOWLEDGE", str(tmp_path))
    kb = load_knowledge()
    matcher = ActorMatcher(kb.actor_aliases(), kb.modifier_nouns, kb.name_patterns)
    text = "The Kibirizi Self-Defence Unit clashed with The Self-Defence Unit."
    found = [(m.span.text, m.canonical, m.inter) for m in matcher.find(Sentence(0, 0, len(text), text))]
    assert ("Kibirizi Self-Defence Unit", "Self-Defence Unit of Kibirizi", 4) in found
    assert not any(c == "Self-Defence Unit of The" for _, c, _ in found)


def test_loading_is_cached():
    # (how fast is measured by benchmarks/, never by a timed test)
    _load.cache_clear()
    first = load_knowledge()
    assert load_knowledge() is first


# ---------------------------------------------------------------- user files


def test_user_dir_adds_and_extends(tmp_path, monkeypatch):
    (tmp_path / "actors.yaml").write_text(
        "version: 1\n"
        "named:\n"
        "  - name: Brigade of the Test Valley\n"
        "    inter: 3\n"
        "    countries: [SY]\n"
        "    aliases: [Test Valley Brigade, BTV]\n"
        "  - name: Hayat Tahrir al-Sham\n"
        "    aliases: [Hayat Tahrir el-Sham]\n"
        "ambiguous: [rangers]\n",
        encoding="utf-8",
    )
    (tmp_path / "countries-extra.yaml").write_text(
        "- iso2: SY\n  aliases: [Souria]\n", encoding="utf-8")
    monkeypatch.setenv("MARSAD_KNOWLEDGE", str(tmp_path))
    kb = load_knowledge()
    assert names(kb, "test valley brigade") == ["Brigade of the Test Valley"]
    assert "BTV" in kb.actor("Brigade of the Test Valley").case_sensitive_aliases
    assert names(kb, "Hayat Tahrir el-Sham") == ["Hayat Tahrir al-Sham"]
    assert "HTS" in kb.actor("Hayat Tahrir al-Sham").aliases  # extended, not replaced
    assert kb.countries.by_name("Souria").iso2 == "SY"
    assert "rangers" in kb.ambiguous
    monkeypatch.delenv("MARSAD_KNOWLEDGE")
    assert names(load_knowledge(), "test valley brigade") == []


def test_extra_dirs_argument(tmp_path):
    (tmp_path / "actors-local.yaml").write_text(
        "generic:\n  - name: Night Raiders ({country})\n    inter: 3\n    aliases: [night raiders]\n",
        encoding="utf-8")
    kb = load_knowledge((str(tmp_path),))
    assert kb.actor("Night Raiders ({country})").kind == "generic"


@pytest.mark.parametrize("content, message", [
    ("named:\n  - name: X\n    inter: 3\n    aliases: [a\n", "not valid YAML"),
    ("named:\n  - name: Bad Group\n    inter: 12\n    aliases: [bad group]\n", "'Bad Group'"),
    ("named:\n  - name: Bad Group\n    inter: 2\n    countries: [QQ]\n    aliases: [x]\n", "unknown country code"),
    ("named:\n  - inter: 2\n    aliases: [x]\n", "named entry 1"),
    ("named:\n  - name: Military Forces of {state}\n    inter: 1\n    aliases: [x]\n", "needs 'state_of'"),
    ("named:\n  - name: Odd\n    inter: 2\n    alias: [x]\n", "unknown field"),
    ("named: {name: x}\n", "'named' must be a list"),
    ("version: 2\n", "unsupported version"),
    ("- just a list\n", "expected a mapping"),
    ("name_patterns:\n  - pattern: '(?P<place>[A-Z]\\w+) Brigade'\n    name: Brigade\n    inter: 3\n", "{place}"),
    ("name_patterns:\n  - pattern: '(?P<place>[A-Z'\n    name: '{place} Brigade'\n    inter: 3\n", "bad pattern"),
    ("name_patterns:\n  - pattern: '(?P<place>[A-Z]\\w+) Brigade'\n    name: '{place} Brigade'\n", "'inter'"),
    ("name_patterns:\n  - pattern: '(?P<place>[A-Z]\\w+) Brigade'\n    name: '{place} Brigade'\n    inter: 3\n",
     "'requires'"),
])
def test_malformed_user_file_is_one_line_error(tmp_path, monkeypatch, content, message):
    path = tmp_path / "actors.yaml"
    path.write_text(content, encoding="utf-8")
    monkeypatch.setenv("MARSAD_KNOWLEDGE", str(tmp_path))
    with pytest.raises(KnowledgeError) as err:
        load_knowledge()
    text = str(err.value)
    assert "\n" not in text and str(path) in text and message in text


def test_malformed_countries_file(tmp_path, monkeypatch):
    (tmp_path / "countries.yaml").write_text("- iso2: ZZ\n  name: Zedland\n", encoding="utf-8")
    monkeypatch.setenv("MARSAD_KNOWLEDGE", str(tmp_path))
    with pytest.raises(KnowledgeError, match=r"countries\.yaml: country 1 \('Zedland'\): 'iso3' is required"):
        load_knowledge()


def test_missing_user_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MARSAD_KNOWLEDGE", str(tmp_path / "nope"))
    with pytest.raises(KnowledgeError, match="knowledge directory not found"):
        load_knowledge()


# ---------------------------------------------------------------- gold coverage


def _drop_years(name: str) -> str:
    return re.sub(r"\s*\(\d{4}-\d{0,4}\)", "", name).strip()


@pytest.mark.gold
@pytest.mark.skipif(not GOLD_ACLED.exists(), reason="../shared/gold not present")
def test_acled_actor_name_coverage(kb):
    """Share of distinct ACLED 2022 actor1 names (years dropped) our dictionary can produce."""
    gold = set()
    with open(GOLD_ACLED, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["actor1"]:
                gold.add(_drop_years(row["actor1"]))
    ours = set()
    countries = [c.iso2 for c in kb.countries]
    for entry in kb.actors:
        if "{" in entry.name:
            for cc in countries:
                ours.add(_drop_years(kb.fill_name(entry.name, cc)))
        else:
            ours.add(_drop_years(entry.name))
    covered = gold & ours
    share = len(covered) / len(gold)
    print(f"\nACLED 2022h1 actor1 names covered: {len(covered)}/{len(gold)} = {share:.1%}")
    assert share >= 0.5


@pytest.mark.parametrize("actor, where, sub, expected", [
    # Russia's air force is named in Ukraine, also for "Russian forces conducted airstrikes"
    ("Military Forces of Russia (2000-)", "UA", "Air/drone strike", "Military Forces of Russia (2000-) Air Force"),
    ("Military Forces of Russia (2000-) Air Force", "UA", "Air/drone strike", "Military Forces of Russia (2000-) Air Force"),
    # ... not over Syria, and not in its shelling
    ("Military Forces of Russia (2000-) Air Force", "SY", "Air/drone strike", "Military Forces of Russia (2000-)"),
    ("Military Forces of Russia (2000-)", "UA", "Shelling/artillery/missile attack", "Military Forces of Russia (2000-)"),
    # other states' warplanes are their forces
    ("Military Forces of Burkina Faso (2022-) Air Force", "BF", "Air/drone strike", "Military Forces of Burkina Faso (2022-)"),
    ("Civilians (Ukraine)", "UA", "Air/drone strike", "Civilians (Ukraine)"),
])
def test_units_are_named_where_acled_names_them(kb, actor, where, sub, expected):
    assert kb.conventional_name(actor, where, sub) == expected


def test_a_unit_rule_must_be_a_mapping(tmp_path):
    (tmp_path / "actors.yaml").write_text(
        "version: 1\nstate_templates:\n  military:\n    units:\n      - suffix: Air Force\n"
        "        words: [jets]\n        named_where: [RU]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="named_where"):
        _load((str(tmp_path),), ())


def test_a_trigger_pattern_in_capitals_is_refused(tmp_path, monkeypatch):
    from marsad.knowledge.lexicons import load_triggers

    # patterns run against the lower-cased sentence: "Refugees" could never match
    (tmp_path / "triggers.yaml").write_text(
        "version: 1\nclasses:\n  other:\n    kind: main\n    weight: 0.5\n    patterns:\n"
        "      - Refugees arrived\n      - '[A-Za-z]+ fled \\W'\n", encoding="utf-8")
    monkeypatch.setenv("MARSAD_KNOWLEDGE", str(tmp_path))
    with pytest.raises(KnowledgeError, match="'Refugees arrived' has capital letters"):
        load_triggers()


def test_us_forces_act_as_the_coalition_in_syria_and_iraq(kb):
    us = "Military Forces of the United States (2021-)"
    assert kb.conventional_name(us, "SY", "Change to group/activity") == "Global Coalition Against Daesh"
    assert kb.conventional_name(us, "IQ", "Air/drone strike") == "Global Coalition Against Daesh"
    assert kb.conventional_name(us, "SO", "Air/drone strike") == us


def _duplicate_keys(path) -> list:
    """Mapping keys written twice in one YAML mapping (a YAML loader keeps the last silently)."""
    import collections

    import yaml

    found = []

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        keys = [loader.construct_object(k, deep=True) for k, _ in node.value]
        found.extend(k for k, n in collections.Counter(map(str, keys)).items() if n > 1)
        return loader.construct_mapping(node, deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    with open(path, encoding="utf-8") as fh:
        yaml.load(fh, Loader=Loader)
    return found


def test_shipped_data_files_write_no_key_twice():
    from pathlib import Path

    import marsad

    root = Path(marsad.__file__).parent
    files = sorted(root.glob("*/data/*.yaml"))
    assert len(files) >= 8
    assert {str(p.relative_to(root)): _duplicate_keys(p) for p in files} == {str(p.relative_to(root)): [] for p in files}


def test_an_adjective_shares_the_noun_after_a_one_word_name(kb):
    from marsad.mentions.actors import ActorMatcher
    from marsad.records import Sentence

    matcher = ActorMatcher(kb.actor_aliases(), kb.modifier_nouns, kb.name_patterns)
    text = "Turkish and JWS forces shelled YPG positions in Menagh town."
    found = {m.span.text: m.canonical for m in matcher.find(Sentence(0, 0, len(text), text))}
    assert found["Turkish"] == "Military Forces of Turkey (2016-)"
