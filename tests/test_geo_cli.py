"""``marsad gazetteer`` commands through click's runner and the real entry point."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.cli.gazetteer import gazetteer
from marsad.errors import GazetteerError
from marsad.geo.index import create_empty, default_path

CSV_TEXT = "name,alternate_names,latitude,longitude,admin1,admin2,country\nSarmada,Sarmeda,36.19,36.72,Idlib,Harim,SY\n"


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("MARSAD_HOME", str(tmp_path / "home"))
    create_empty(default_path())
    return tmp_path


def test_import_info_lookup(home):
    path = home / "mine.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(gazetteer, ["import", str(path)])
    assert result.exit_code == 0 and "mine.csv: 1 places (csv)" in result.output
    result = runner.invoke(gazetteer, ["info"])
    assert result.exit_code == 0 and "mine.csv" in result.output and "SY 1" in result.output
    result = runner.invoke(gazetteer, ["lookup", "Sarmeda", "--country", "SY"])
    assert result.exit_code == 0 and "Sarmada" in result.output and "exact" in result.output
    # commands return their exit code (the marsad entry point uses it)
    result = runner.invoke(gazetteer, ["lookup", "Nowhere"], standalone_mode=False)
    assert result.return_value == 1 and "no place matches" in result.output


def test_bad_file_is_one_line_on_stderr(home, capsys):
    path = home / "bad.csv"
    path.write_text("what,is,this\n", encoding="utf-8")
    result = CliRunner().invoke(gazetteer, ["import", str(path)])
    assert isinstance(result.exception, GazetteerError)
    with pytest.raises(SystemExit) as exit_info:
        main(["gazetteer", "import", str(path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("marsad: error: ") and err.count("\n") == 1 and "Traceback" not in err
