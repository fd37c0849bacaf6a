"""Places: China's administrative divisions, and free-text addresses read into them.

A customer pastes "张三 13800138000 北京市朝阳区建国路88号", or "广东广州天河体育西路1号，李四，139…", or the
address alone; staff and channels send the same. `read_address` finds the province, city and district (the
county level), the street line, the postcode, the recipient and their phone, and gives the place its
administrative code and coordinates (the district's centroid), so distances and route plans work for every
order. Same-named districts (朝阳区 in Beijing and in Changchun) are told apart by what else the text names:
the city, the province, the postcode, the phone's region.

A place counts where addresses put places, and the province and city the text names come first: a district name
inside a street, a building or an everyday word does not outweigh them, and a prefecture named alone is the
prefecture. Traditional characters are read as Simplified; the phone's region (core.base.phone_regions) is a hint.
The divisions and their names are core.base.divisions'.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

from core.base.divisions import CITY, DISTRICT, PROVINCE, Division, Gazetteer, gazetteer, short_name
from core.base.i18n import Phrase, phrase
from core.base.phone_regions import region_of
from core.base.phones import display_phone
from core.base.traditional import simplified

__all__ = ["Division", "Doubt", "ReadAddress", "doubt_phrase", "doubts_about", "gazetteer", "phone_region",
           "place_of", "read_address", "short_name", "written"]

_SPECIAL_REGIONS = ("81", "82")  # 香港特别行政区, 澳门特别行政区
_OUTSIDE_MAINLAND = ("71", "81", "82")  # 台湾省 too
WEIGHT = {PROVINCE: 1.0, CITY: 2.0, DISTRICT: 4.0}  # what naming a place at each level says about the address
COHERENT = 1.0  # for each further level of one place named: "深圳南山" is one place, not two guesses

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
# (a full stop that is not a decimal point ends a piece too: "0755-22107333.曹建林")
_PIECES = (re.compile(r"(?:[,;|/，；、。\n]|\.(?!\d))+"), re.compile(r"(?:[\s,;|/，；、。]|\.(?!\d))+"))
# a name, maybe with the 收 of "王先生收" ("for 王先生") after it
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}收?$|^[A-Za-z][A-Za-z .'-]{1,29}$")
_MARKS = "路街道号巷弄村镇乡区县市省室楼层栋幢座户铺院园苑里庄厦场心寓社组期门局店馆司厂所站校"
_ADDRESSY = re.compile(rf"[\d{_MARKS}]")
_GLUED_NAME = re.compile(rf"(?<=[\dA-Za-z{_MARKS}])((?:(?![{_MARKS}])[\u4e00-\u9fff·]){{2,4}})$")
_NAMED = re.compile(r"(?:收货人|收件人|联系人|姓名)\s*[:：]?\s*([^\s,;|/，；、。:：\d]{1,30})")
# A short name running on into a street or a town is the street's ("中山路", "南京东路", "长安镇"), not the place's;
# one running on into a building or a landmark is the building's ("长泰广场"), unless a place stands just before it.
_STREET_AFTER = re.compile(r"[东西南北中]?(?:[路街道巷弄镇乡村]|大[道街])")
_LANDMARK_AFTER = re.compile(r"广场|大厦|中心|花园|公园|商城|新城|宾馆|酒店|饭店|医院|小区")
# Where a place's name may start: where the text starts, after a separator, or right after another place's name;
# in the middle of a word ("珠江新城", "高新西区", "永丰立交桥西") it is part of that word.
_BEFORE_PLACE = frozenset(" \n\t|,;，；、。:：()（）[]【】<>《》\"'“”‘’-")
# Names of divisions that are also everyday words: they count only beside another place's name ("甘肃合作").
ORDINARY = frozenset(
    "合作 和平 解放 新城 新市 城中 东风 红旗 平安 共和 公安 通道 友好 永安 长安 新华 光明 前进 东方 城关 矿区 郊区 "
    "东区 西区 南区 北区 城区 中区 江城 新兴 兴业 太平 永和 江南 海港 新北 新区".split())


# -- reading an address ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    places: list[tuple[Division, float]]
    name: str = ""


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
    guess: str = ""  # why a district read is not sure ("district_guessed", "district_renamed" …); "" if sure

    @property
    def placed(self) -> bool:
        """Read down to a district (or a city with none below it)."""
        return bool(self.adcode) and gazetteer().by_code[self.adcode].county_level


@lru_cache(maxsize=16)  # one address is looked at whole more than once while it is read; no more is kept
def mentions(text: str) -> tuple[Mention, ...]:
    """Every division named in the text, the longest name at each point, left to right, where addresses put
    places: not inside a word, a street's or a building's name."""
    g = gazetteer()
    found: list[Mention] = []
    i, n = 0, len(text)
    while i < n - 1:
        for size in g.sizes.get(text[i], ()):
            places = g.aliases.get(text[i:i + size])
            if not places:
                continue
            short = all(w < 1 for _, w in places)
            after_place = bool(found) and found[-1].end == i
            if short and ((_STREET_AFTER.match(text, i + size) and not _own_place_at(g, text, i + size, places)) or
                          (not after_place and _LANDMARK_AFTER.match(text, i + size))):
                continue
            found.append(Mention(i, i + size, places, text[i:i + size]))
            i += size
            break
        else:
            i += 1
    return tuple(m for index, m in enumerate(found) if _stands(text, found, index))


def _own_place_at(g: Gazetteer, text: str, at: int, places: list[tuple[Division, float]]) -> bool:
    """Whether one of the place's own divisions is named there ("临汾乡宁": 乡 starts 乡宁县 of 临汾, it is no
    township; "中山路南段" has no division of 中山 after it)."""
    above = {p.adcode for p, _ in places}
    return any(above & {q.adcode for q in g.chain(d)}
               for size in g.sizes.get(text[at], ())
               for d, _ in g.aliases.get(text[at:at + size], ()))


def _stands(text: str, found: list[Mention], index: int) -> bool:
    """Whether a name found stands where a place's name does: at a word's start, or beside another place's name
    ("张三北京朝阳": 北京 runs on into 朝阳); a full name of three characters or more ("李飞西安市") stands anywhere.
    An everyday word ("合作") counts only beside another place's name."""
    m = found[index]
    before = index > 0 and found[index - 1].end == m.start
    beside = before or (index + 1 < len(found) and found[index + 1].start == m.end)
    if m.name in ORDINARY or _short_ordinary(m.name):
        return beside
    if m.start == 0 or beside or text[m.start - 1] in _BEFORE_PLACE or text[max(m.start - 2, 0):m.start] == "中国":
        return True
    return m.end - m.start >= 3 and any(w >= 1 for _, w in m.places)


