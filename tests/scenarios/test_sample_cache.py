"""The cache of imported samples: the same twin as an import, a cached twin used only while its
key matches, a broken or unwritable cache costing only time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from twin.mobility import routable_network
from twin.model import Twin
from twin.scenarios import sample_cache
from twin.scenarios.sample_cache import CACHE_ENV, cache_folder, load_sample
from twin.scenarios.twin_hash import sample_sha256
from twin.store import load_twin


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def _cached(cache: Path) -> list[Path]:
    return sorted((cache / "samples").glob("*.twin"))


def _refuse_import(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object, **kwargs: object) -> Twin:
        raise AssertionError("imported although a cached twin was there")

    monkeypatch.setattr(sample_cache, "import_files", refused)


def test_cached_sample_is_the_imported_twin(cache: Path, helsinki: Twin,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    digest = sample_sha256("helsinki")
    first = load_sample("helsinki", digest)
    assert len(_cached(cache)) == 1
    _refuse_import(monkeypatch)
    again = load_sample("helsinki", digest)
    for twin in (first, again):
        assert twin.name == "helsinki"
        assert twin.crs.equals(helsinki.crs)
        assert twin.warnings == helsinki.warnings
        assert twin.buildings.geometry.geom_equals_exact(helsinki.buildings.geometry, 1e-9).all()
    built, reference = routable_network(again), routable_network(helsinki)
    # the store gives missing text back as None where the importer has NaN: both read as missing
    pd.testing.assert_frame_equal(built.network.links.drop(columns="geometry").fillna(-1),
                                  reference.network.links.drop(columns="geometry").fillna(-1),
                                  check_dtype=False)
    assert built.notes == reference.notes
    assert len(again.network.signals) == len(helsinki.network.signals)
    assert len(again.network.turn_bans) == len(helsinki.network.turn_bans)


def test_tampered_cache_is_imported_again(cache: Path) -> None:
    digest = sample_sha256("helsinki")
    load_sample("helsinki", digest)
    (folder,) = _cached(cache)
    with open(folder / "layers.gpkg", "r+b") as handle:
        handle.seek(200)
        handle.write(b"tampered")
    twin = load_sample("helsinki", digest)
    assert len(twin.buildings) > 0
    assert _cached(cache) == [folder]
    assert len(load_twin(folder).buildings) == len(twin.buildings)  # replaced by a whole copy


def test_changed_code_makes_a_new_import_and_keeps_the_recent_versions(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    digest = sample_sha256("helsinki")
    made: list[Path] = []
    for version in range(sample_cache.KEPT_VERSIONS + 2):
        monkeypatch.setattr(sample_cache, "code_fingerprint", lambda v=version: f"code {v}")
        before = set(_cached(cache))
        load_sample("helsinki", digest)
        (new,) = set(_cached(cache)) - before
        made.append(new)
    assert set(_cached(cache)) == set(made[-sample_cache.KEPT_VERSIONS:])
    monkeypatch.setattr(sample_cache, "code_fingerprint", lambda: "code 0")
    load_sample("helsinki", digest)  # the oldest, removed: imported again, the least used goes
    assert made[0].exists() and not made[-sample_cache.KEPT_VERSIONS].exists()


def test_other_source_content_is_another_key(cache: Path) -> None:
    load_sample("helsinki", sample_sha256("helsinki"))
    load_sample("helsinki", "0" * 64)
    assert len(_cached(cache)) == 2


def test_empty_setting_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    monkeypatch.chdir(tmp_path)
    assert cache_folder() is None
    assert len(load_sample("helsinki", sample_sha256("helsinki")).buildings) > 0
    assert list(tmp_path.iterdir()) == []


def test_default_folder_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_folder() == tmp_path / "localtwin"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / ".cache" / "localtwin"


def test_unwritable_cache_costs_only_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(CACHE_ENV, str(blocker))
    assert len(load_sample("helsinki", sample_sha256("helsinki")).buildings) > 0
    assert blocker.read_text() == "a file where the cache folder should be"


def test_scenario_runs_read_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from twin.scenarios import load_scenario
    from twin.scenarios.resolve import load_base_twin

    scenario = load_scenario(Path(__file__).resolve().parents[2] / "scenarios"
                             / "helsinki_baseline.toml")
    first = load_base_twin(scenario)
    _refuse_import(monkeypatch)
    assert len(load_base_twin(scenario).buildings) == len(first.buildings)
