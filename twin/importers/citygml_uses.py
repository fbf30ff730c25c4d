"""Building use classes (``twin.model.BUILDING_USES``) from CityGML ``function`` / ``usage`` codes.

Three code lists are read, each mapped by code ranges (a range shares one use; the first and
last code of every range are codes of the list):

- **ALKIS** ``31001_xxxx``: building function of the German cadastre, AdV GeoInfoDok
  ``AX_Gebaeude.gebaeudefunktion`` (code list ``AX_Gebaeudefunktion``, the prefix 31001 names the
  object type AX_Gebaeude; used by every German state's LoD2 data). Codes of other object types
  (``51009_xxxx``: AX_SonstigesBauwerkOderSonstigeEinrichtung, ...) are structures: ``other``.
- **CityGML 2.0** ``_AbstractBuilding_function.xml`` / ``_AbstractBuilding_usage.xml``: the
  SIG3D code list (www.sig3d.org/codelists/standard/building/2.0/), the same codes for function
  and usage; taken for a four-digit code that is neither ALKIS nor PLATEAU.
- **PLATEAU** ``Building_usage.xml``: Japan's 3D city model product specification (i-UR
  ``uro`` code list, MLIT), three-digit codes 401–461; taken when the codeSpace is a
  ``Building_usage.xml`` or ``Building_function.xml`` or the code has three digits.

Words instead of codes fall back to the keyword table of the CityJSON reader.
"""

from __future__ import annotations

import bisect
import functools
import re

ALKIS_FUNCTION: tuple[tuple[int, int, str], ...] = (
    (1000, 1220, "residential"),  # Wohngebäude ... Land- und forstwirtschaftliches Wohngebäude
    (1310, 1310, "other"),        # Gebäude zur Freizeitgestaltung
    (1311, 1312, "residential"),  # Ferienhaus, Wochenendhaus
    (1313, 1313, "storage"),      # Gartenhaus
    (2000, 2000, "other"),        # Gebäude für Wirtschaft oder Gewerbe
    (2010, 2010, "retail"),       # Gebäude für Handel und Dienstleistungen
    (2020, 2040, "office"),       # Bürogebäude, Kreditinstitut, Versicherung
    (2050, 2060, "retail"),       # Geschäftsgebäude, Kaufhaus, ..., Apotheke, Messehalle
    (2070, 2074, "hotel"),        # Gebäude für Beherbergung, Hotel, Jugendherberge, ...
    (2080, 2083, "restaurant"),   # Gebäude für Bewirtung, Gaststätte, Kantine
    (2090, 2094, "other"),        # Freizeit- und Vergnügungsstätte, ...
    (2100, 2131, "industrial"),   # Gewerbe und Industrie, Fabrik, Werkstatt, Tankstelle
    (2140, 2150, "storage"),      # Vorratshaltung, Kühlhaus, Lagerhalle, Speditionsgebäude
    (2160, 2160, "office"),       # Gebäude für Forschungszwecke
    (2170, 2200, "industrial"),   # Grundstoffgewinnung, Sozialeinrichtung, sonstiges Gewerbe
    (2310, 2310, "retail"),       # Handel und Dienstleistung mit Wohnen
    (2320, 2320, "industrial"),   # Gewerbe und Industrie mit Wohnen
    (2400, 2451, "other"),        # Betriebsgebäude zu Verkehrsanlagen
    (2460, 2465, "storage"),      # Gebäude zum Parken, Parkhaus, Garage, Tiefgarage
    (2500, 2622, "industrial"),   # Versorgung (Energie, Wasser, ...) und Entsorgung
    (2700, 2729, "storage"),      # Land- und Forstwirtschaft: Betriebsgebäude, Scheune, Stall
    (2730, 2742, "other"),        # Almhütte, Jagdhaus, Treibhaus, Gewächshaus
    (3000, 3019, "public"),       # öffentliche Zwecke, Verwaltung, Rathaus, Gericht, ...
    (3020, 3024, "education"),    # Bildung und Forschung, Schulen, Hochschulgebäude
    (3030, 3038, "public"),       # kulturelle Zwecke, Theater, Museum, Bibliothek
    (3040, 3048, "religious"),    # religiöse Zwecke, Kirche, Synagoge, Moschee, Kloster
    (3050, 3053, "health"),       # Gesundheitswesen, Krankenhaus, Pflegeanstalt, Ärztehaus
    (3060, 3064, "public"),       # soziale Zwecke, Jugendfreizeitheim, Bürgerhaus
    (3065, 3065, "education"),    # Kinderkrippe, Kindergarten, Kindertagesstätte
    (3066, 3098, "public"),       # Asylbewerberheim, Polizei, Feuerwehr, Friedhof, Bahnhof
    (3100, 3100, "public"),       # öffentliche Zwecke mit Wohnen
    (3200, 3232, "sport"),        # Erholungszwecke, Sporthalle, Hallenbad, Stadion
    (3240, 3242, "health"),       # Kurbetrieb, Sanatorium
    (3260, 3290, "other"),        # Zoo, botanischer Garten, Kleingarten, Touristeninformation
    (9998, 9998, "unknown"),      # nach Quellenlage nicht zu spezifizieren
)
"""ALKIS ``AX_Gebaeudefunktion`` code ranges and their use."""