def _short_ordinary(name: str) -> bool:
    return len(name) == 2 and name[-1] in "区县" and name[0] in "东西南北中城郊矿"


@dataclass(frozen=True)
class Choice:
    """The place an address names, and what the choice rests on."""

    place: Division
    score: float
    tied: bool  # another place scored the same: a same-named district nothing else told apart
    levels: int  # how many levels of the place's chain the text names ("深圳南山": 2)
    full: bool  # the place itself is named in full ("南山区", not "南山")
    guessed: bool = False  # through an old name split between several of today's divisions, or a loose match
    overruled: bool = False  # a province or city the text names elsewhere disagrees


def best_place(found: tuple[Mention, ...], hints: tuple[str, ...] = ()) -> Choice | None:
    """The deepest place best backed by the names around it. A province or city the text names decides first
    (in full before shortened, then left to right): a district elsewhere in the text counts only within it; a
    name that reads as a city and as a county is the city. `hints` are adcodes the postcode or the phone
    point at, weaker than a name in the text."""
    g = gazetteer()
    said: dict[str, dict[int, float]] = {}  # place → the mentions naming it, with what each says
    for index, m in enumerate(found):
        for place, weight in m.places:
            level = DISTRICT if place.county_level else place.level
            said.setdefault(place.adcode, {})[index] = weight * WEIGHT[level]
    if not said:
        return None
    candidates, overruled = _framed(found, set(said))
    for m in found:  # "云南大理" is 大理州, not 大理市; "西安交通大学" is not 辽源's 西安区
        if any(p.adcode in candidates and p.level == CITY and not p.leaf for p, _ in m.places):
            candidates -= {p.adcode for p, _ in m.places if p.county_level and len(said[p.adcode]) == 1}
    scored = []
    for code in candidates:
        chain = g.chain(g.by_code[code])
        backing: dict[int, float] = {}  # one mention backs one level ("朝阳" is not both 朝阳市 and 朝阳县)
        for p in chain:
            for index, weight in said.get(p.adcode, {}).items():
                backing[index] = max(backing.get(index, 0.0), weight)
        levels = sum(1 for p in chain if p.adcode in said)
        score = sum(backing.values()) + COHERENT * (min(levels, len(backing)) - 1)
        score += sum(0.5 for p in chain if p.adcode in hints)
        scored.append((score, chain[0].level, -int(code), chain[0], levels))
    scored.sort(key=lambda s: s[:3], reverse=True)
    score, level, _, place, levels = scored[0]
    tied = len(scored) > 1 and scored[1][:2] == (score, level)
    naming = [found[index] for index in said[place.adcode]]
    full = any(p.adcode == place.adcode and w >= 1 for m in naming for p, w in m.places)
    guessed = any((m.name, place.adcode) in g.guessed for m in naming)
    return Choice(place, score, tied, levels, full, guessed, overruled)


