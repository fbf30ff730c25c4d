"""The CityGML byte scanner against the lxml tree walk: both must read every file alike.

The lxml reader (``citygml_scan``) is the reference: for each real sample, for edited samples
(skipped buildings, long numbers, GML 2 coordinates) and across block boundaries, the scanner's
flat arrays must equal the tree walk's; files the scanner does not take as plain must be left
to lxml rather than read differently.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from twin.importers import citygml_stream
from twin.importers.citygml_faces import FileBuildings, from_tree_scan
from twin.importers.citygml_scan import scan_citygml

FZK_V2 = "FZK-Haus-LoD2-KIT-IAI-KHH-B36-V1.gml"
NRW_A = "LoD2_32_326_5730_1_NW.gml"
BUILDING_ID = "UUID_d281adfc-4901-0f52-540b-4cc1a9325f82"


@pytest.fixture(scope="module")
def samples(shared_data: Path) -> Path:
    return shared_data / "citygml-samples"


def _rings(read: FileBuildings) -> list[np.ndarray]:
    """The corners of every ring, in its order (reversed rings turned)."""
    rings = []
    for first, length, flip in zip(read.ring_first, read.ring_length, read.ring_flip,
                                   strict=True):
        corners = read.coords[first:first + length]
        rings.append(corners[::-1] if flip else corners)
    return rings


def assert_same(fast: FileBuildings, tree: FileBuildings) -> None:
    """Every building, attribute, face, ring corner and count equal."""
    for name in ("ids", "attributes", "srs_names", "surface_ids", "srs_name", "others",
                 "skipped", "skipped_example", "unresolved"):
        assert getattr(fast, name) == getattr(tree, name), name
    for name in ("face_building", "face_member", "face_class", "face_rings", "ring_length",
                 "ring_flip"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(tree, name), err_msg=name)
    for a, b in zip(_rings(fast), _rings(tree), strict=True):
        np.testing.assert_array_equal(a, b)


def _both(path: Path) -> tuple[FileBuildings, FileBuildings]:
    return citygml_stream.scan_file(path), from_tree_scan(scan_citygml(path))


@pytest.mark.parametrize("name", [
    "LoD2_32_326_5730_1_NW.gml", "LoD2_32_325_5732_1_NW.gml", "53375768_bldg_6697_op.gml",
    "51357335_bldg_6697_op.gml", "52397519_bldg_6697_op.gml", FZK_V2,
    "FZK-Haus-LoD2-KIT-IAI-KHH-B36-V1__v3.gml", "Building_and_garage_LOD2-EPSG25832_v2.gml",
    "Building_and_garage_LOD2-EPSG25832_v3.gml",
    "Building_CityGML3.0_LOD2_with_several_attributes.gml"])
def test_every_sample_reads_as_the_tree_walk_reads_it(samples: Path, name: str) -> None:
    assert_same(*_both(samples / name))


def test_blocks_split_anywhere_read_the_same(samples: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    whole = citygml_stream.scan_file(samples / NRW_A)
    monkeypatch.setattr(citygml_stream, "BLOCK", 4099)
    monkeypatch.setattr(citygml_stream, "ROOT_SEARCH", 1)
    assert_same(citygml_stream.scan_file(samples / NRW_A), whole)


def _edited(samples: Path, tmp_path: Path, edit: Callable[[str], str]) -> Path:
    """The FZK-Haus file with a second copy of its building (id B2) changed by ``edit``."""
    text = (samples / FZK_V2).read_text(encoding="utf-8")
    start = text.index("<core:cityObjectMember>")
    end = text.index("</core:cityObjectMember>") + len("</core:cityObjectMember>")
    copy = text[start:end].replace(BUILDING_ID, "B2")
    copy = copy.replace('gml:id="Poly', 'gml:id="B2Poly').replace('"#Poly', '"#B2Poly')
    copy = copy.replace('gml:id="GML_', 'gml:id="B2GML_')
    path = tmp_path / "edited.gml"
    path.write_text(text[:end] + edit(copy) + text[end:], encoding="utf-8")
    return path


def _first_pos_list(copy: str, replace: Callable[[str], str]) -> str:
    """``copy`` with the text of its first posList replaced."""
    start = copy.index(">", copy.index("<gml:posList")) + 1
    end = copy.index("</gml:posList>", start)
    return copy[:start] + replace(copy[start:end]) + copy[end:]


@pytest.mark.parametrize("edit", [
    lambda t: t.replace("<gml:posList>", '<gml:posList srsDimension=" 2">', 1),
    lambda t: _first_pos_list(t, lambda text: text + " 1.0"),
    lambda t: t.replace("<gml:exterior>", "<gml:interior>", 1).replace(
        "</gml:exterior>", "</gml:interior>", 1),
    lambda t: t[:t.index("<bldg:lod2Solid>")] + "</bldg:Building></core:cityObjectMember>",
    lambda t: t.replace('xlink:href="#B2Poly', 'xlink:href="#Nowhere', 2),
    lambda t: _first_pos_list(t, lambda text: text.replace("5439088.0 ", "5439088.00000000001 ",
                                                             1)),
    lambda t: _first_pos_list(t, lambda text: text.replace("457842.0 ", "457842.00000000001 ")),
    lambda t: t.replace("</bldg:function>", "</bldg:function><bldg:storeysAboveGround> 2 "
                                            "</bldg:storeysAboveGround>", 1),
], ids=["srs-dimension", "ring-size", "interior-first", "no-geometry", "unresolved",
        "long-mantissa", "long-closing-corner", "storeys"])
def test_skipped_buildings_and_long_numbers_read_alike(samples: Path, tmp_path: Path,
                                                       edit: Callable[[str], str]) -> None:
    assert_same(*_both(_edited(samples, tmp_path, edit)))


@pytest.mark.parametrize("edit", [
    lambda t: t.replace(">1000</bldg:function>", "><!-- c -->1000</bldg:function>", 1),
    lambda t: _first_pos_list(t, lambda text: text.replace(" ", " NaN ", 1)),
    lambda t: _first_pos_list(t, lambda text: text.replace(" ", "&#32;", 1)),
    lambda t: t.replace("<bldg:Building ", '<bldg:Building xmlns:gml="urn:other" ', 1),
    lambda t: t.replace("</bldg:Building>", "</bldg:BuildingX>", 1),
], ids=["comment-in-value", "nan", "character-reference", "gml-redeclared", "mismatched-tag"])
def test_what_the_scanner_does_not_decode_is_left_to_lxml(samples: Path, tmp_path: Path,
                                                          edit: Callable[[str], str]) -> None:
    path = _edited(samples, tmp_path, edit)
    with pytest.raises(citygml_stream.NotPlain):
        citygml_stream.scan_file(path)


def test_a_document_type_declaration_is_left_to_lxml(samples: Path, tmp_path: Path) -> None:
    text = (samples / FZK_V2).read_text(encoding="utf-8")
    path = tmp_path / "doctype.gml"
    path.write_text(text.replace("?>", "?>\n<!DOCTYPE CityModel>", 1), encoding="utf-8")
    with pytest.raises(citygml_stream.NotPlain):
        citygml_stream.scan_file(path)


@pytest.mark.parametrize("data", ["<a>Gebäude</a><b/>建物 x".encode(), b"id\x00nul <c>text</c>"],
                         ids=["utf-8", "nul"])
def test_block_strings_are_the_decoded_spans(data: bytes) -> None:
    spans = np.array([[0, 3], [3, 8], [12, -1], [5, 0], [len(data) - 2, 2], [0, len(data)]],
                     dtype=np.int64)
    expected = [None if n < 0 else data[s:s + n].decode() for s, n in spans.tolist()]
    assert citygml_stream._Text(data, 0).strings(spans) == expected
