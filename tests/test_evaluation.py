"""`marsad eval`: metric functions, the scorers on hand-made events, and the
CLI on tiny gold files written here (invented rows, ACLED/GTD/CASE columns)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from marsad.cli import cli, main
from marsad.evaluation import acled, case2021, common, default_gold_dir, gold_file, gtd, report
from marsad.errors import InputError
from marsad.records import Document, DocumentResult, Event

# ----------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------


def event(sub: str = "Attack", **kw) -> Event:
    base = dict(event_id=kw.pop("event_id", "e1"), event_date="2022-03-01", time_precision=1,
                disorder_type="Political violence", event_type=common.EVENT_TYPE_OF[sub], sub_event_type=sub)
    base.update(kw)
    return Event(**base)


class FakePipeline:
    """Returns the events registered for a document's text (none otherwise)."""

    def __init__(self, by_text: dict[str, tuple[Event, ...]]):
        self.by_text = by_text
        self.seen: list[Document] = []

    def process(self, document: Document) -> DocumentResult:
        self.seen.append(document)
        return DocumentResult(document, None, self.by_text.get(document.raw, ()))

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


ACLED_HEADER = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                "fatalities", "tags", "timestamp"]

# Invented rows in ACLED's columns (not taken from any dataset).
TEXT_A = "On 1 March 2022, gunmen shot dead two farmers in Qaryat Test (Zed)."
TEXT_B = "On 2 March 2022, police arrested a journalist in Testville."
TEXT_C = "On 3 March 2022, residents marched in Demo Town."


def acled_row(eid, date_, etype, sub, actor1, actor2, region, country, admin1, lat, lon, notes, fat):
    row = dict.fromkeys(ACLED_HEADER, "")
    row.update(event_id_cnty=eid, event_date=date_, year=date_[:4], time_precision="1", event_type=etype,
               sub_event_type=sub, actor1=actor1, actor2=actor2, region=region, country=country, admin1=admin1,
               location="X", latitude=str(lat), longitude=str(lon), notes=notes, fatalities=str(fat))
    return row


