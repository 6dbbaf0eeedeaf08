"""Importing gazetteer files: format detection, lookups, idempotency, bad files.

Every file here is written by the tests (a handful of public-knowledge places,
rounded coordinates)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from marsad.errors import GazetteerError
from marsad.geo import Gazetteer
from marsad.geo.importers import detect, import_files
from marsad.geo.index import create_empty, default_path

CSV_TEXT = """name,alternate_names,latitude,longitude,admin1,admin2,country
Sarmada,سرمدا|Sarmeda,36.19,36.72,Idlib,Harim,SY
Atma,Atmeh|اطمه,36.31,36.69,Idlib,Harim,Syria
Kobani,Ayn al Arab|Ain al-Arab,36.89,38.35,Aleppo,Ain al Arab,SY
"""

# 19 tab-separated GeoNames columns.
GEONAMES_ROWS = [
    ["900001", "Ḩārim", "Harim", "Harem,Haram,حارم", "36.21", "36.52", "P", "PPL", "SY", "", "12", "",
     "", "", "21000", "", "200", "Asia/Damascus", "2020-01-01"],
    ["900002", "Jabal Zawiya", "Jabal Zawiya", "", "35.70", "36.50", "T", "MTS", "SY", "", "12", "",
     "", "", "0", "", "600", "Asia/Damascus", "2020-01-01"],
    ["900003", "Some River", "Some River", "", "35.00", "36.00", "R", "RD", "SY", "", "12", "",
     "", "", "0", "", "600", "Asia/Damascus", "2020-01-01"],
]
OCHA_HEADER = ("admin0Name_en,admin0Name_ar,admin0Pcode,admin1Name_en,admin1Name_ar,admin1Pcode,"
               "admin2Name_en,admin2Name_ar,admin2Pcode,admin3Name_en,admin3Name_ar,admin3Pcode,"
               "admin4Name_en,admin4Name_ar,admin4Pcode,LocationName_en,LocationName_ar,Location_Pcode,"
               "location_type,LastUpdateDate,Latitude_y,Longitude_x")
OCHA_ROWS = [
    "Syrian Arab Republic,سوريا,SY,Idleb,إدلب,SY07,Harim,حارم,SY0703,Dana,دانا,SY070300,X,X,X1,"
    "Test Village,قرية تجريبية,C9001,Community,01/01/2020,36.30,36.60",
    "Syrian Arab Republic,سوريا,SY,Idleb,إدلب,SY07,Harim,حارم,SY0703,Dana,دانا,SY070300,X,X,X1,"
    "Other Hamlet (Dana),نجمة - دانا,C9002,Community,01/01/2020,36.20,36.70",
]


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("MARSAD_HOME", str(tmp_path / "home"))
    create_empty(default_path())  # no bundled data: these tests only see their own files
    return tmp_path


def write_geonames(path: Path) -> Path:
    path.write_text("\n".join("\t".join(r) for r in GEONAMES_ROWS) + "\n", encoding="utf-8")
    return path


def test_detects_formats(home):
    csv_file = home / "places.csv"
    csv_file.write_text(CSV_TEXT, encoding="utf-8")
    ocha = home / "ocha.csv"
    ocha.write_text(OCHA_HEADER + "\n" + "\n".join(OCHA_ROWS) + "\n", encoding="utf-8")
    admin1 = home / "admin1CodesASCII.txt"
    admin1.write_text("SY.12\tIdlib\tIdlib\t169388\n", encoding="utf-8")
    admin2 = home / "admin2Codes.txt"
    admin2.write_text("SY.12.1234\tHarim District\tHarim District\t1\n", encoding="utf-8")
    kinds = {p.name: detect(p).kind for p in (csv_file, ocha, admin1, admin2, write_geonames(home / "SY.txt"))}
    assert kinds == {"places.csv": "csv", "ocha.csv": "ocha", "admin1CodesASCII.txt": "admin1codes",
                     "admin2Codes.txt": "admin2codes", "SY.txt": "geonames"}


def test_csv_import_lookup_and_idempotent(home):
    path = home / "places.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    assert import_files([path]) == [("places.csv", "csv", 3)]
    assert import_files([path]) == [("places.csv", "csv", 3)]  # replaced, not doubled
    with Gazetteer.open() as gaz:
        assert [s[0] for s in gaz.sources()] == ["places.csv"]
        atmeh = gaz.lookup("Atmeh", "SY")
        assert len(atmeh) == 1 and atmeh[0].name == "Atma" and atmeh[0].admin2 == "Harim"
        assert gaz.lookup("Atmah", "SY")[0].tier == "skeleton"
        assert gaz.lookup("اطمه")[0].name == "Atma"
        assert gaz.lookup("Ain al Arab")[0].name == "Kobani"
        assert gaz.is_place_name("Sarmada") and not gaz.is_place_name("Nowhere Special")
        # fuzzy only within a country, ranked below exact and skeleton
        fuzzy = gaz.lookup("Sarmadda Town Centre", "SY")
        assert fuzzy == [] or fuzzy[0].tier == "fuzzy"
    # a shorter file under the same name replaces the source
    path.write_text(CSV_TEXT.rsplit("\n", 2)[0] + "\n", encoding="utf-8")
    import_files([path])
    with Gazetteer.open() as gaz:
        assert gaz.lookup("Kobani") == []


def test_geonames_dump_and_zip_with_admin_codes(home):
    txt = write_geonames(home / "SY.txt")
    admin1 = home / "admin1CodesASCII.txt"
    admin1.write_text("SY.12\tIdlib\tIdlib\t169388\n", encoding="utf-8")
    result = import_files([txt, admin1])
    assert ("SY.txt", "geonames", 2) in result  # the road (class R) is skipped
    with Gazetteer.open() as gaz:
        harem = gaz.lookup("Harem", "SY")[0]
        assert harem.name == "Ḩārim" and harem.admin1 == "Idlib" and harem.population == 21000
        assert gaz.lookup("حارم")[0].place_id == "gn:900001"
    archive = home / "SY.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(txt, "SY.txt")
        zf.writestr("readme.txt", "GeoNames readme")
    assert import_files([archive]) == [("SY.zip", "geonames", 2)]


def test_ocha_rows_and_admin_areas(home):
    path = home / "syr_locations.csv"
    path.write_text(OCHA_HEADER + "\n" + "\n".join(OCHA_ROWS) + "\n", encoding="utf-8")
    [(source, kind, count)] = import_files([path])
    assert kind == "ocha" and count == 2 + 3  # two communities + governorate, district, sub-district
    with Gazetteer.open() as gaz:
        village = gaz.lookup("Test Village")[0]
        assert (village.admin1, village.admin2, village.admin3) == ("Idleb", "Harim", "Dana")
        assert gaz.lookup("Other Hamlet")[0].place_id == "ocha:C9002"  # parenthesis dropped
        idleb = [c for c in gaz.lookup("Idlib", "SY") if c.feature == "admin1"]
        assert idleb and abs(idleb[0].latitude - 36.25) < 1e-6  # centroid of its places


@pytest.mark.parametrize("content,message", [
    (b"", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    (b"foo,bar,baz\n1,2,3\n", "unrecognised gazetteer format"),
    (b"name,latitude,longitude,country\nX,91.5,10,SY\n", ":2: latitude 91.5 out of range"),
    (b"name,latitude,longitude,country\nX,abc,10,SY\n", "is not a number"),
    (b"name,latitude,longitude,country\nX,10,10,Atlantis\n", "unknown country"),
    (b"name,latitude,longitude,country\n", "no places in file"),
    (b"\xff\xfe\xfa bad utf8", "not UTF-8"),
])
def test_bad_files_give_one_line(home, content, message):
    path = home / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(GazetteerError) as err:
        import_files([path])
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(path) in str(err.value)


def test_missing_file_and_ocha_admin_table(home):
    with pytest.raises(GazetteerError, match="no such file"):
        import_files([home / "absent.csv"])
    table = home / "syr_admin1.csv"
    table.write_text("admin0Name_en,admin1Name_en,admin1Pcode\nSyria,Idleb,SY07\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="no coordinates"):
        import_files([table])


def import_ocha_communities(home, names: list[tuple[str, str, str]]) -> None:
    """Import OCHA community rows (English name, Arabic name, pcode) of one
    Idleb sub-district."""
    rows = ["Syrian Arab Republic,سوريا,SY,Idleb,إدلب,SY07,Harim,حارم,SY0703,Dana,دانا,SY070300,X,X,X1,"
            f"{en},{ar},{pcode},Community,01/01/2020,36.2{k},36.6{k}" for k, (en, ar, pcode) in enumerate(names)]
    path = home / "syr_locations.csv"
    path.write_text(OCHA_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    import_files([path])


def test_ocha_arabic_name_finds_a_report_spelling_of_another_tradition(home):
    # The list's Latin spelling ("Qurtaba") is not the report's ("Kurtuba"),
    # but its Arabic name reads as the report's; a merged community ("X_Y"
    # in Arabic, "X - Y" in English) is found under each of its names.
    import_ocha_communities(home, [("Qurtaba", "كرطبة", "C9003"), ("Jisrayn - Jisranli", "الجسرين_جسرنلي", "C9004")])
    with Gazetteer.open() as gaz:
        assert gaz.lookup("Karteba", "SY")[0].place_id == "ocha:C9003"
        assert gaz.lookup("Jisranli", "SY")[0].place_id == "ocha:C9004"
        assert gaz.lookup("Jesrinli", "SY")[0].place_id == "ocha:C9004"


def test_ocha_names_with_upper_or_lower_are_found_under_the_base_name(home):
    import_ocha_communities(home, [("Upper Qasrin", "قصرين فوقاني", "C9005"), ("Little Jubb", "جب صغير", "C9006")])
    with Gazetteer.open() as gaz:
        assert gaz.lookup("Qusrin", "SY")[0].place_id == "ocha:C9005"
        assert gaz.lookup("Qasrin", "SY")[0].place_id == "ocha:C9005"
        assert gaz.lookup("Jubb", "SY")[0].place_id == "ocha:C9006"