def _framed(found: tuple[Mention, ...], candidates: set[str]) -> tuple[set[str], bool]:
    """The candidates that agree with the provinces and cities the text names, and whether one of those names
    was overruled by another (a city named in a building's name: "成都…北京万商律师事务所")."""
    g = gazetteer()
    # addresses run from the province down: a province or city named after a county ("东城区朝阳门") is a
    # street's or a building's, and frames nothing
    county = next((i for i, m in enumerate(found) if all(p.level == DISTRICT for p, _ in m.places)), len(found))
    framing = [(all(w < 1 for _, w in m.places), index) for index, m in enumerate(found[:county])
               if any(p.level in (PROVINCE, CITY) for p, _ in m.places)]  # 东莞市 frames its streets too
    overruled = False
    for _, index in sorted(framing):
        named = {p.adcode for p, _ in found[index].places}
        agree = {c for c in candidates if named & {p.adcode for p in g.chain(g.by_code[c])} or
                 any(c in {q.adcode for q in g.chain(p)} for p, _ in found[index].places)}
        if agree:
            candidates = agree
        else:
            overruled = True
    return candidates, overruled


def _loosely(address: str, city: Division) -> Division | None:
    """A district of the city written with part of its name left out ("雨花区" for 雨花台区)."""
    for d in gazetteer().children.get(city.adcode, ()):
        stem = short_name(d.name)
        if any(f"{stem[:k]}{d.name[-1]}" in address for k in range(2, len(stem))):
            return d
    return None


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
    return region_of(national)


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
    lead, named, county_named = 0, set[str](), False
    for m in found:
        codes = {p.adcode for p, _ in m.places if p.adcode in chain}
        if _tidy(address[lead:m.start]) not in ("", "中国") or m not in ours:
            break
        if county_named and codes & named:  # the place again after its district: a landmark's name (南京大学)
            break
        named |= codes
        county_named = county_named or any(p.county_level for p, _ in m.places if p.adcode in chain)
        lead = m.end
    rest = address[lead:] if lead else _cut(address, [(m.start, m.end) for m in ours])
    return _tidy(rest.replace("|", " "))


