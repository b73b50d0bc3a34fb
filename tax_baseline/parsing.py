"""Read floor (楼层) and orientation (朝向) text the way Chinese housing records write them.

The floor coefficient (楼层系数) and the orientation factor (朝向修正, one of the "other factors" 综合修正)
of the stock-housing valuation tables are keyed by an integer floor and a canonical orientation. Court
records, listing sites and registry extracts write both in many ways; this module turns that text into
the keys, or raises an error whose Chinese message says what was wrong and which forms are accepted.

Forms are taken from the sources the toolkit reads:

- registry extracts and court survey sheets (调查情况表): ``5``, ``5层``, ``第5层``, ``5/18``, ``四層``,
  ``地下一层``, ``负一层``;
- listing sites (Lianjia/Beike style): ``中楼层(共18层)``, ``高楼层/共33层``, ``低楼层 共6层``,
  ``顶层(共6层)``, ``底层``; orientation ``南 北``, ``南北通透``;
- property-management and parking records: ``B1``, ``-1``;
- Singapore HDB resale data (``storey_range`` column), used as a test corpus: ``07 TO 09``.

Basement floors are negative (地下一层 = -1); there is no floor 0, as in Chinese floor numbering
(GB 50352 counts storeys above ground from 1 and names the one below ground 地下一层).

No imports of ``xunpai`` or ``web``: these are plain rules, testable without a database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from tax_baseline.numerals import NUMERAL_CHARS, read_numeral

__all__ = [
    "FloorParseError",
    "FloorReading",
    "FloorUnknown",
    "OrientationParseError",
    "ORIENTATIONS",
    "RELATIVE_FLOORS",
    "parse_floor",
    "parse_orientation",
    "parse_total_floors",
    "relative_floor_band",
]


class FloorParseError(ValueError):
    """The floor text cannot be read, or contradicts the total floors (总层数)."""


class FloorUnknown(FloorParseError):
    """The text names no floor but may give the building's total floors (``未知楼层(共33层)``)."""

    def __init__(self, message: str, total_floors: int | None = None):
        super().__init__(message)
        self.total_floors = total_floors


class OrientationParseError(ValueError):
    """The orientation (朝向) text cannot be read as one of :data:`ORIENTATIONS`."""


# ---------------------------------------------------------------------------------------------------
# Chinese numerals
# ---------------------------------------------------------------------------------------------------

def _read_number(token: str) -> int:
    """Arabic digits (already half-width) or a Chinese numeral."""
    if token.isdecimal():
        return int(token)
    return read_numeral(token)


# ---------------------------------------------------------------------------------------------------
# Floors
# ---------------------------------------------------------------------------------------------------

RELATIVE_FLOORS = ("低", "中", "高")


@dataclass(frozen=True)
class FloorReading:
    """A floor read from text: an inclusive band ``low..high`` (equal for an exact floor).

    ``total_floors`` is the building's number of storeys above ground (总层数) when known, ``relative`` is
    低/中/高 when the text gave a relative floor (低楼层/中楼层/高楼层), ``text`` the original text.
    """

    low: int
    high: int
    total_floors: int | None
    relative: str | None
    text: str

    @property
    def is_exact(self) -> bool:
        """True when the text named one floor rather than a band."""
        return self.low == self.high


