"""Signed scenario packages: the round trip, and one refusal for each way a package can be bad."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import pytest

from twin.cli import main
from twin.scenarios import check_scenario, load_base_twin, load_scenario
from twin.security import (
    PackageError,
    TrustStore,
    extract_package,
    generate_key_pair,
    pack_scenario,
    safe_zip,
    sign_package,
    verify_package,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    alice = generate_key_pair(folder / "alice")
    mallory = generate_key_pair(folder / "mallory")
    store = TrustStore(folder / "trust")
    store.add(alice[1])
    return {"alice": alice, "mallory": mallory, "store": store}


@pytest.fixture
def signed(tmp_path, keys) -> Path:
    package = pack_scenario(SCENARIOS / "helsinki_2035.toml", tmp_path / "h.twinpkg")
    sign_package(package, keys["alice"][0])
    return package


def _members(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rewrite(package: Path, members: dict[str, bytes], raw: list[zipfile.ZipInfo] = ()) -> None:
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for info in raw:
            archive.writestr(info, b"x")


def test_a_signed_package_from_a_trusted_key_verifies_and_unpacks_into_a_runnable_scenario(
        signed, keys, tmp_path) -> None:
    info = verify_package(signed, keys["store"])
    assert info.trusted and info.signer == "alice" and info.signed
    assert set(info.manifest["members"]) == {"scenario.toml", "data/Vantaa-TRY2020.csv"}
    assert info.manifest["licence"]["spdx"] == "CC0-1.0"
    scenario_file = extract_package(signed, tmp_path / "unpacked", keys["store"])
    scenario = load_scenario(scenario_file)
    assert scenario.energy.weather == scenario_file.parent / "data" / "Vantaa-TRY2020.csv"
    original = load_scenario(SCENARIOS / "helsinki_2035.toml")
    assert len(scenario.interventions) == len(original.interventions)
    applied = check_scenario(scenario, load_base_twin(scenario))
    assert len(applied.reports) == len(original.interventions)


def test_unsigned_and_unknown_signers_are_refused_unless_accepted_untrusted(tmp_path, keys) -> None:
    package = pack_scenario(SCENARIOS / "delft_baseline.toml", tmp_path / "d.twinpkg")
    with pytest.raises(PackageError, match="unsigned: refused"):
        verify_package(package, keys["store"])
    assert not verify_package(package, keys["store"], untrusted=True).signed
    sign_package(package, keys["mallory"][0])
    with pytest.raises(PackageError, match="not in the trust store"):
        verify_package(package, keys["store"])
    info = verify_package(package, keys["store"], untrusted=True)
    assert info.signed and not info.trusted


def test_a_signature_by_another_key_than_the_one_it_names_is_refused(signed, keys) -> None:
    members = _members(signed)
    signature = json.loads(members["signature.json"])
    from twin.security.keys import load_private_key

    forged = load_private_key(keys["mallory"][0]).sign(members["manifest.json"])
    signature["signature"] = base64.b64encode(forged).decode()  # still claims alice's key id
    members["signature.json"] = json.dumps(signature).encode()
    _rewrite(signed, members)
    with pytest.raises(PackageError, match="does not match key .* \\(alice\\)"):
        verify_package(signed, keys["store"])


def test_a_tampered_member_is_refused_even_untrusted(signed, keys) -> None:
    members = _members(signed)
    members["scenario.toml"] = members["scenario.toml"].replace(b"factor = 0.85", b"factor = 0.05")
    _rewrite(signed, members)
    for untrusted in (False, True):
        with pytest.raises(PackageError, match="scenario.toml: its SHA-256 differs"):
            verify_package(signed, keys["store"], untrusted=untrusted)


def test_an_altered_manifest_breaks_the_signature(signed, keys) -> None:
    members = _members(signed)
    manifest = json.loads(members["manifest.json"])
    manifest["licence"]["spdx"] = "proprietary"
    members["manifest.json"] = json.dumps(manifest).encode()
    _rewrite(signed, members)
    with pytest.raises(PackageError, match="manifest was altered or signed with another key"):
        verify_package(signed, keys["store"])


@pytest.mark.parametrize("name", ["../evil.toml", "/etc/evil.toml", "data/../../evil.csv",
                                  "data\\evil.csv", "C:/evil.csv"])
def test_paths_leaving_the_package_are_refused(signed, keys, name) -> None:
    members = _members(signed)
    members[name] = b"a = 1"
    _rewrite(signed, members)
    with pytest.raises(PackageError, match="outside the package"):
        verify_package(signed, keys["store"], untrusted=True)


@pytest.mark.parametrize("name", ["data/loader.py", "data/model.pkl", "data/lib.so", "data/run"])
def test_code_and_serialised_objects_are_refused(signed, keys, name) -> None:
    members = _members(signed)
    members[name] = b"import os"
    _rewrite(signed, members)
    with pytest.raises(PackageError, match="is not data"):
        verify_package(signed, keys["store"], untrusted=True)


def test_members_outside_the_manifest_and_links_are_refused(signed, keys) -> None:
    members = _members(signed)
    members["data/extra.csv"] = b"a,b\n1,2\n"
    _rewrite(signed, members)
    with pytest.raises(PackageError, match="data/extra.csv: not listed in the manifest"):
        verify_package(signed, keys["store"])
    link = zipfile.ZipInfo("data/link.csv")
    link.external_attr = (0o120777 << 16)
    members.pop("data/extra.csv")
    _rewrite(signed, members, [link])
    with pytest.raises(PackageError, match="symbolic link"):
        verify_package(signed, keys["store"])


def test_oversized_members_and_zip_bombs_are_refused(signed, keys, monkeypatch) -> None:
    members = _members(signed)
    members["data/zeros.csv"] = b"0" * (64 << 20)  # 64 MB compressing about 1000:1
    _rewrite(signed, members)
    with pytest.raises(PackageError, match="like a zip bomb"):
        verify_package(signed, keys["store"], untrusted=True)
    members.pop("data/zeros.csv")
    _rewrite(signed, members)
    monkeypatch.setattr(safe_zip, "MAX_MEMBER_BYTES", 100_000)
    with pytest.raises(PackageError, match="Vantaa-TRY2020.csv: 463,534 bytes uncompressed"):
        verify_package(signed, keys["store"])


def test_too_many_members_are_refused(tmp_path, monkeypatch) -> None:
    package = tmp_path / "many.twinpkg"
    _rewrite(package, {f"data/{i}.csv": b"" for i in range(12)})
    monkeypatch.setattr(safe_zip, "MAX_MEMBERS", 10)
    with pytest.raises(PackageError, match="12 members; at most 10"):
        verify_package(package, untrusted=True)


def test_credentials_in_a_member_are_refused(tmp_path, keys) -> None:
    package = pack_scenario(SCENARIOS / "delft_baseline.toml", tmp_path / "d.twinpkg")
    members = _members(package)
    text = members["scenario.toml"] + b'\n[feeds]\nbroker_password = "hunter2"\n'
    manifest = json.loads(members["manifest.json"])
    import hashlib

    manifest["members"]["scenario.toml"] = {"sha256": hashlib.sha256(text).hexdigest(),
                                            "size": len(text)}
    _rewrite(package, {**members, "scenario.toml": text,
                       "manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(PackageError, match="credential key \\(broker_password\\)"):
        verify_package(package, untrusted=True)


def test_not_a_zip_and_no_manifest_are_refused(tmp_path) -> None:
    junk = tmp_path / "junk.twinpkg"
    junk.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(PackageError, match="junk.twinpkg: not a readable zip"):
        verify_package(junk, untrusted=True)
    bare = tmp_path / "bare.twinpkg"
    _rewrite(bare, {"scenario.toml": b"format = 1"})
    with pytest.raises(PackageError, match="manifest.json: missing"):
        verify_package(bare, untrusted=True)


def test_small_od_cells_are_left_out_when_packing(tmp_path) -> None:
    od = tmp_path / "od.csv"
    od.write_text("origin,destination,period,trips\nA,B,07:00-08:00,120\nA,C,07:00-08:00,3\n"
                  "B,A,07:30,4.9\nC,A,08:00,0\nC,B,08:00,5\n")
    text = (SCENARIOS / "helsinki_baseline.toml").read_text()
    text = text.replace('demand = "generated"', 'demand = "od.csv"')
    text = "\n".join(line for line in text.splitlines() if not line.startswith("trips ="))
    scenario = tmp_path / "od_scenario.toml"
    scenario.write_text(text.replace('"../datasets/weather/Vantaa-TRY2020.csv"', '"twin"'))
    package = pack_scenario(scenario, tmp_path / "od.twinpkg", k=5)
    members = _members(package)
    rows = members["data/od.csv"].decode().splitlines()
    assert rows == ["origin,destination,period,trips", "A,B,07:00-08:00,120", "C,A,08:00,0",
                    "C,B,08:00,5"]
    manifest = json.loads(members["manifest.json"])
    assert manifest["k_anonymity"] == {"k": 5, "suppressed_cells": {"data/od.csv": 2}}
    assert b'demand = "data/od.csv"' in members["scenario.toml"]


def test_the_commands_pack_sign_trust_verify(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LOCALTWIN_TRUST", str(tmp_path / "trust"))
    package = tmp_path / "p.twinpkg"
    assert main(["keygen", str(tmp_path / "me")]) == 0
    assert (tmp_path / "me.key").stat().st_mode & 0o077 == 0  # private key: owner only
    assert main(["keygen", str(tmp_path / "me")]) == 2  # never overwrites a key
    assert main(["pack", str(SCENARIOS / "delft_pv_rollout.toml"), "-o", str(package)]) == 0
    assert main(["verify", str(package)]) == 2
    assert "unsigned: refused" in capsys.readouterr().err
    assert main(["sign", str(package), "--key", str(tmp_path / "me.key")]) == 0
    assert main(["verify", str(package)]) == 2
    assert main(["trust", "add", str(tmp_path / "me.pub")]) == 0
    capsys.readouterr()
    assert main(["verify", str(package)]) == 0
    assert "signed by me" in capsys.readouterr().out
    assert io.BytesIO(package.read_bytes()).getbuffer().nbytes > 0


def test_twin_run_takes_a_verified_package_and_refuses_an_unsigned_one(tmp_path, keys,
                                                                       capsys) -> None:
    package = pack_scenario(SCENARIOS / "delft_pv_rollout.toml", tmp_path / "pv.twinpkg")
    out = tmp_path / "pv.h5"
    assert main(["run", str(package), "-o", str(out)]) == 2
    assert "unsigned: refused" in capsys.readouterr().err and not out.exists()
    sign_package(package, keys["alice"][0])
    trust = str(keys["store"].folder)
    assert main(["run", str(package), "-o", str(out), "--trust", trust]) == 0
    assert main(["run", str(package), "-o", str(out), "--trust", trust]) == 0  # again: re-unpacked
    from twin.runs import read_results

    results = read_results(out)
    assert results.provenance["scenario_path"].endswith("pv.unpacked/scenario.toml")
    assert main(["verify", str(out)]) == 0