def read_address(text: str) -> ReadAddress:
    """Read a free-text address, or a whole "name phone address" paste in any order, into its parts."""
    # full-width digits and punctuation as ASCII; a lone surrogate (valid in JSON, not in UTF-8) dropped
    text = unicodedata.normalize("NFKC", text).encode("utf-8", "ignore").decode("utf-8")
    text = simplified(text)  # "廣州市越秀區" is read as 广州市越秀区 (and "電話" as the label 电话)
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
    elif len(name) >= 3 and name.endswith("收"):
        name = name[:-1]
    found = mentions(address)
    hints = _postcode_hints(postcode) if postcode else ()
    region = phone_region(phone) if phone else ""
    if region:
        hints += _region_hints(region)
    choice = best_place(found, hints)
    read = ReadAddress(line=_tidy(address), postcode=postcode, name=name, phone=phone)
    if choice is None:
        read.doubts.append(Doubt("address_unplaced"))
        return read
    loose = None
    if choice.place.level == CITY and not choice.place.leaf and (loose := _loosely(address, choice.place)):
        choice = replace(choice, place=loose, levels=choice.levels + 1, guessed=True)
    _fill(read, choice.place)
    read.line = _line(address, found, {p.adcode for p in gazetteer().chain(choice.place)})
    read.confidence = _confidence(choice)
    read.guess = _guess(choice, loose is not None)
    read.doubts = doubts_about(read, region)
    if any(d.key == "phone_elsewhere" for d in read.doubts):  # the phone's region is a hint, not a hold
        read.confidence = round(min(read.confidence - 0.05, 0.75 if choice.levels < 2 else 1.0), 2)
    return read


def _fill(read: ReadAddress, place: Division) -> None:
    g = gazetteer()
    chain = g.chain(place)
    by_level = {p.level: p for p in chain}
    read.adcode = place.adcode
    read.province = by_level[PROVINCE].name
    if read.adcode[:2] in _SPECIAL_REGIONS:  # Hong Kong and Macau have districts, no cities: each is its own city
        read.city = read.province
    else:
        read.city = (by_level.get(CITY) or place).name if place.level != PROVINCE else ""
    read.district = by_level[DISTRICT].name if DISTRICT in by_level else (place.name if place.leaf else "")
    with_point = next((p for p in chain if p.lat is not None), None)
    if with_point is not None:
        read.lat, read.lon = with_point.lat, with_point.lon
    if not read.postcode:
        read.postcode = next((p.postcode for p in chain if p.postcode), "")


def _confidence(choice: Choice) -> float:
    """How sure the reading is, 0–1, so that a wrong one is rarely sure (below `SURE`, 0.8, a person is asked):
    a district named with its city or province is sure; one named alone in full almost; shortened, or a
    same-named one nothing told apart, or read through an old name split since, or against a province the text
    names, is a guess; a city or a province alone is not an address yet."""
    place = choice.place
    if not place.county_level:
        return 0.3 if place.level == CITY else 0.1
    if choice.levels >= 2:
        sure = 0.95 if choice.full else 0.9
    else:
        sure = 0.8 if choice.full else 0.7
    if choice.tied:
        sure *= 0.6
    if choice.guessed or choice.overruled:
        sure = min(sure, 0.7)
    return round(sure, 2)


def _guess(choice: Choice, loose: bool) -> str:
    """Why a district read is not sure, for whoever confirms it with the customer: a catalogue key under
    "review." (staff) and "doubt." (the bot)."""
    if not choice.place.county_level:
        return ""
    if choice.tied:
        return "district_guessed"
    if loose:
        return "district_loose"
    if choice.guessed:
        return "district_renamed"
    if choice.overruled:
        return "district_overruled"
    return "" if choice.levels >= 2 or choice.full else "district_alone"


def doubts_about(read: ReadAddress, phone_region_said: str | None = None, street: bool = False) -> list[Doubt]:
    """What a person should check: an address in Hong Kong, Macau or Taiwan (another customs territory, whatever
    district it names); no district found; a postcode of another province; a phone given out in
    another province (only where the region of each can be told); with `street`, a whole address that names
    no street after its place ("北京市朝阳区")."""
    g = gazetteer()
    if read.adcode[:2] in _OUTSIDE_MAINLAND:  # read as itself, never as a mainland county of the same name
        return [Doubt("address_outside_mainland", {"province": read.province})]
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
        doubts.append(Doubt("phone_elsewhere", {"phone": display_phone(read.phone), "region": region,
                                                "province": province.name}))
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
