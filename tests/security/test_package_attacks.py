"""Hostile scenario packages: a corpus, one case per attack, each with the exact line ``twin verify``
must print (exit code 2, never a traceback); a package swapped while it is extracted; and results
whose provenance names every file the run read."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from twin.cli import main
from twin.runs import check_results_inputs
from twin.security import (
    PackageError,
    TrustStore,
    extract_package,
    generate_key_pair,
    pack_scenario,
    sign_package,
    verify_package,
)
from twin.security.keys import key_id, load_private_key, public_pem

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
WEATHER = SCENARIOS.parent / "datasets" / "weather" / "TRY2010_05_Jahr.dat"


@pytest.fixture(scope="module")
def alice(tmp_path_factory) -> tuple[Path, TrustStore]:
    """Alice's private key and a trust store that trusts her."""
    folder = tmp_path_factory.mktemp("alice")
    private, public = generate_key_pair(folder / "alice")
    store = TrustStore(folder / "trust")
    store.add(public)
    return private, store


@pytest.fixture(scope="module")
def good(alice, tmp_path_factory) -> Path:
    """A package of the Helsinki 2035 scenario (it packs its weather file), signed by Alice."""
    package = pack_scenario(SCENARIOS / "helsinki_2035.toml", tmp_path_factory.mktemp("good") / "h.twinpkg")
    sign_package(package, alice[0])
    return package


