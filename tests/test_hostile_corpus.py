"""The hostile input files found by probing the importers, kept as a corpus: one file per case
in ``tests/data/hostile/``, beside it ``NAME.expected`` with what importing it must give:
``error: LINE`` (the one line of the InputError; FILE stands for the file's path), or
``warning: LINE`` lines the twin's warnings must hold and ``buildings: N`` / ``links: N``
counts of what is kept. None may end in a traceback or be stored silently wrong.

The hostile twin folders, packages, feed messages and scenarios have their corpora beside
their code's tests (``test_store_hostile``, ``security/test_package_attacks``,
``feeds/test_feed_poison``, ``scenarios/test_scenario_errors``)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from twin.errors import InputError
from twin.importers.assemble import import_files

CORPUS = Path(__file__).parent / "data" / "hostile"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.suffix != ".expected")


def test_every_case_has_its_expected_outcome() -> None:
    assert CASES and all((CORPUS / f"{name}.expected").is_file() for name in CASES)


@pytest.mark.parametrize("name", CASES)
def test_a_hostile_file_gives_exactly_its_expected_outcome(name: str) -> None:
    path = CORPUS / name
    expected = (CORPUS / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    kind, _, first = expected[0].partition(": ")
    if kind == "error":
        with pytest.raises(InputError) as error:
            import_files([path], name="hostile")
        assert str(error.value) == first.replace("FILE", str(path), 1)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        twin = import_files([path], name="hostile")
    for line in expected:
        key, _, value = line.partition(": ")
        if key == "warning":
            assert value in twin.warnings
        elif key == "buildings":
            assert len(twin.buildings) == int(value)
        elif key == "links":
            assert len(twin.network.links) == int(value)
        else:
            raise AssertionError(f"{name}.expected: unknown line {line!r}")
