"""Normalize a typed Chinese address and match it to a building (楼幢) of the tax baseline.

The provincial stock-housing valuation system keys base prices by community (小区) or building (楼幢) and
keeps address aliases per valuation zone (估价分区: zone → community → address strings, RULES.md
section 2). Addresses reach us typed by clerks, copied from registry extracts (不动产权证) or from court
documents, in simplified or traditional characters, half- or full-width, with 栋/幢/座/号楼 used
interchangeably. This module reduces them to one form and ranks buildings by similarity.

One rule governs resolution: a wrong building number is never accepted silently. "东辉公寓3幢" must not
resolve to "东辉公寓8幢" however similar the strings are; when in doubt the ranked candidates go back to
the user.

No imports of ``xunpai`` or ``web``: plain functions, testable without a database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from opencc import OpenCC
from rapidfuzz import fuzz, process

from .numerals import read_numeral

__all__ = [
    "AddressParts",
    "BuildingIndex",
    "Candidate",
    "Resolution",
    "match_buildings",
    "normalize_address",
    "resolve_building",
    "split_address",
]

AMBIGUOUS = "地址不唯一，请从候选中选择"
NOT_FOUND = "未找到匹配的楼幢"


@cache
def _t2s():
    """The traditional → simplified converter, built on first use (loading its dictionaries takes time)."""
    return OpenCC("t2s")


_NUMERAL = "零〇一二两三四五六七八九十"
# Building words: 3栋, 3幢, 3号楼, 3#, 3#楼, 3栋楼, A座. Only after a number or letter, so that community
# names such as 金座大厦 or 栋梁花园 are left alone; a trailing 楼 is swallowed so that a second pass finds
# nothing more to change. A bare 3楼 is not converted: in addresses it usually means the 3rd floor.
_BUILDING_WORD_RE = re.compile(rf"(?<=[0-9A-Za-z{_NUMERAL}])(?:号楼|号栋|号幢|号座|栋|幢|座|#)楼*")
_ORDINAL_RE = re.compile(rf"第(?=[0-9{_NUMERAL}]+(?:幢|单元))")
_NUMERAL_BEFORE_RE = re.compile(rf"([{_NUMERAL}]+)(?=幢|单元)")
# Trailing punctuation only; closing brackets are kept because they end names like 东辉公寓(东区).
_TRAILING_PUNCTUATION = ".,;:!?~-_/\\|#。，、；：？！…～—·"
_WHITESPACE_RE = re.compile(r"\s+")


def normalize_address(text: str) -> str:
    """Reduce an address to one canonical string for matching.

    Steps, in order: Unicode NFKC (full-width ３ → 3, （ → (); traditional → simplified characters with
    OpenCC ``t2s``; all whitespace removed; building words 栋, 号楼, 座, 幢, # and 3#楼 after a number or
    letter unified to 幢 (the word of the registry extracts); ``第`` before a building or unit number
    dropped; Chinese numerals before 幢 and 单元 turned into Arabic digits (三幢 → 3幢); trailing
    punctuation stripped. The result is idempotent: normalizing it again changes nothing.
    """
    s = unicodedata.normalize("NFKC", text)
    s = _t2s().convert(s)
    s = _WHITESPACE_RE.sub("", s)
    s = _BUILDING_WORD_RE.sub("幢", s)
    s = _ORDINAL_RE.sub("", s)
    s = _NUMERAL_BEFORE_RE.sub(_numeral_to_digits, s)
    return s.rstrip(_TRAILING_PUNCTUATION)


def _numeral_to_digits(match: re.Match[str]) -> str:
    try:
        return str(read_numeral(match.group(1)))
    except ValueError:
        # Not a numeral we read (一百零一, 二三): keep the text; the fuzzy matcher still sees it.
        return match.group(1)


@dataclass(frozen=True)
class AddressParts:
    """An address split for matching: the building part, the unit (单元) and the room (室).

    ``building`` is the normalized address up to and including the building number (…3幢); ``rest`` is
    any trailing text that was neither a unit nor a room (empty when the whole address was read).
    """

    building: str
    unit: str | None
    room: str | None
    rest: str = ""


_BUILDING_RE = re.compile(r"[0-9A-Za-z]+幢")
_UNIT_RE = re.compile(r"([0-9A-Za-z]+)单元")
# A floor written between unit and room (2单元5层302) is redundant with the room number and dropped.
_ROOM_AFTER_BUILDING_RE = re.compile(
    r"(?:([0-9A-Za-z]+)单元)?-?(?:[0-9]+层)?-?(?:([0-9A-Za-z]+)(?:室|房|号)?)?"
)
# Without a building or unit word a bare trailing number may be a street number (人民路302号), so a room
# is only taken when it says 室 or 房.
_ROOM_ONLY_RE = re.compile(r"-?([0-9A-Za-z]+)(?:室|房)$")


def split_address(text: str) -> AddressParts:
    """Split an address into building part, unit and room, after :func:`normalize_address`.

    ``温岭市 太平街道 东辉公寓 3栋 2单元 302室`` → building ``温岭市太平街道东辉公寓3幢``, unit ``2``,
    room ``302``. Rooms are read from ``302室``, ``302``, ``-302`` and ``302房``. An address without a
    building number keeps everything before the unit (or before an explicit ``302室``) as its building part.
    """
    s = normalize_address(text)
    if m := _BUILDING_RE.search(s):
        building, tail = s[: m.end()], s[m.end() :]
    elif m := _UNIT_RE.search(s):
        building, tail = s[: m.start()], s[m.start() :]
    elif m := _ROOM_ONLY_RE.search(s):
        building, tail = s[: m.start()], s[m.start() :]
    else:
        return AddressParts(building=s, unit=None, room=None)
    if m := _ROOM_AFTER_BUILDING_RE.fullmatch(tail):
        return AddressParts(building=building, unit=m.group(1), room=m.group(2))
    unit = _UNIT_RE.search(tail)
    return AddressParts(building=building, unit=unit.group(1) if unit else None, room=None, rest=tail)


def _building_number(building: str) -> str | None:
    """The number or letter before the last 幢 (东辉公寓3幢 → ``3``), or None when there is none."""
    numbers = _BUILDING_RE.findall(building)
    return numbers[-1][:-1] if numbers else None


# An administrative unit at the start of an address: 浙江省, 台州市, 温岭市, 椒江区, 太平街道, 新河镇 … At
# least two characters before the suffix, so that names such as 城市花园 (城 + 市) are not taken for a
# city; 小区, 社区, 园区, 校区, 厂区 end community names, not districts.
_REGION_UNIT_RE = re.compile(
    r"[\u4e00-\u9fff]{2,7}?(自治区|自治州|地区|街道|省|市|(?<![小社园校厂])区|县|旗|盟|镇|乡)"
)
# Levels of the administrative hierarchy (GB/T 2260 province / prefecture / county, then township). Units
# must descend, which stops the split at names like 东辉公寓东区 that follow a 街道 but end in 区. 市 may be
# a prefecture (台州市) or a county-level city (温岭市).
_REGION_LEVELS: dict[str, tuple[int, ...]] = {
    "省": (0,), "自治区": (0,),
    "市": (1, 2), "自治州": (1,), "地区": (1,), "盟": (1,),
    "区": (2,), "县": (2,), "旗": (2,),
    "街道": (3,), "镇": (3,), "乡": (3,),
}  # fmt: skip


def _split_region(key: str) -> tuple[tuple[str, ...], str]:
    """Leading administrative units and the rest: 温岭市太平街道东辉公寓3幢 → ((温岭市, 太平街道), 东辉公寓3幢).

    Units are split off while they descend the hierarchy and at least two non-digit characters remain
    after them, so the community name before the building number is never taken for a region.
    """
    units: list[str] = []
    pos = 0
    level = -1
    while (m := _REGION_UNIT_RE.match(key, pos)) and re.match(r"[^0-9]{2}", key[m.end() :]):
        deeper = [lv for lv in _REGION_LEVELS[m.group(1)] if lv > level]
        if not deeper:
            break
        level = deeper[0]
        units.append(m.group())
        pos = m.end()
    return tuple(units), key[pos:]


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    remaining = iter(long)
    return all(unit in remaining for unit in short)


def _regions_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when one address names a subset of the other's administrative units, in the same order.

    (温岭市, 太平街道) and (温岭市,) or () are compatible: the shorter address merely omits units.
    (温岭市,) and (临海市,) are not: they are different places even if the community names agree.
    """
    return _is_subsequence(a, b) if len(a) <= len(b) else _is_subsequence(b, a)


@dataclass(frozen=True)
class Candidate:
    """A building ranked against a query: its id, the alias text that matched, and a score 0-100."""

    building_id: str
    matched_text: str
    score: float


@dataclass(frozen=True)
class Resolution:
    """The outcome of :func:`resolve_building`: the chosen building (or None), the ranking, and why (Chinese)."""

    building_id: str | None
    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""


class BuildingIndex:
    """Building addresses and aliases normalized once, for exact lookup and fuzzy ranking.

    Build it from ``(building_id, address_or_alias)`` pairs, or a mapping building_id → address; a
    building may appear under several aliases. Each alias is reduced to its building part (…3幢, see
    :func:`split_address`) and split into administrative units and the rest (the *bare* key, 东辉公寓3幢).
    Exact lookups go through dicts. Fuzzy ranking is one pass of ``rapidfuzz.process.extract`` with
    ``fuzz.ratio`` (normalized Indel similarity) over the bare keys with a score cutoff: about 10 ms for
    100,000 aliases, where ``fuzz.WRatio`` measured about 70 ms. A community-name prefilter was not needed
    at that speed, and would hide close rivals from the lead test of :meth:`resolve`.
    """

    def __init__(self, entries: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        pairs = entries.items() if isinstance(entries, Mapping) else entries
        self._ids: list[str] = []
        self._texts: list[str] = []
        self._keys: list[str] = []
        self._regions: list[tuple[str, ...]] = []
        self._bare_keys: list[str] = []
        self._rows_by_key: dict[str, list[int]] = {}
        self._rows_by_bare_key: dict[str, list[int]] = {}
        for building_id, text in pairs:
            key = split_address(text).building
            regions, bare = _split_region(key)
            row = len(self._ids)
            self._ids.append(building_id)
            self._texts.append(text)
            self._keys.append(key)
            self._regions.append(regions)
            self._bare_keys.append(bare)
            self._rows_by_key.setdefault(key, []).append(row)
            self._rows_by_bare_key.setdefault(bare, []).append(row)

    def __len__(self) -> int:
        return len(self._ids)

    def _equal_rows(self, key: str) -> list[int]:
        """Rows equal to the query up to administrative units that one side omits (equal keys included).

        Equal keys are not given priority: if 东辉公寓3幢 is an alias of one building and 临海市…东辉公寓3幢
        another, the query 东辉公寓3幢 could mean either, and the user must choose.
        """
        regions, bare = _split_region(key)
        return [
            r for r in self._rows_by_bare_key.get(bare, []) if _regions_compatible(regions, self._regions[r])
        ]

    def match(self, query: str, limit: int = 5, min_score: float = 60.0) -> list[Candidate]:
        """Rank buildings by similarity of their building part to the query's, best first, one per building.

        The score is ``fuzz.ratio`` of the bare keys (administrative units removed) when the two addresses'
        units are compatible (one omits some of the other's: 东辉公寓3幢 vs 温岭市太平街道东辉公寓3幢), and
        of the full keys when they name different places, so that the same community name in another
        district does not score 100. Buildings below ``min_score`` are left out.
        """
        key = split_address(query).building
        regions, bare = _split_region(key)
        # building_id → (score, 1 if the alias key equals the query's else 0, row); the middle term ranks
        # an alias typed exactly as the query above one that merely omits the city at the same score.
        best: dict[str, tuple[float, int, int]] = {}

        def consider(row: int, score: float) -> None:
            building_id = self._ids[row]
            entry = (score, int(self._keys[row] == key), row)
            if building_id not in best or entry[:2] > best[building_id][:2]:
                best[building_id] = entry

        # Aliases of one building, and same-named communities elsewhere, may fill the top rows; ask for
        # many more rows than buildings wanted (cheap: extract keeps a bounded heap).
        found = process.extract(
            bare, self._bare_keys, scorer=fuzz.ratio, limit=max(20 * limit, 100), score_cutoff=min_score
        )
        for _, score, row in found:
            if not _regions_compatible(regions, self._regions[row]):
                score = fuzz.ratio(key, self._keys[row])
                if score < min_score:
                    continue
            consider(row, score)
        for row in self._equal_rows(key):
            consider(row, 100.0)
        ranked = sorted(
            best.items(), key=lambda item: (-item[1][0], -item[1][1], self._keys[item[1][2]], item[0])
        )
        return [
            Candidate(building_id=building_id, matched_text=self._texts[row], score=float(score))
            for building_id, (score, _, row) in ranked[:limit]
        ]

    def resolve(self, query: str, limit: int = 5) -> Resolution:
        """Choose the building a query means, or return the ranked candidates for a person to choose.

        A building is chosen only when
        (1) exactly one building's normalized building part equals the query's, counting as equal two parts
            that differ only by administrative units one of them omits (东辉公寓3幢 = 温岭市太平街道东辉公寓3幢,
            but not = 临海市东辉公寓3幢); or
        (2) no building is equal, the best fuzzy score is at least 95, it leads the second-best building by at
            least 5 points, and its building number (the digits or letter before 幢) equals the query's.
        Otherwise ``building_id`` is None with reason "地址不唯一，请从候选中选择" (candidates exist) or
        "未找到匹配的楼幢" (none scored at least 60).
        """
        key = split_address(query).building
        candidates = self.match(query, limit=max(limit, 2))
        rows = self._equal_rows(key)
        exact_ids = {self._ids[r] for r in rows}
        if len(exact_ids) == 1:
            (building_id,) = exact_ids
            if any(self._keys[r] == key for r in rows):
                reason = "地址与楼幢记录一致"
            else:
                reason = "地址与楼幢记录一致（一方省略了部分行政区划）"
            return Resolution(building_id, candidates[:limit], reason)
        if len(exact_ids) > 1:
            return Resolution(None, candidates[:limit], AMBIGUOUS)
        if not candidates:
            return Resolution(None, [], NOT_FOUND)
        best = candidates[0]
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        best_number = _building_number(split_address(best.matched_text).building)
        if best.score >= 95 and best.score - runner_up >= 5 and best_number == _building_number(key):
            reason = f"地址与楼幢记录高度相似（{best.score:.1f} 分），楼幢号一致"
            return Resolution(best.building_id, candidates[:limit], reason)
        return Resolution(None, candidates[:limit], AMBIGUOUS)


def _as_index(candidates: BuildingIndex | Mapping[str, str] | Iterable[tuple[str, str]]) -> BuildingIndex:
    return candidates if isinstance(candidates, BuildingIndex) else BuildingIndex(candidates)


def match_buildings(
    query: str,
    candidates: BuildingIndex | Mapping[str, str] | Iterable[tuple[str, str]],
    limit: int = 5,
) -> list[Candidate]:
    """Rank candidate buildings for an address; see :meth:`BuildingIndex.match`.

    ``candidates`` is a mapping building_id → address, a list of ``(building_id, address_or_alias)``, or a
    prebuilt :class:`BuildingIndex` (build one when matching many queries against a large list).
    """
    return _as_index(candidates).match(query, limit=limit)


def resolve_building(
    query: str,
    candidates: BuildingIndex | Mapping[str, str] | Iterable[tuple[str, str]],
    limit: int = 5,
) -> Resolution:
    """Choose the building an address means, or return ranked candidates; see :meth:`BuildingIndex.resolve`."""
    return _as_index(candidates).resolve(query, limit=limit)