def _members(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _signed_by(members: dict[str, bytes], private: Path, package: Path) -> None:
    """Write ``members`` with the manifest's hashes made right and signed with ``private``: a
    package its trusted signer made (a careless or malicious one)."""
    manifest = json.loads(members["manifest.json"])
    manifest["members"] = {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                           for name, data in members.items()
                           if name not in ("manifest.json", "signature.json")}
    members["manifest.json"] = json.dumps(manifest).encode()
    key = load_private_key(private)
    members["signature.json"] = json.dumps({
        "algorithm": "Ed25519", "key_id": key_id(key.public_key()),
        "public_key": public_pem(key.public_key()).decode(),
        "signature": base64.b64encode(key.sign(members["manifest.json"])).decode()}).encode()
    with zipfile.ZipFile(package, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _manifest_repeating_scenario(good: Path, private: Path, package: Path) -> None:
    """A signed manifest that names its scenario twice: readers keeping the first or the last
    value would run different members."""
    members = _members(good)
    members["other.toml"] = members["scenario.toml"]
    _signed_by(members, private, package)
    members = _members(package)
    text = members["manifest.json"].replace(b'"scenario": "scenario.toml"',
                                            b'"scenario": "scenario.toml", "scenario": "other.toml"')
    assert text != members["manifest.json"]
    members["manifest.json"] = text
    key = load_private_key(private)
    members["signature.json"] = json.dumps({
        "algorithm": "Ed25519", "key_id": key_id(key.public_key()),
        "public_key": public_pem(key.public_key()).decode(),
        "signature": base64.b64encode(key.sign(text)).decode()}).encode()
    with zipfile.ZipFile(package, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _scenario_naming(old: bytes, new: bytes) -> Callable[[Path, Path, Path], None]:
    def attack(good: Path, private: Path, package: Path) -> None:
        members = _members(good)
        assert old in members["scenario.toml"]
        members["scenario.toml"] = members["scenario.toml"].replace(old, new)
        _signed_by(members, private, package)
    return attack


def _central_name(old: bytes, new: bytes) -> Callable[[Path, Path, Path], None]:
    """The name of the member ``old`` changed to ``new`` (same length) in the central directory
    only, where a NUL byte makes the name the reader sees differ from the one stored."""
    def attack(good: Path, private: Path, package: Path) -> None:
        data = good.read_bytes()
        at = data.rindex(old)
        package.write_bytes(data[:at] + new + data[at + len(old):])
    return attack


WEATHER_KEY = b'weather = "data/Vantaa-TRY2020.csv"'
CORPUS: dict[str, tuple[Callable[[Path, Path, Path], None], str]] = {
    "weather outside": (_scenario_naming(WEATHER_KEY, b'weather = "../outside_weather.dat"'),
                        "P: scenario.toml: energy.weather: names '../outside_weather.dat', which is "
                        "not a member of the package: a packaged scenario reads only its own members"),
    "weather absolute": (_scenario_naming(WEATHER_KEY, b'weather = "/etc/hostname"'),
                         "P: scenario.toml: energy.weather: names '/etc/hostname', which is not a "
                         "member of the package: a packaged scenario reads only its own members"),
    "demand outside": (_scenario_naming(b'demand = "generated"', b'demand = "../od.csv"'),
                       "P: scenario.toml: mobility.demand: names '../od.csv', which is not a "
                       "member of the package: a packaged scenario reads only its own members"),
    "twin outside": (_scenario_naming(b'sample = "helsinki"', b'path = "../city.twin"'),
                     "P: scenario.toml: twin.path: names '../city.twin', which is not a member of "
                     "the package: a packaged scenario reads only its own members"),
    "weather a number": (_scenario_naming(WEATHER_KEY, b"weather = 5"),
                         "P: scenario.toml: energy.weather: names 5, which is not a member of the "
                         "package: a packaged scenario reads only its own members"),
    "NUL in a name": (_central_name(b"data/Vantaa-TRY2020.csv", b"data/Vant\x00a-TRY2020.csv"),
                      "P: 'data/Vant\\x00a-TRY2020.csv': a NUL byte in the member name: refused"),
    "manifest names its scenario twice": (_manifest_repeating_scenario,
                                          "P: manifest.json: not JSON (key 'scenario' given twice in one object)"),
    "NUL first": (_central_name(b"scenario.toml", b"\x00cenario.toml"),
                  "P: '\\x00cenario.toml': a NUL byte in the member name: refused"),
}


@pytest.mark.parametrize("case", CORPUS)
def test_a_hostile_package_gives_one_line(case, good, alice, tmp_path, capsys) -> None:
    attack, message = CORPUS[case]
    package = tmp_path / "hostile.twinpkg"
    attack(good, alice[0], package)
    expected = message.replace("P: ", f"{package}: ")
    with pytest.raises(PackageError) as error:
        verify_package(package, alice[1])
    assert str(error.value) == expected
    capsys.readouterr()
    assert main(["verify", str(package), "--trust", str(alice[1].folder)]) == 2
    assert capsys.readouterr().err == f"error: {expected}\n"
    assert main(["run", str(package), "-o", str(tmp_path / "r.h5"), "--trust", str(alice[1].folder)]) == 2
    assert not (tmp_path / "r.h5").exists() and not (tmp_path / "r.unpacked").exists()


def test_a_package_swapped_during_extraction_never_yields_unverified_bytes(good, alice, tmp_path) -> None:
    members = _members(good)
    evil = tmp_path / "evil.twinpkg"
    members["scenario.toml"] = members["scenario.toml"].replace(b"factor = 0.85", b"factor = 0.05")
    with zipfile.ZipFile(evil, "w") as archive:  # tampered after signing: refused on its own
        for name, data in members.items():
            archive.writestr(name, data)
    target, stop = tmp_path / "p.twinpkg", threading.Event()
    shutil.copy(good, target)

    def swap() -> None:
        copies = [tmp_path / "good.copy", tmp_path / "evil.copy"]
        while not stop.is_set():
            for source, copy in zip((good, evil), copies):
                shutil.copy(source, copy)
                os.replace(copy, target)

    swapper = threading.Thread(target=swap)
    swapper.start()
    try:
        outcomes = []
        for i in range(60):
            try:
                scenario = extract_package(target, tmp_path / f"out{i}", alice[1])
            except PackageError as error:
                outcomes.append("refused")
                assert "SHA-256 differs" in str(error)
            else:
                outcomes.append("extracted")
                assert b"factor = 0.85" in scenario.read_bytes()
    finally:
        stop.set()
        swapper.join()
    assert "extracted" in outcomes


def test_results_record_and_check_the_files_the_scenario_read(tmp_path, capsys) -> None:
    weather = tmp_path / "weather.dat"
    shutil.copy(WEATHER, weather)
    scenario = tmp_path / "delft.toml"
    scenario.write_text((SCENARIOS / "delft_baseline.toml").read_text()
                        .replace('weather = "twin"', 'weather = "weather.dat"'))
    out = tmp_path / "delft.h5"
    assert main(["run", str(scenario), "-o", str(out)]) == 0
    checks = {c.path: (c.what, c.status) for c in check_results_inputs(out)}
    assert checks[str(weather.resolve())] == ("scenario file", "ok")
    assert main(["verify", str(out)]) == 0
    data = weather.read_bytes()
    weather.write_bytes(data.replace(b"\n", b" \n", 1))  # another weather file, same name
    checks = {c.path: (c.what, c.status) for c in check_results_inputs(out)}
    assert checks[str(weather.resolve())] == ("scenario file", "changed")
    capsys.readouterr()
    assert main(["verify", str(out)]) == 1
    assert "changed" in capsys.readouterr().out