def relative_floor_band(relative: str, total_floors: int) -> tuple[int, int]:
    """The floor band meant by a relative floor (低/中/高楼层) in a building of ``total_floors`` storeys.

    Listing sites publish only the relative floor and the total; they do not publish their cut-offs, so
    this toolkit fixes one rule and uses it everywhere. Floors 1..N are split into three nearly equal
    consecutive thirds, rounding the cut-offs up::

        低 = 1 .. ceil(N/3)
        中 = ceil(N/3) + 1 .. ceil(2N/3)
        高 = ceil(2N/3) + 1 .. N

    e.g. N = 18: 低 1-6, 中 7-12, 高 13-18; N = 33: 低 1-11, 中 12-22, 高 23-33; N = 7: 低 1-3, 中 4-5,
    高 6-7. For N ≥ 3 the three bands partition 1..N without gaps or overlap. A building of one or two
    storeys cannot be split into thirds, so every relative floor there means the whole building 1..N.
    """
    if relative not in RELATIVE_FLOORS:
        raise ValueError(f'相对楼层应为 低、中、高 之一，而不是"{relative}"')
    if total_floors < 1:
        raise ValueError(f"总层数必须至少为 1，而不是 {total_floors}")
    n = total_floors
    if n < 3:
        return (1, n)
    first_cut = -(-n // 3)  # ceil(N/3) in integers, no float rounding
    second_cut = -(-2 * n // 3)  # ceil(2N/3)
    if relative == "低":
        return (1, first_cut)
    if relative == "中":
        return (first_cut + 1, second_cut)
    return (second_cut + 1, n)


# Traditional characters that occur in floor text; mapped by hand so that this module needs no converter.
_FLOOR_TRADITIONAL = str.maketrans({"層": "层", "樓": "楼", "負": "负", "頂": "顶", "總": "总", "區": "区"})
_NUM = rf"(?:[0-9]+|[{NUMERAL_CHARS}]+)"
_STOREY = r"(?:层|楼|F)?"
_TOTAL_RE = re.compile(rf"[/,、;]?(?:总共|总层数:?|共|总)({_NUM}){_STOREY}")
_RELATIVE_RE = re.compile(r"([低中高])(?:楼层|层|区|楼)?")
_TOP_RE = re.compile(r"顶层|顶楼")
_GROUND_RE = re.compile(r"底层|底楼|首层")
_BASEMENT_RE = re.compile(rf"(?:地下|负|B|-)第?({_NUM}){_STOREY}")
# 地下層 / 地下室 with no number: the one storey below ground (地下一层), as registry extracts write it.
_BASEMENT_PLAIN_RE = re.compile(r"地下(?:层|室|楼)?")
_UNKNOWN_FLOOR_RE = re.compile(r"(?:未知|不详|暂无数据|暂无)(?:楼层|层)?")
_TOTAL_ONLY_RE = re.compile(rf"(?:地上)?(?:总共|总层数:?|共|总)?({_NUM})(?:层|楼|F)?(?:高)?")
_BAND_RE = re.compile(rf"第?({_NUM}){_STOREY}(?:TO|-|~|至|到|—|–)第?({_NUM}){_STOREY}")
_EXACT_RE = re.compile(rf"第?({_NUM}){_STOREY}")
_BRACKETS_RE = re.compile(r"[()\[\]【】〔〕]")

_FLOOR_FORMS = "5、5层、5/18、第5层、中楼层(共18层)、高楼层/共33层、顶层(共6层)、07 TO 09、地下一层、B1、-1"


def _normalize_floor_text(text: str) -> str:
    # NFKC turns full-width digits, slashes and brackets (５／１８, （共18层）) into ASCII.
    s = unicodedata.normalize("NFKC", text).translate(_FLOOR_TRADITIONAL)
    s = re.sub(r"\s+", "", s).upper()
    return _BRACKETS_RE.sub("", s)


def parse_floor(text: str, total_floors: int | None = None) -> FloorReading:
    """Read a floor (所在楼层) from text, optionally with the building's total floors (总层数).

    Accepted forms: ``5``, ``5层``, ``5楼``, ``5F``, ``第5层``, ``5/18``, ``5/18层``, ``四層``, ``十五层``,
    ``二十三层``; a band ``07 TO 09`` (Singapore HDB ``storey_range``) or ``5-6层``; relative floors
    ``中楼层(共18层)``, ``高楼层/共33层``, ``低楼层 共6层`` (band by :func:`relative_floor_band`);
    ``顶层`` (= total floors), ``底层``/``首层`` (= 1); basements ``地下一层``, ``负一层``, ``B1``, ``-1``
    (all = -1), ``地下層``/``地下室`` without a number (= -1, the one storey below ground). Full-width
    characters, traditional characters and extra spaces are accepted. ``未知楼层(共33层)`` names no floor:
    :class:`FloorUnknown` (a :class:`FloorParseError`) carries the total floors it gives.

    A total given in the text and ``total_floors`` must agree. Raises :class:`FloorParseError` for text
    that is not a floor, for floor 0, for a floor above the total, and for a relative floor or 顶层 when
    the total is unknown.
    """
    if not isinstance(text, str):
        raise TypeError(f"floor text must be str, not {type(text).__name__}")
    s = _normalize_floor_text(text)
    unreadable = FloorParseError(f'无法识别楼层"{text}"：应为 {_FLOOR_FORMS} 等形式')
    if not s:
        raise unreadable

    total_in_text: int | None = None
    total_match = _TOTAL_RE.search(s)
    if total_match:
        total_in_text = _read_total(total_match.group(1), text)
        s = s[: total_match.start()] + s[total_match.end() :]
    elif "/" in s:
        s, _, right = s.partition("/")
        right_match = re.fullmatch(rf"({_NUM}){_STOREY}", right)
        if not right_match:
            raise unreadable
        total_in_text = _read_total(right_match.group(1), text)

    if total_in_text is not None and total_floors is not None and total_in_text != total_floors:
        raise FloorParseError(
            f'楼层"{text}"中的总层数 {total_in_text} 与另行提供的总层数 {total_floors} 不一致'
        )
    total = total_in_text if total_in_text is not None else total_floors
    if total is not None and total < 1:
        raise FloorParseError(f"总层数必须至少为 1，而不是 {total}")

    if re.search(r"[,、;]", s):  # several parts: a unit on consecutive floors, or a floor with its annexes
        return _several_floors(text, s, total)

    relative: str | None = None
    if _UNKNOWN_FLOOR_RE.fullmatch(s):
        shown = f"（总层数 {total} 层已读取）" if total is not None else ""
        raise FloorUnknown(f'楼层"{text}"未知：没有所在层{shown}，应写明所在层，如 5、5层', total)
    try:
        if m := _RELATIVE_RE.fullmatch(s):
            relative = m.group(1)
            if total is None:
                raise FloorParseError(
                    f'相对楼层"{text}"需要总层数：请写作 {relative}楼层(共18层) 的形式，或另行提供总层数'
                )
            low, high = relative_floor_band(relative, total)
        elif _TOP_RE.fullmatch(s):
            if total is None:
                raise FloorParseError(f'"{text}"需要总层数：请写作 顶层(共6层) 的形式，或另行提供总层数')
            low = high = total
        elif _GROUND_RE.fullmatch(s):
            low = high = 1
        elif _BASEMENT_PLAIN_RE.fullmatch(s):
            low = high = -1
        elif m := _BASEMENT_RE.fullmatch(s):
            depth = _read_number(m.group(1))
            if depth == 0:
                raise _floor_zero(text)
            low = high = -depth
        elif m := _BAND_RE.fullmatch(s):
            low, high = _read_number(m.group(1)), _read_number(m.group(2))
            if low > high:
                raise FloorParseError(f'楼层区间"{text}"的起始层 {low} 高于结束层 {high}')
        elif m := _EXACT_RE.fullmatch(s):
            low = high = _read_number(m.group(1))
        else:
            raise unreadable
    except FloorParseError:
        raise
    except ValueError as exc:  # a malformed Chinese numeral such as 二三层
        raise unreadable from exc

    if low <= 0 <= high:
        raise _floor_zero(text)
    if total is not None and high > total:
        raise FloorParseError(f"所在楼层 {high} 高于总层数 {total}")
    return FloorReading(low=low, high=high, total_floors=total, relative=relative, text=text)


# Parts of a floor text that name an annex of the unit, not a floor (Taiwan's 移轉層次 "二層，陽台").
_ANNEX_WORDS = ("阳台", "陽台", "骑楼", "騎樓", "露台", "平台", "夹层", "夾層", "屋顶突出物", "屋頂突出物", "见其他登记事项",
                "見其他登記事項", "电梯楼梯间", "電梯樓梯間", "楼梯间", "樓梯間")
# matched on the normalized text (層 → 层, 樓 → 楼 already), so the words are normalized the same way
_ANNEX_RE = re.compile("|".join(sorted({w.translate(_FLOOR_TRADITIONAL) for w in _ANNEX_WORDS}, key=len,
                                       reverse=True)))


def _several_floors(text: str, s: str, total: int | None) -> FloorReading:
    """``一層，二層`` (a unit on consecutive floors: the band 1-2), ``二層，陽台`` (a floor and its annexes: 2).

    Annexes (陽台, 騎樓, 夾層, 見其他登記事項 …) are left out; the floors left must be consecutive, since a band
    over floors the unit does not occupy would misprice it.
    """
    parts = [p for p in re.split(r"[,、;]+", s) if p and not _ANNEX_RE.fullmatch(p)]
    floors = []
    for part in parts:
        reading = parse_floor(part, total)
        floors.extend(range(reading.low, reading.high + 1))
    if not floors:
        raise FloorParseError(f'楼层"{text}"中没有所在层：只写了附属部分（阳台、骑楼等）')
    floors = sorted(set(floors) - {0})
    low, high = floors[0], floors[-1]
    expected = [f for f in range(low, high + 1) if f != 0]
    if floors != expected:
        raise FloorParseError(f'楼层"{text}"的各层不相连（{"、".join(map(str, floors))}）：应为一层或相连的几层')
    return FloorReading(low=low, high=high, total_floors=total, relative=None, text=text)


_TOTAL_FORMS = "15、15层、十五層、共15层、总15层、15F、5/15、中楼层(共15层)"


def parse_total_floors(text: str) -> int:
    """Read a building's total floors (总层数) written in any form :func:`parse_floor` reads a total in.

    Accepted: ``15``, ``15层``, ``15楼``, ``15F``, ``十五層``, ``四十层``, ``共15层``, ``总15层``, ``总层数15``,
    ``地上15层``, and the total inside a floor text: ``5/15``, ``中楼层(共15层)``, ``顶层(共6层)``,
    ``未知楼层(共33层)``. Full-width and traditional characters are accepted.
    Raises :class:`FloorParseError` for anything else and for a total below 1.
    """
    if not isinstance(text, str):
        raise TypeError(f"total floors text must be str, not {type(text).__name__}")
    s = _normalize_floor_text(text)
    problem = FloorParseError(f'无法识别总层数"{text}"：应为 {_TOTAL_FORMS} 等形式')
    if not s:
        raise problem
    if m := _TOTAL_ONLY_RE.fullmatch(s):
        try:
            total = _read_number(m.group(1))
        except ValueError:
            raise problem from None
        if total < 1:
            raise FloorParseError(f'总层数"{text}"必须至少为 1')
        return total
    if _TOTAL_RE.search(s) or "/" in s:
        try:
            reading = parse_floor(text)
        except FloorUnknown as exc:
            if exc.total_floors is not None:
                return exc.total_floors
            raise problem from None
        except FloorParseError:
            raise problem from None
        if reading.total_floors is not None:
            return reading.total_floors
    raise problem


def _read_total(token: str, text: str) -> int:
    try:
        total = _read_number(token)
    except ValueError as exc:
        raise FloorParseError(f'无法识别楼层"{text}"中的总层数"{token}"') from exc
    if total < 1:
        raise FloorParseError(f'楼层"{text}"中的总层数必须至少为 1，而不是 {total}')
    return total


def _floor_zero(text: str) -> FloorParseError:
    return FloorParseError(f'楼层"{text}"无效：没有第 0 层（地上从 1 层起，地下一层记为 -1）')


# ---------------------------------------------------------------------------------------------------
# Orientation
# ---------------------------------------------------------------------------------------------------

ORIENTATIONS = ("南", "北", "东", "西", "东南", "西南", "东北", "西北", "南北", "东西")

# Pairs are written in the customary order: 东/西 before 南/北 for the diagonals (东南, not 南东), 南 before
# 北 for a through unit (南北通透), 东 before 西. Keyed by the unordered set so 北南 and 南北 agree.
_PAIR_NAMES: dict[frozenset[str], str] = {frozenset(name): name for name in ORIENTATIONS if len(name) == 2}
_LETTERS = str.maketrans({"N": "北", "S": "南", "E": "东", "W": "西", "東": "东"})
# 坐北朝南: the house "sits" to the north and "faces" the south; only the facing direction counts.
_SIT_FACE_RE = re.compile(r"坐[东南西北]{1,2}(?:朝|向)([东南西北]{1,2})")
# Words that decorate a direction without changing it: 朝南, 南向, 正南, 南北通透, 朝向南.
_FILLER_RE = re.compile(r"通透|朝向|朝|向|正|面|[\s/\\|,，、;；:：\-—–~_·.。+&和]")

_ORIENTATION_FORMS = "、".join(ORIENTATIONS)


# Multi-window units: the grade a unit with windows on several sides reads to (MAPPING.md documents it).
# Windows both south and north: a through unit (南北通透) → 南北; otherwise the best window in this order
# (southern light first, as the provincial tables rank orientations).
WINDOW_RANK = ("南", "东南", "西南", "东", "西", "东北", "西北", "北")
_WINDOW_SPLIT_RE = re.compile(r"[\s/\\|,，、;；+&和]+")


def _one_window(token: str) -> str | None:
    s = _FILLER_RE.sub("", token)
    if not s or not re.fullmatch(r"[NSEW東东南西北]+", s):
        return None
    directions = frozenset(s.translate(_LETTERS))
    if len(directions) == 1:
        return next(iter(directions))
    if len(directions) == 2:
        return _PAIR_NAMES.get(directions)
    return None


def orientation_of_windows(windows: list[str]) -> str:
    """The one grade of a unit whose windows face ``windows`` (each one of :data:`ORIENTATIONS`).

    Rule: a window with 南 in it and one with 北 → 南北 (a through unit); otherwise the best window by
    :data:`WINDOW_RANK` (a 东西 window counts as 东). So 南 西 北 → 南北, 东 南 西 北 → 南北, 东南 西北 → 南北,
    东 西北 → 东, 东 南 西 → 南.
    """
    sides = set("".join(windows))
    if "南" in sides and "北" in sides:
        return "南北"
    ranked = [w if w in WINDOW_RANK else w[0] for w in windows]
    return min(ranked, key=WINDOW_RANK.index)


def parse_orientation(text: str) -> str:
    """Read an orientation (朝向) as one of :data:`ORIENTATIONS`.

    The canonical values are the levels of the orientation factor in the provincial stock-housing
    valuation tables (南, 南北, 东, 西, 北 …, see RULES.md section 2). Accepted: ``南``, ``朝南``,
    ``南向``, ``正南``, ``坐北朝南`` (= 南, the facing side), ``东南``, ``东南向``, ``南北``, ``南 北``,
    ``南/北``, ``朝南北``, ``南北通透`` (= 南北), traditional ``東南``, letters ``S``, ``SE``, ``N-S``, and
    full-width slashes and spaces. Pairs are order-insensitive (北南 → 南北, 西东 → 东西, 南东 → 东南);
    a unit with windows east and south (东/南) reads as 东南, as the tables have no separate level.
    Windows on three or more sides, written apart (``南 西 北``, ``东 南 西 北``, ``东南 西北``,
    ``东 西北``), read to one grade by :func:`orientation_of_windows`.

    Raises :class:`OrientationParseError` for anything else, including three or more directions run
    together without a separator (``东南西北``: which windows are meant cannot be told).
    """
    if not isinstance(text, str):
        raise TypeError(f"orientation text must be str, not {type(text).__name__}")
    error = OrientationParseError(
        f'无法识别朝向"{text}"：应为 {_ORIENTATION_FORMS} 之一（也可写作 朝南、南向、南/北、坐北朝南、南北通透；'
        '多个朝向以空格分开，如 南 西 北）'
    )
    normalized = unicodedata.normalize("NFKC", text).upper().strip()
    tokens = [t for t in _WINDOW_SPLIT_RE.split(normalized) if t]
    s = re.sub(r"\s+", "", normalized)
    if m := _SIT_FACE_RE.search(s.translate(_LETTERS)):
        s = m.group(1)
    s = _FILLER_RE.sub("", s)
    if not s or not re.fullmatch(r"[NSEW東东南西北]+", s):
        raise error
    directions = frozenset(s.translate(_LETTERS))
    if len(directions) == 1:
        return next(iter(directions))
    if len(directions) == 2 and len(tokens) <= 2:
        return _PAIR_NAMES[directions]
    if len(tokens) >= 2:
        windows = [_one_window(t) for t in tokens]
        if all(windows):
            return orientation_of_windows(windows)
    raise error
