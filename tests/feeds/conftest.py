"""Fixtures for the feed tests: a saved copy of the Delft twin per test and a real mosquitto."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from mqtt_broker import Broker

from twin.model import Twin
from twin.store import save_twin


@pytest.fixture(scope="session")
def saved_delft(delft: Twin, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_twin(delft, tmp_path_factory.mktemp("saved") / "delft.twin")


@pytest.fixture
def twin_folder(saved_delft: Path, tmp_path: Path) -> Path:
    """A fresh copy of the saved Delft twin folder."""
    return Path(shutil.copytree(saved_delft, tmp_path / "delft.twin"))


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """mosquitto on 127.0.0.1 and a free port, anonymous, persistent; stopped after the test."""
    folder = tmp_path / "broker"
    folder.mkdir()
    server = Broker(folder)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def saved_helsinki(helsinki: Twin, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_twin(helsinki, tmp_path_factory.mktemp("saved") / "helsinki.twin")


@pytest.fixture
def helsinki_folder(saved_helsinki: Path, tmp_path: Path) -> Path:
    """A fresh copy of the saved Helsinki twin folder (it has a road network)."""
    return Path(shutil.copytree(saved_helsinki, tmp_path / "helsinki.twin"))


@pytest.fixture(scope="session")
def sdm(shared_data: Path) -> Path:
    """The Smart Data Models folder (examples, schemas, common-schema.json)."""
    return shared_data / "smart-data-models"
