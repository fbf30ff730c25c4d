"""Text from input is printed as written: rich markup in a CityObject type, a path or a table
cell neither restyles the terminal nor breaks the print, and control characters (ANSI
escapes) show as ``\\xNN``."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.table import Table

from twin.cli import main
from twin.cli.output import PlainConsole, styled

HOSTILE = "[/]\x1b[2J[link=http://example.invalid]2.0[/link]"
SHOWN = "[/]\\x1b[2J[link=http://example.invalid]2.0[/link]"
DATASETS = Path(__file__).resolve().parents[1] / "datasets"


def _printed(*renderables: object) -> str:
    out = io.StringIO()
    console = PlainConsole(file=out, width=200, color_system=None)
    for renderable in renderables:
        console.print(renderable)
    return out.getvalue()


def test_markup_and_escapes_in_strings_cells_and_titles_print_as_written() -> None:
    table = Table("value", title=HOSTILE)
    table.add_row(HOSTILE)
    text = _printed(HOSTILE, table, styled(("written", "bold"), " ", HOSTILE))
    assert text.count(SHOWN) == 4 and "\x1b" not in text


def test_a_city_object_type_with_markup_imports_and_shows(tmp_path, capsys) -> None:
    city = json.loads((DATASETS / "delft" / "delft.city.json").read_text(encoding="utf-8"))
    city["CityObjects"]["hostile"] = {"type": HOSTILE, "geometry": []}
    source = tmp_path / "hostile.city.json"
    source.write_text(json.dumps(city), encoding="utf-8")
    folder = tmp_path / "hostile.twin"
    assert main(["import", str(source), "-o", str(folder)]) == 0
    assert main(["info", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.count(f"1 {SHOWN})") == 2  # in the import's summary and in twin info
    assert "\x1b" not in out


def test_an_error_naming_input_with_markup_is_one_plain_line(tmp_path, capsys) -> None:
    missing = tmp_path / "[bold]nothing[/].twin"
    assert main(["info", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"error: {missing}" in err and len(err.strip().splitlines()) <= 2