CITYGML_FUNCTION: tuple[tuple[int, int, str], ...] = (
    (1000, 1110, "residential"),  # residential building ... summer house
    (1120, 1140, "office"),       # office building, credit institution, insurance
    (1150, 1200, "retail"),       # business building, department store ... pavilion
    (1210, 1230, "hotel"),        # hotel, youth hostel, campsite building
    (1240, 1250, "restaurant"),   # restaurant, canteen
    (1260, 1300, "other"),        # recreational site, function room, cinema, casino
    (1310, 1350, "industrial"),   # industrial building, factory, workshop, petrol station
    (1360, 1370, "storage"),      # cold store, depot
    (1380, 1380, "office"),       # building for research purposes
    (1390, 1460, "industrial"),   # quarry, salt works, mills, weather station
    (1470, 1600, "other"),        # traffic and transport plant buildings
    (1610, 1650, "storage"),      # car park, parking level, garage, vehicle hall
    (1660, 1860, "industrial"),   # supply (water, power, gas, heat) and disposal
    (1870, 1900, "storage"),      # agrarian and forestry building, barn, stall, riding hall
    (1910, 1950, "other"),        # alpine cabin, hunting lodge, arboretum, glass houses
    (1960, 2060, "public"),       # public and administration buildings, court, tax office
    (2070, 2110, "education"),    # education and research, schools, university
    (2120, 2200, "public"),       # cultural purposes, castle, theatre, museum, library
    (2210, 2240, "religious"),    # religious building, church, synagogue, chapel
    (2250, 2250, "public"),       # community center
    (2260, 2290, "religious"),    # place of worship, mosque, temple, convent
    (2300, 2330, "health"),       # health care, hospital, care home, outpatients clinic
    (2340, 2370, "public"),       # social purposes, youth and seniors centre, shelter
    (2380, 2380, "education"),    # kindergarten or nursery
    (2390, 2530, "public"),       # asylum, police, fire station, ..., stations, terminals
    (2540, 2590, "sport"),        # recuperation, sport halls and fields, swimming baths
    (2600, 2600, "health"),       # sanatorium
    (2610, 2700, "other"),        # zoo, green house, botanical show house, bothy, others
)
"""CityGML 2.0 (SIG3D) ``_AbstractBuilding_function`` / ``_usage`` code ranges and their use."""

PLATEAU_USAGE: tuple[tuple[int, int, str], ...] = (
    (401, 401, "office"),       # 業務施設 business facility
    (402, 402, "retail"),       # 商業施設 commercial facility
    (403, 403, "hotel"),        # 宿泊施設 accommodation
    (404, 404, "retail"),       # 商業系複合施設 mixed commercial
    (411, 415, "residential"),  # 住宅, 共同住宅, 店舗等併用住宅, 店舗等併用共同住宅, 作業所併用住宅
    (421, 421, "public"),       # 官公庁施設 government
    (422, 422, "education"),    # 文教厚生施設 education, culture and welfare
    (431, 431, "storage"),      # 運輸倉庫施設 transport and warehouse
    (441, 441, "industrial"),   # 工場 factory
    (451, 451, "other"),        # 農林漁業用施設 agriculture, forestry, fishery
    (452, 452, "industrial"),   # 供給処理施設 supply and treatment plant
    (453, 453, "public"),       # 防衛施設 defence
    (454, 454, "other"),        # その他 other
    (461, 461, "unknown"),      # 不明 unknown
)
"""PLATEAU ``Building_usage`` codes and their use."""

_ALKIS = re.compile(r"^(\d{5})_(\d{4})$")
_CODE = re.compile(r"^\d{3,4}$")
_PLATEAU_SPACE = re.compile(r"(^|/)Building_(usage|function)\.xml$")


@functools.cache
def _lows(table: tuple[tuple[int, int, str], ...]) -> list[int]:
    return [low for low, _, _ in table]


def _lookup(table: tuple[tuple[int, int, str], ...], code: int) -> str:
    """The use of the range holding ``code``; "unknown" for a code in no range."""
    k = bisect.bisect_right(_lows(table), code) - 1
    if k >= 0 and table[k][0] <= code <= table[k][1]:
        return table[k][2]
    return "unknown"


@functools.lru_cache(maxsize=4096)
def use_of_code(value: str, code_space: str | None) -> str | None:
    """The use class a ``function`` / ``usage`` code names, "unknown" for a code of a known list
    that names no use, None when ``value`` is not a code (a word, left to the keyword table)."""
    text = value.strip()
    alkis = _ALKIS.match(text)
    if alkis:
        return _lookup(ALKIS_FUNCTION, int(alkis[2])) if alkis[1] == "31001" else "other"
    if not _CODE.match(text):
        return None
    if _PLATEAU_SPACE.search(code_space or "") or len(text) == 3:
        return _lookup(PLATEAU_USAGE, int(text))
    return _lookup(CITYGML_FUNCTION, int(text))
