"""Places by code: however a person or a shop names a province, city or district, the division it means.

People and platforms name one province many ways: 上海市, 上海, Shanghai, SH (ISO 3166-2:CN), CN-SH, 310000
(its administrative code, adcode). fahuo keeps the code and compares codes: a carrier serving 上海 serves an
address read as 上海市, and one serving 310000 serves 上海市徐汇区 (a region covers everything under it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core.base.places import CITY, DISTRICT, PROVINCE, Division, gazetteer, read_address

# Each province: its adcode, the ISO 3166-2:CN code, and the names it has in Latin letters (pinyin, English).
PROVINCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("110000", "BJ", ("Beijing", "Peking")), ("120000", "TJ", ("Tianjin",)), ("130000", "HE", ("Hebei",)),
    ("140000", "SX", ("Shanxi",)), ("150000", "NM", ("Inner Mongolia", "Nei Mongol", "Neimenggu", "Nei Menggu")),
    ("210000", "LN", ("Liaoning",)), ("220000", "JL", ("Jilin",)), ("230000", "HL", ("Heilongjiang",)),
    ("310000", "SH", ("Shanghai",)), ("320000", "JS", ("Jiangsu",)), ("330000", "ZJ", ("Zhejiang",)),
    ("340000", "AH", ("Anhui",)), ("350000", "FJ", ("Fujian",)), ("360000", "JX", ("Jiangxi",)),
    ("370000", "SD", ("Shandong",)), ("410000", "HA", ("Henan",)), ("420000", "HB", ("Hubei",)),
    ("430000", "HN", ("Hunan",)), ("440000", "GD", ("Guangdong", "Canton")), ("450000", "GX", ("Guangxi",)),
    ("460000", "HI", ("Hainan",)), ("500000", "CQ", ("Chongqing",)), ("510000", "SC", ("Sichuan",)),
    ("520000", "GZ", ("Guizhou",)), ("530000", "YN", ("Yunnan",)), ("540000", "XZ", ("Xizang", "Tibet")),
    ("610000", "SN", ("Shaanxi",)), ("620000", "GS", ("Gansu",)), ("630000", "QH", ("Qinghai",)),
    ("640000", "NX", ("Ningxia",)), ("650000", "XJ", ("Xinjiang",)), ("710000", "TW", ("Taiwan",)),
    ("810000", "HK", ("Hong Kong", "Hongkong", "Xianggang")), ("820000", "MO", ("Macao", "Macau", "Aomen")),
)
ISO_CODES = {iso: code for code, iso, _ in PROVINCES}
# what a Latin name may carry after the name itself: "Guangdong Province", "Shanghai Shi", "Xinjiang Uygur A.R."
_LATIN_TAIL = re.compile(r"(province|sheng|shi|city|municipality|autonomousregion|zizhiqu|specialadministrative"
                         r"region|sar|uygur|uyghur|weiwuer|zhuang|zhuangzu|hui|huizu|ar)+$")
_LATIN_NAMES = {re.sub(r"[^a-z]", "", name.lower()): code for code, _, names in PROVINCES for name in names}
_ADCODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class Codes:
    """A place's administrative codes at each level, "" where it has none (a province alone, 东莞市 with no
    districts)."""

    province: str = ""
    city: str = ""
    district: str = ""


def _latin(name: str) -> str | None:
    key = re.sub(r"[^a-z]", "", name.lower())
    return _LATIN_NAMES.get(key) or _LATIN_NAMES.get(_LATIN_TAIL.sub("", key))


@lru_cache(maxsize=4096)
def division(name: str, within: str = "") -> Division | None:
    """The division a name means, in any form: full (上海市, 广西壮族自治区) or short (上海, 广西), pinyin or English
    (Shanghai, Guangxi), the ISO 3166-2:CN code (SH, CN-SH), the adcode (310000), or a place with what it lies in
    (广东深圳, 北京市朝阳区). A name several places have (吉林: the province and its city; 朝阳区: in Beijing and
    in Changchun) means the one under `within` (an adcode) when given, else the highest; two at the same
    level that nothing tells apart give None, as does a name of no place."""
    name = name.strip()
    if not name:
        return None
    g = gazetteer()
    if _ADCODE.match(name):
        return g.by_code.get(name)
    upper = name.upper().removeprefix("CN-")
    if len(upper) == 2 and upper in ISO_CODES and name.isascii():
        return g.by_code[ISO_CODES[upper]]
    if name.isascii():
        code = _latin(name)
        return g.by_code[code] if code else None
    return _by_name(name, within)


def _by_name(name: str, within: str) -> Division | None:
    g = gazetteer()
    known = g.aliases.get(name)
    if known is None:  # several names in one ("广东深圳"): the reader finds the place they name together
        read = read_address(name)
        return g.by_code[read.adcode] if read.adcode and not read.line else None
    places = [p for p, _ in known]
    if within:
        under = [p for p in places if within in (c.adcode for c in g.chain(p))]
        places = under or places
    best = max(w for p, w in known if p in places)
    places = [p for p, w in known if p in places and w == best]
    top = min(p.level for p in places)
    highest = [p for p in places if p.level == top]
    return highest[0] if len(highest) == 1 or top == PROVINCE else None


def in_words(name: str, within: str = "") -> str:
    """A part of an address named in Latin letters, by its ISO code or its adcode ("Shanghai", "SH", "310104") as
    its name in Chinese, which the address reader reads; a name already in Chinese, or of no place, stays as
    written. `within` is the part above it, in any form."""
    if not name or not name.isascii():
        return name
    above = division(within) if within else None
    found = division(name, above.adcode if above else "")
    return found.name if found else name


def codes_of(adcode: str) -> Codes:
    """The province, city and district codes of a place given by its deepest code."""
    g = gazetteer()
    place = g.by_code.get(adcode)
    if place is None:
        return Codes()
    by_level = {p.level: p.adcode for p in g.chain(place)}
    district = by_level.get(DISTRICT, place.adcode if place.leaf and place.level == CITY else "")
    return Codes(by_level.get(PROVINCE, ""), by_level.get(CITY, ""), district)


def covers(region: str, adcode: str) -> bool:
    """A region (an adcode at any level) covers a place: the place is it, or lies under it."""
    g = gazetteer()
    place = g.by_code.get(adcode)
    return place is not None and any(p.adcode == region for p in g.chain(place))


def canonical(adcode: str) -> str:
    """A place's name as fahuo answers it: a province by its name (上海市, 广东省), a city or district with what it
    lies in, a municipality named once (广东省深圳市, 上海市徐汇区)."""
    g = gazetteer()
    place = g.by_code.get(adcode)
    if place is None:
        return adcode
    names: list[str] = []
    for p in reversed(g.chain(place)):
        if not names or names[-1] != p.name:
            names.append(p.name)
    return "".join(names)


def province_code(adcode: str, name: str = "") -> str:
    """The province a place lies in, by its code; by its province's name in any form where it has no code."""
    return codes_of(adcode or place_code(name)).province


def place_code(province: str, city: str = "", district: str = "") -> str:
    """The deepest code that parts given in any name form add up to ("" when the province says nothing known):
    the district within the city within the province, as far as each is found under the one above."""
    found = division(province) if province else None
    code = found.adcode if found else ""
    for part in (city, district):
        below = division(part, within=code) if part else None
        if below is not None and (not code or covers(code, below.adcode)):
            code = below.adcode
    return code
