"""Locating key paths in TOML text: tables, arrays of tables, inline tables, multi-line values."""

from __future__ import annotations

import tomllib

from twin.scenarios.toml_lines import key_lines, line_of

TEXT = '''# a comment with [[interventions]] in it
format = 1
[metadata]
title = "x"   # trailing [comment]
description = """
[[interventions]]
a "quoted" \\""" line
"""
"dotted.key" = 'lit'
a.b.c = 3

[[interventions]]
type = "close_links"
select = { names = ["A", "B"], filter = 'x < 1' }

[[interventions]]
type = "retrofit"
[interventions.select]
ids = [
  "b1",   # first
  "b2",
]
[[interventions.buildings]]
id = "n1"
[[interventions.buildings]]
id = "n2"
polygon = [[1, 2],
  [3, 4], [5,
  6]]
[ period ]
start = 2025-01-01T00:00:00Z
"end" = 1979-05-27 07:32:00Z
literal = \'\'\'
[[interventions]]
\'\'\'
[[interventions]]
type = "ev_share"
'''


def test_text_is_valid_toml() -> None:
    document = tomllib.loads(TEXT)
    assert len(document["interventions"]) == 3
    assert document["interventions"][1]["buildings"][1]["id"] == "n2"


def test_tables_keys_and_elements() -> None:
    lines = key_lines(TEXT)
    assert lines[("format",)] == 2
    assert lines[("metadata", "description")] == 5
    assert lines[("metadata", "dotted.key")] == 9
    assert lines[("metadata", "a", "b", "c")] == 10
    assert lines[("period",)] == 30
    assert lines[("period", "end")] == 32
    assert lines[("period", "literal")] == 33


def test_arrays_of_tables_count_per_path() -> None:
    lines = key_lines(TEXT)
    assert lines[("interventions", 0)] == 12
    assert lines[("interventions", 1)] == 16
    assert lines[("interventions", 2)] == 36
    assert lines[("interventions", 2, "type")] == 37
    assert lines[("interventions", 1, "select")] == 18
    assert lines[("interventions", 1, "select", "ids", 1)] == 21
    assert lines[("interventions", 1, "buildings", 0, "id")] == 24
    assert lines[("interventions", 1, "buildings", 1, "id")] == 26


def test_inline_tables_and_multi_line_arrays() -> None:
    lines = key_lines(TEXT)
    assert lines[("interventions", 0, "select", "names", 1)] == 14
    assert lines[("interventions", 0, "select", "filter")] == 14
    assert lines[("interventions", 1, "buildings", 1, "polygon", 0)] == 27
    assert lines[("interventions", 1, "buildings", 1, "polygon", 2)] == 28
    assert lines[("interventions", 1, "buildings", 1, "polygon", 2, 1)] == 29


def test_unknown_paths_fall_back_to_the_nearest_ancestor() -> None:
    lines = key_lines(TEXT)
    assert line_of(lines, ("interventions", 1, "select", "filter")) == 18
    assert line_of(lines, ("interventions", 2, "share")) == 36
    assert line_of(lines, ("kpis",)) == 1
    assert line_of(lines, ()) == 1
