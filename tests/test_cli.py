"""The `twin` command line: import, info, clean errors, nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from twin.cli import EXIT_INPUT_ERROR, main


def run_twin(*args: str) -> subprocess.CompletedProcess:
    """The console script as a user runs it, in a separate process."""
    return subprocess.run([sys.executable, "-m", "twin.cli", *args], capture_output=True, text=True,
                          timeout=300, check=False)


def test_import_sample_then_info(tmp_path: Path) -> None:
    out = tmp_path / "delft.twin"
    result = run_twin("import", "--sample", "delft", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "160" in result.stdout and "EPSG:28992" in result.stdout
    info = run_twin("info", str(out), "--json")
    assert info.returncode == 0, info.stderr
    summary = json.loads(info.stdout)
    assert summary["buildings"]["count"] == 160
    assert summary["crs"] == "EPSG:28992"
    assert set(summary["terrain"]) == {"dtm", "dsm"}
    assert {s["kind"] for s in summary["sources"]} == {"cityjson", "dtm", "dsm", "weather"}
    assert summary["weather"]["hours"] == 8760
    # the energy model's view: Dutch typology by location, every fallback counted
    energy = summary["energy"]
    assert (energy["country"], energy["country_from"]) == ("NL", "location")
    assert energy["heated"] + energy["unheated"] == 160
    assert energy["fallbacks"] == {"no construction year: the class of 1970": 160}
    shown = run_twin("info", str(out)).stdout
    assert "typology of NL" in shown and "160 buildings: no construction year" in shown


def test_import_helsinki_reports_network_connectivity(tmp_path: Path) -> None:
    out = tmp_path / "helsinki.twin"
    assert main(["import", "--sample", "helsinki", "-o", str(out)]) == 0
    info = run_twin("info", str(out), "--json")
    summary = json.loads(info.stdout)
    assert summary["crs"] == "EPSG:32635"  # local UTM zone of Helsinki
    assert summary["network"]["links"] > 600  # junction to junction (741; 1,631 cut at every joint)
    assert summary["network"]["largest_scc_node_share"] > 0.8
    assert summary["layers"]["pois"] > 1000
    assert summary["energy"]["country"] == "FI"


def test_crs_override(tmp_path: Path, shared_data: Path) -> None:
    out = tmp_path / "h.twin"
    pbf = shared_data / "helsinki-osm" / "Helsinki.osm.pbf"
    assert main(["import", str(pbf), "-o", str(out), "--crs", "EPSG:3067"]) == 0
    summary = json.loads(run_twin("info", str(out), "--json").stdout)
    assert summary["crs"] == "EPSG:3067"
    xmin, ymin, xmax, ymax = summary["extent"]
    assert 380_000 < xmin < xmax < 390_000 and 6_670_000 < ymin < ymax < 6_680_000


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ('{"type": "CityJSON", "version": "2.0", "vert', "broken.city.json", "broken.city.json"),
        ("not a pbf at all", "fake.osm.pbf", "fake.osm.pbf"),
        ("hello", "notes.txt", "unknown file type"),
    ],
)
def test_bad_input_is_one_clear_line_and_writes_nothing(
    tmp_path: Path, content: str, name: str, expected: str
) -> None:
    source = tmp_path / name
    source.write_text(content)
    out = tmp_path / "bad.twin"
    result = run_twin("import", str(source), "-o", str(out))
    assert result.returncode == EXIT_INPUT_ERROR
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_missing_file_and_unknown_sample(tmp_path: Path) -> None:
    result = run_twin("import", str(tmp_path / "nope.city.json"), "-o", str(tmp_path / "x.twin"))
    assert result.returncode == EXIT_INPUT_ERROR and "no such file" in result.stderr
    result = run_twin("import", "--sample", "atlantis", "-o", str(tmp_path / "x.twin"))
    assert result.returncode == EXIT_INPUT_ERROR and "unknown sample" in result.stderr


def test_info_names_a_tampered_file(tmp_path: Path) -> None:
    out = tmp_path / "delft.twin"
    assert main(["import", "--sample", "delft", "-o", str(out)]) == 0
    with open(out / "layers.gpkg", "ab") as handle:
        handle.write(b"\0")
    result = run_twin("info", str(out))
    assert result.returncode == EXIT_INPUT_ERROR
    assert "layers.gpkg" in result.stderr and "Traceback" not in result.stderr


def test_map_draws_buildings_in_colour(tmp_path: Path) -> None:
    import matplotlib.image

    out = tmp_path / "delft.twin"
    assert main(["import", "--sample", "delft", "-o", str(out)]) == 0
    picture = tmp_path / "delft.png"
    result = run_twin("map", str(out), "-o", str(picture))
    assert result.returncode == 0, result.stderr
    pixels = matplotlib.image.imread(picture)[..., :3]
    saturation = pixels.max(axis=2) - pixels.min(axis=2)
    assert (saturation > 0.3).mean() > 0.05  # viridis-coloured buildings, not a blank or grey page


def test_compound_crs_option_gives_its_horizontal_part(tmp_path: Path, shared_data: Path) -> None:
    sample = shared_data / "cityjson-samples" / "rotterdam_subset.city.json"
    out = tmp_path / "r.twin"
    refused = run_twin("import", str(sample), "-o", str(out))
    assert refused.returncode == EXIT_INPUT_ERROR and "metadata.referenceSystem" in refused.stderr
    assert main(["import", str(sample), "--crs", "EPSG:7415", "-o", str(out)]) == 0
    assert json.loads(run_twin("info", str(out), "--json").stdout)["crs"] == "EPSG:28992"


def test_geographic_twin_crs_is_refused(tmp_path: Path, shared_data: Path) -> None:
    pbf = shared_data / "helsinki-osm" / "Helsinki.osm.pbf"
    result = run_twin("import", str(pbf), "--crs", "EPSG:4326", "-o", str(tmp_path / "h.twin"))
    assert result.returncode == EXIT_INPUT_ERROR
    assert "projected in metres" in result.stderr


def test_version_is_the_installed_one(capsys) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"twin {version('localtwin')}"