def write_acled(path: Path) -> Path:
    rows = [
        acled_row("TST1", "2022-03-01", "Violence against civilians", "Attack",
                  "Unidentified Armed Group (Syria)", "Civilians (Syria)", "Middle East", "Syria", "Zed",
                  35.0, 36.0, TEXT_A, 2),
        acled_row("TST2", "2022-03-02", "Strategic developments", "Arrests",
                  "Police Forces of Testland (2001-)", "Civilians (Testland)", "Europe", "Testland", "Nord",
                  50.0, 10.0, TEXT_B, 0),
        acled_row("TST3", "2022-03-03", "Protests", "Peaceful protest",
                  "Protesters (Testland)", "", "Europe", "Testland", "Sud", 45.0, 11.0, TEXT_C, 0),
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ACLED_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def acled_fake() -> FakePipeline:
    return FakePipeline({
        TEXT_A: (event("Armed clash", event_id="a0"),
                 event("Attack", event_id="a1", actor1="Unidentified Armed Group (Syria)",
                       actor2="civilians (syria)", admin1="Zéd", latitude=35.05, longitude=36.0, fatalities=2)),
        TEXT_B: (event("Arrests", actor1="Police Forces of Testland", actor2="Civilians (Testland)", admin1="Nord",
                       latitude=50.5, longitude=10.0, event_date="2022-03-02", fatalities=0),),
    })


# ----------------------------------------------------------------------
# metric functions
# ----------------------------------------------------------------------


def test_weighted_f1_hand_computed():
    pairs = [("A", "A"), ("A", "A"), ("A", "B"), ("B", "B"), ("C", common.NO_EVENT)]
    # A: p=1, r=2/3 -> F1 0.8 (support 3); B: p=1/2, r=1 -> 2/3 (support 1); C: 0 (support 1)
    expected = (3 * 0.8 + 1 * (2 / 3) + 0) / 5
    assert common.weighted_f1(pairs) == pytest.approx(expected)
    assert common.weighted_f1([("A", "A")]) == 1.0
    assert common.weighted_f1([]) == 0.0
    assert common.weighted_f1([("A", "B"), ("B", "A")]) == 0.0


def test_confusions_only_disagreements_most_common_first():
    pairs = [("A", "B"), ("A", "B"), ("C", "D"), ("A", "A")]
    assert common.confusions(pairs) == [("A", "B", 2), ("C", "D", 1)]


@pytest.mark.parametrize("gold, predicted", [
    ("Military Forces of Syria (2000-)", "military forces of syria"),
    ("Police Forces of India (2014-2022)", "Police Forces of India"),
    ("Police Forces of India (2014- )", "POLICE FORCES OF INDIA"),
    ("Hay'at Tahrir al-Sham", "hay'at tahrir al-sham"),
    ("", ""),
    ("Protesters (Brasil)", "protesters (brasil)"),
    ("Forças Armadas", "Forcas armadas"),
])
def test_actor_names_agree(gold, predicted):
    assert common.same_actor(gold, predicted)


@pytest.mark.parametrize("gold, predicted", [
    ("Protesters (Syria)", "Protesters"),  # the country qualifier is part of the name
    ("Military Forces of Syria (2000-)", ""),
    ("", "Civilians (Syria)"),
    ("Hayat Tahrir al-Sham", "Hay'at Tahrir al-Sham"),
])
def test_actor_names_differ(gold, predicted):
    assert not common.same_actor(gold, predicted)


def test_actor_pair_needs_both_and_empty_equals_empty():
    assert common.same_actor_pair("Protesters (Chile)", "", "protesters (chile)", "")
    assert not common.same_actor_pair("Protesters (Chile)", "", "Protesters (Chile)", "Police Forces of Chile")
    assert not common.same_actor_pair("A", "B", "B", "A")


def test_admin1_case_and_diacritics_but_empty_gold_never_matches():
    assert common.same_admin("Ḥalab", "halab")
    assert common.same_admin("Deir ez-Zor", "DEIR EZ-ZOR")
    assert not common.same_admin("", "")
    assert not common.same_admin("Idlib", "Aleppo")


def test_within_km():
    # 0.05 degree of latitude is about 5.6 km; 0.1 degree about 11.1 km
    assert common.within_km(35.05, 36.0, 35.0, 36.0)
    assert not common.within_km(35.1, 36.0, 35.0, 36.0)
    assert common.within_km(35.0, 36.0, 35.0, 36.0, km=0.001)
    assert not common.within_km(None, 36.0, 35.0, 36.0)
    assert not common.within_km(35.0, 36.0, None, None)
    # Damascus - Aleppo is about 310 km
    assert common.haversine_km(33.513, 36.292, 36.202, 37.134) == pytest.approx(310, abs=10)


def test_best_match_prefers_sub_type_then_event_type_then_first():
    clash, shelling, attack = event("Armed clash", event_id="c"), event("Shelling/artillery/missile attack",
                                                                         event_id="s"), event("Attack", event_id="a")
    assert common.best_match([clash, shelling, attack], ["Attack"], ["Violence against civilians"]) is attack
    air = event("Air/drone strike", event_id="d")
    assert common.best_match([clash, shelling, air], ["Remote explosive/landmine/IED"],
                             ["Explosions/Remote violence"]) is shelling
    assert common.best_match([clash, shelling], ["Arrests"], ["Strategic developments"]) is clash
    assert common.best_match([], ["Attack"], []) is None


def test_parse_numbers():
    assert common.parse_int("6.0") == 6 and common.parse_int("") is None and common.parse_int("x") is None
    assert common.parse_float("nan") is None and common.parse_float("33.5") == 33.5


def test_sample_is_deterministic_every_nth_then_filter_then_limit():
    rows = [{"n": str(i), "c": "S" if i % 2 else "T"} for i in range(20)]
    assert [r["n"] for r in common.sample(rows, every=5)] == ["0", "5", "10", "15"]
    assert [r["n"] for r in common.sample(rows, every=5, keep=lambda r: r["c"] == "S")] == ["5", "15"]
    assert [r["n"] for r in common.sample(rows, limit=3)] == ["0", "1", "2"]


# ----------------------------------------------------------------------
# scorers on hand-made events
# ----------------------------------------------------------------------


def test_acled_scores_all_documents_and_picks_best_match(tmp_path):
    path = write_acled(tmp_path / "acled.csv")
    pipe = acled_fake()
    records: list[dict] = []
    result = acled.evaluate(path, pipe, errors=records.append)
    o = result["overall"]
    assert result["documents"] == o["documents"] == 3
    assert o["coverage"] == pytest.approx(2 / 3)
    assert o["extra_events"] == pytest.approx(1 / 3)  # doc A has one extra
    # doc A: matched the Attack event, all fields right; doc B: everything but
    # the 10 km (50.5 vs 50.0 = 55 km); doc C: no event, all wrong
    assert o["sub_event_type"] == pytest.approx(2 / 3)
    assert o["event_type"] == pytest.approx(2 / 3)
    assert o["actor1"] == pytest.approx(2 / 3)  # years dropped: "(2001-)"
    assert o["actor_pair"] == pytest.approx(2 / 3)
    assert o["admin1"] == pytest.approx(2 / 3)  # "Zéd" == "Zed"
    assert o["location_10km"] == pytest.approx(1 / 3)
    assert o["fatalities"] == pytest.approx(2 / 3)
    assert o["event_date"] == pytest.approx(2 / 3)
    assert o["time_precision"] == pytest.approx(2 / 3)
    # weighted F1: Attack 1, Arrests 1, Peaceful protest 0 (predicted nothing)
    assert o["sub_event_f1"] == pytest.approx(2 / 3)
    assert result["focus"]["documents"] == 1 and result["focus"]["sub_event_type"] == 1.0
    assert set(result["by_region"]) == {"Middle East", "Europe"}
    assert result["by_region"]["Europe"]["documents"] == 2
    assert result["confusions"] == [["Peaceful protest", common.NO_EVENT, 1]]
    # the documents given to the pipeline
    first = pipe.seen[0]
    assert first.id == "acled-TST1" and first.published.isoformat() == "2022-03-01"
    assert first.published_from == "input" and first.kind == "text" and first.raw == TEXT_A
    # errors: B (place) and C (everything); A agrees on every field
    assert [r["id"] for r in records] == ["TST2", "TST3"]
    assert records[0]["mismatched"] == ["location_10km"]
    assert records[0]["predicted"]["sub_event_type"] == "Arrests"
    assert records[1]["predicted"] is None and records[1]["n_events"] == 0
    assert set(records[1]["mismatched"]) == set(acled.FIELDS)
    assert records[1]["text"] == TEXT_C and records[1]["gold"]["sub_event_type"] == "Peaceful protest"


def test_acled_country_filter_and_limit(tmp_path):
    path = write_acled(tmp_path / "acled.csv")
    result = acled.evaluate(path, acled_fake(), country="testland")
    assert result["documents"] == 2 and result["focus"]["documents"] == 0
    assert acled.evaluate(path, acled_fake(), limit=1)["documents"] == 1


def test_acled_empty_file_gives_zero_metrics_not_errors(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(",".join(ACLED_HEADER) + "\n", encoding="utf-8")
    result = acled.evaluate(path, FakePipeline({}))
    assert result["documents"] == 0 and result["overall"]["coverage"] == 0.0


def test_acled_missing_column_is_one_line_input_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("notes,event_date\nhello,2022-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        acled.evaluate(path, FakePipeline({}))


def test_gtd_acceptable_types():
    assert gtd.acceptable("Bombing/Explosion", False) >= {"Remote explosive/landmine/IED"}
    assert gtd.acceptable("Bombing/Explosion", True) == {"Suicide bomb"}
    assert gtd.acceptable("Armed Assault", True) == {"Attack", "Armed clash", "Suicide bomb"}
    assert gtd.acceptable("Hostage Taking (Kidnapping)", False) == {"Abduction/forced disappearance"}
    # a kidnapping GTD counts deaths in is an ACLED attack too
    assert gtd.acceptable("Hostage Taking (Kidnapping)", False, 3) == {"Abduction/forced disappearance", "Attack"}
    assert gtd.acceptable("Hostage Taking (Kidnapping)", False, 0) == {"Abduction/forced disappearance"}
    assert gtd.acceptable("Unknown", True) == frozenset()
    assert all(s in common.EVENT_TYPE_OF for subs in gtd.ACCEPTABLE.values() for s in subs)


def test_gtd_scores_type_place_and_counts(tmp_path):
    path = tmp_path / "gtd.csv"
    header = list(gtd.REQUIRED_COLUMNS)
    texts = ["A car bomb went off in Testabad, killing 3 and wounding 4.",
             "Gunmen kidnapped an engineer in Testabad.",
             "An attack of unknown kind in Testabad."]
    rows = [
        ["2015-01-02", "Bombing/Explosion", "Explosives", "0", texts[0], "33.0", "44.0", "3.0", "4.0", "T", "S"],
        ["2015-01-03", "Hostage Taking (Kidnapping)", "Firearms", "0", texts[1], "33.0", "44.0", "0.0", "0.0",
         "T", "S"],
        ["2015-01-04", "Unknown", "Unknown", "0", texts[2], "33.0", "44.0", "1.0", "0.0", "T", "S"],
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    pipe = FakePipeline({
        texts[0]: (event("Remote explosive/landmine/IED", latitude=33.01, longitude=44.0, fatalities=3, injuries=4),),
        texts[1]: (event("Arrests", latitude=34.0, longitude=44.0),),
        texts[2]: (event("Attack", fatalities=1),),
    })
    records: list[dict] = []
    result = gtd.evaluate(path, pipe, errors=records.append)
    o = result["overall"]
    assert o["documents"] == 3 and o["typed_documents"] == 2
    assert o["type_agreement"] == pytest.approx(1 / 2)
    assert o["place_10km"] == pytest.approx(1 / 3)
    assert o["killed"] == pytest.approx(1.0)
    assert o["wounded"] == pytest.approx(1.0)  # no injuries reported == 0 wounded
    assert pipe.seen[0].published.isoformat() == "2015-01-02"
    assert [r["mismatched"] for r in records] == [["type_agreement", "place_10km"], ["place_10km"]]


def test_case2021_f1_and_non_political_false_positives(tmp_path):
    labels = tmp_path / case2021.LABELS_FILE
    labels.write_text("\n".join(sorted(case2021.SUB_EVENT_OF)) + "\n", encoding="utf-8")
    data = tmp_path / case2021.FILE_NAME
    snippets = [("1", "Police detained three activists.", "ARREST"),
                ("2", "Jets bombed the village.", "AIR_STRIKE"),
                ("3", "A flood hit the valley.", "NATURAL_DISASTER"),
                ("4", "The team won the cup.", "SPORTS")]
    data.write_text("id\tEventSnippet\tSubType\n" + "".join(f"{i}\t{t}\t{s}\n" for i, t, s in snippets),
                    encoding="utf-8")
    pipe = FakePipeline({
        snippets[0][1]: (event("Arrests"),),
        snippets[1][1]: (event("Shelling/artillery/missile attack"),),
        snippets[2][1]: (event("Attack"),),
    })
    records: list[dict] = []
    result = case2021.evaluate(data, pipe, errors=records.append)
    o = result["overall"]
    assert o["political_documents"] == 2 and o["non_political_documents"] == 2
    assert o["sub_event_type"] == pytest.approx(0.5) and o["event_type"] == pytest.approx(1.0)
    assert o["sub_event_f1"] == pytest.approx(0.5)
    assert o["non_political_fp"] == pytest.approx(0.5)
    assert result["false_positives_by_label"] == {"NATURAL_DISASTER": 1}
    assert pipe.seen[0].published == case2021.PUBLISHED
    assert [r["id"] for r in records] == ["2", "3"]


def test_case2021_unknown_label_in_label_file_is_an_error(tmp_path):
    labels = tmp_path / case2021.LABELS_FILE
    labels.write_text("ARREST\nNEW_LABEL\n", encoding="utf-8")
    (tmp_path / case2021.FILE_NAME).write_text("id\tEventSnippet\tSubType\n", encoding="utf-8")
    with pytest.raises(InputError, match="NEW_LABEL"):
        case2021.evaluate(tmp_path / case2021.FILE_NAME, FakePipeline({}))


def test_case2021_mapping_targets_are_codebook_sub_types():
    assert len(case2021.SUB_EVENT_OF) == 25
    assert set(case2021.SUB_EVENT_OF.values()) <= set(common.EVENT_TYPE_OF)


# ----------------------------------------------------------------------
# report and gold-file lookup
# ----------------------------------------------------------------------


def test_report_renders_table_and_json(tmp_path):
    result = acled.evaluate(write_acled(tmp_path / "a.csv"), acled_fake())
    text = report.render(result)
    assert "overall" in text and "Syria" in text and "Europe" in text
    assert "Peaceful protest" in text and "docs/s" in text
    assert json.loads(report.to_json(result))["overall"]["documents"] == 3


def test_error_file_writes_jsonl(tmp_path):
    target = tmp_path / "errors.jsonl"
    with report.ErrorFile(target) as sink:
        sink({"id": "x", "text": "نص"})
        sink({"id": "y"})
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["x", "y"] and sink.count == 2


def test_gold_file_missing_is_input_error(tmp_path):
    with pytest.raises(InputError, match="gold file not found"):
        gold_file("acled", tmp_path)
    (tmp_path / "acled_2022h1.csv").write_text("x\n", encoding="utf-8")
    assert gold_file("acled", tmp_path) == tmp_path / "acled_2022h1.csv"


def test_default_gold_dir_is_beside_the_current_directory(tmp_path):
    (tmp_path / "shared" / "gold" / "dev").mkdir(parents=True)
    (tmp_path / "repo").mkdir()
    assert default_gold_dir(tmp_path / "repo") == (tmp_path / "shared" / "gold" / "dev").resolve()
    # otherwise: beside the checkout holding the package
    fallback = default_gold_dir(tmp_path)
    assert fallback.parts[-3:] == ("shared", "gold", "dev")


# ----------------------------------------------------------------------
# the CLI
# ----------------------------------------------------------------------


@pytest.fixture
def fake_pipeline(monkeypatch):
    import marsad.pipeline

    monkeypatch.setattr(marsad.pipeline, "Pipeline", lambda **kw: acled_fake())


def test_cli_eval_acled_table(tmp_path, fake_pipeline):
    write_acled(tmp_path / "acled_2022h1.csv")
    result = CliRunner().invoke(cli, ["eval", "acled", "--gold-dir", str(tmp_path), "-q"])
    assert result.exit_code == 0, result.output
    assert "overall" in result.stdout and "sub" in result.stdout and "Syria" in result.stdout
    assert "3 documents in" in result.stdout


def test_cli_eval_acled_json_country_and_errors(tmp_path, fake_pipeline):
    write_acled(tmp_path / "acled_2022h1.csv")
    errors = tmp_path / "out" / "errors.jsonl"
    errors.parent.mkdir()
    result = CliRunner().invoke(cli, ["eval", "acled", "--gold-dir", str(tmp_path), "--json", "--country",
                                      "Testland", "--errors", str(errors)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["documents"] == 2 and data["country"] == "Testland"
    assert "docs/s" in result.stderr and "error records written" in result.stderr
    records = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["TST2", "TST3"]
    assert {"text", "gold", "predicted", "mismatched"} <= set(records[0])
    assert records[0]["predicted"]["evidence"] == []


def test_cli_country_only_for_acled(tmp_path):
    result = CliRunner().invoke(cli, ["eval", "gtd", "--country", "Iraq", "--gold-dir", str(tmp_path)])
    assert result.exit_code == 2


def test_cli_missing_gold_file_exits_2_with_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", "acled", "--gold-dir", str(tmp_path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("marsad: error:") and "acled_2022h1.csv" in err


def test_cli_unreadable_error_file_exits_2(tmp_path, capsys, fake_pipeline):
    write_acled(tmp_path / "acled_2022h1.csv")
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", "acled", "--gold-dir", str(tmp_path), "--errors", str(tmp_path / "no" / "dir" / "e.jsonl")])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("marsad: error:")


def test_cli_real_pipeline_on_invented_rows(tmp_path):
    """End to end with the real Pipeline: runs and reports, whatever it extracts."""
    write_acled(tmp_path / "acled_2022h1.csv")
    result = CliRunner().invoke(cli, ["eval", "acled", "--gold-dir", str(tmp_path), "--json", "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["documents"] == 3
    assert 0.0 <= data["overall"]["sub_event_type"] <= 1.0
