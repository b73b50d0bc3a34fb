"""The instant quote (即时询价): the tax bureau's baseline applied to one unit, or to millions at once.

Value (RULES.md section 2): base price (基准价) in force at the contract date (立契时间), rolled forward
by the monthly chained price index to the valuation date, × floor coefficient (楼层系数) × orientation
coefficient (朝向系数) × area adjustment (面积修正) × age adjustment (成新修正) × other factors, plus the
zone correction (误差修正, yuan per m²). Factors whose method is 加 add ``rolled base × (percent − 100)/100``
instead of multiplying. Legally the result is a 定向询价 result (参考价规定 art. 5).

Rounding rule (stated on every result): the unit price is rounded to the fen (0.01 yuan) half up;
the total price is unit price × building area (㎡, at most two decimals), rounded to the fen half up.
The single quote computes in Decimal; the batch computes in float64 and recomputes in Decimal every
row whose unit price lies within 1e-6 fen of a rounding tie, so both give the same fen.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext
from functools import cached_property

import numpy as np
import pandas as pd

from tax_baseline.address import BuildingIndex, _building_number, split_address
from tax_baseline.money import FEN, round_yuan
from tax_baseline.parsing import FloorParseError, OrientationParseError, parse_floor, parse_orientation
from tax_baseline.tables import (
    ALL_ZONES,
    ELEVATOR_CLASSES,
    PRICE_SOURCES,
    TOTAL_FLOORS_INFERRED,
    BaselineTables,
    elevator_class,
)

MAX_AREA = 100_000  # ㎡
ROUNDING_RULE = "单价四舍五入到分；总价 = 单价 × 建筑面积，四舍五入到分"
METHOD_NAME = "定向询价（计税基准价，参考价规定第五条）"
HUNDRED = Decimal(100)
ORIENTATION_FACTOR = "朝向"


class QuoteError(ValueError):
    """A quote that cannot be given; the message says what is wrong and what is expected."""

    code = "invalid"


class UnknownBuilding(QuoteError):
    code = "unknown_building"


class AddressNotResolved(QuoteError):
    code = "address_not_resolved"

    def __init__(self, message: str, candidates: list):
        super().__init__(message)
        self.candidates = candidates


class InvalidQuoteInput(QuoteError):
    code = "invalid_input"


class TableGap(QuoteError):
    """The active tables have no row for this unit (a data problem for the administrator)."""

    code = "table_gap"


@dataclass(frozen=True)
class QuoteRequest:
    floor: str | int
    area: Decimal | float | int | str
    contract_date: date
    building_id: str | None = None
    address: str | None = None
    orientation: str | None = None
    valuation_date: date | None = None
    factors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Factor:
    """One line of the breakdown: the value used and the table row it came from."""

    name: str
    value: Decimal
    method: str  # 基价 | 乘 | 加 | 元/㎡
    table: str  # the sheet it came from
    row: dict  # the key of the row (Chinese headers → values)


@dataclass(frozen=True)
class QuoteResult:
    building_id: str
    address: str
    zone_code: str
    community_code: str
    floor_low: int
    floor_high: int
    total_floors: int
    orientation: str | None
    area: Decimal
    contract_date: date
    valuation_date: date
    unit_price: Decimal
    total_price: Decimal
    breakdown: tuple[Factor, ...]
    version: str
    warnings: tuple[str, ...] = ()
    rounding_rule: str = ROUNDING_RULE
    method: str = METHOD_NAME

    def to_dict(self) -> dict:
        """The stable machine-readable form (money as decimal strings). Built field by field, not by
        ``dataclasses.asdict`` (which deep-copies every row of the breakdown: a fifth of a quote request's time)."""
        data = {f.name: getattr(self, f.name) for f in _RESULT_FIELDS}
        for key in ("area", "unit_price", "total_price"):
            data[key] = str(data[key])
        for key in ("contract_date", "valuation_date"):
            data[key] = data[key].isoformat()
        data["breakdown"] = [{"name": f.name, "value": str(f.value), "method": f.method, "table": f.table,
                              "row": dict(f.row)} for f in self.breakdown]  # rows hold scalars only
        data["warnings"] = list(self.warnings)
        return data


_RESULT_FIELDS = fields(QuoteResult)


def _total_inferred(building) -> bool:
    """True when the building's total floors were inferred from sales (总层数来源 推断): a lower bound only."""
    return getattr(building, "total_floors_source", None) == TOTAL_FLOORS_INFERRED



def _dec(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2))).quantize(FEN)


_AREA_UNIT_RE = re.compile(r"(?:㎡|m²|m2|平方米|平米)$", re.IGNORECASE)


def area_text(value: object) -> str:
    """An area as typed into the number it states: full-width digits (８９．５, typed with a Chinese input
    method) made half-width, spaces and a trailing unit as records write it (89.5㎡, 89.5平方米) dropped."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    return _AREA_UNIT_RE.sub("", text)


def parse_area(value: object) -> Decimal:
    try:
        area = Decimal(area_text(value))
    except (InvalidOperation, ValueError):
        raise InvalidQuoteInput(f"建筑面积“{value}”不是数字；应为大于 0 的平方米数，如 89.5。") from None
    if not area.is_finite() or area <= 0:
        raise InvalidQuoteInput(f"建筑面积应大于 0 平方米，收到 {value}。")
    if area > MAX_AREA:  # before quantize: 1e30 has more digits than the decimal context (InvalidOperation)
        raise InvalidQuoteInput(f"建筑面积 {value} 平方米超出住宅询价范围（应不超过 {MAX_AREA}）。")
    if area != area.quantize(FEN):
        raise InvalidQuoteInput(f"建筑面积最多保留两位小数，收到 {value}。")
    return area


_ROLLS_KEPT = 20_000


def _months_between(start: str, end: str) -> list[str]:
    """Months after ``start`` up to and including ``end`` (YYYY-MM)."""
    y, m = int(start[:4]), int(start[5:])
    ey, em = int(end[:4]), int(end[5:])
    months = []
    while (y, m) < (ey, em):
        m += 1
        if m == 13:
            y, m = y + 1, 1
        months.append(f"{y:04d}-{m:02d}")
    return months


class QuoteEngine:
    """Pricing against one table version, compiled into lookups once (microseconds per quote)."""

    def __init__(self, tables: BaselineTables, version: str | None = None):
        self.tables = tables
        self.version = version or tables.name
        f = tables.frames
        self._zone_of_community = dict(zip(f["communities"]["community_code"], f["communities"]["zone_code"],
                                           strict=True))
        self.buildings = {row.building_id: row for row in f["buildings"].itertuples(index=False)}
        self._base: dict[tuple[str, str], list[tuple[date, Decimal]]] = defaultdict(list)
        for row in f["base_prices"].itertuples(index=False):
            self._base[(row.scope, row.key)].append((row.effective_date, _dec(row.price)))
        for entries in self._base.values():
            entries.sort()
        self._floor = {(r.zone_code, r.elevator_class, int(r.total_floors), int(r.floor)): (_dec(r.percent), r.method)
                       for r in f["floor_coefficients"].itertuples(index=False)}
        self._other = {(r.zone_code, r.factor, r.level): (_dec(r.percent), r.method)
                       for r in f["other_factors"].itertuples(index=False)}
        self._area: dict[tuple[str, str], list] = defaultdict(list)
        for r in f["area_bands"].itertuples(index=False):
            self._area[(r.zone_code, r.house_type)].append((_dec(r.area_from), _dec(r.area_to), _dec(r.percent),
                                                             r.method))
        self._age: dict[str, list] = defaultdict(list)
        for r in f["age_bands"].itertuples(index=False):
            self._age[r.structure].append((int(r.age_from), int(r.age_to), _dec(r.percent), r.method))
        self._index = {(r.zone_code, r.month): _dec(r.index) for r in f["price_index"].itertuples(index=False)}
        self._index_zones = {r for r, _m in self._index}
        self._rolls: dict[tuple, tuple[Decimal, tuple[str, ...], tuple[str, ...]]] = {}
        self._corrections = {(r.scope, r.key): _dec(r.amount) for r in f["zone_corrections"].itertuples(index=False)}
        self._compiled: _Compiled | None = None

    @cached_property
    def _address_index(self) -> BuildingIndex:
        """Built on the first address lookup: a batch that names every building by its id (a province's register
        on Dask) never needs it, and it is about half the engine's memory (400 MB for 400k buildings)."""
        f = self.tables.frames
        return BuildingIndex(list(zip(f["buildings"]["building_id"], f["buildings"]["address"], strict=True))
                             + list(zip(f["aliases"]["building_id"], f["aliases"]["alias"], strict=True)))

    # -- the single quote -------------------------------------------------------------------------

    def resolve(self, request: QuoteRequest):
        if request.building_id:
            building = self.buildings.get(str(request.building_id).strip())
            if building is None:
                raise UnknownBuilding(f"楼幢编号“{request.building_id}”不在当前启用的基准表（版本 {self.version}）中。")
            return building
        if not request.address or not request.address.strip():
            raise InvalidQuoteInput("请填写坐落地址或楼幢编号。")
        resolution = self._address_index.resolve(request.address)
        if resolution.building_id is None:
            names = "；".join(f"{c.matched_text}（{c.building_id}）" for c in resolution.candidates[:5])
            message = f"地址“{request.address}”未能唯一对应到楼幢：{resolution.reason}"
            wanted = _building_number(split_address(request.address).building)
            if wanted and names and all(_building_number(split_address(c.matched_text).building) != wanted
                                        for c in resolution.candidates):
                # the community was found but not the building: say so rather than “not unique”
                message = (f"地址“{request.address}”的楼幢号 {wanted} 在基准表中没有对应的楼幢，请核对楼幢号"
                           "或改用楼幢编号")
            message += f"。候选：{names}" if names else "。请核对坐落或改用楼幢编号。"
            raise AddressNotResolved(message, list(resolution.candidates))
        return self.buildings[resolution.building_id]

    def suggest(self, text: str, limit: int = 8) -> list:
        return self._address_index.match(text, limit=limit)

    def quote(self, request: QuoteRequest) -> QuoteResult:
        building = self.resolve(request)
        zone = self._zone_of_community[building.community_code]
        area = parse_area(request.area)
        recorded_total = int(building.total_floors)
        inferred = _total_inferred(building)
        try:
            reading = parse_floor(str(request.floor), total_floors=recorded_total)
        except FloorParseError as exc:
            if not inferred:
                raise InvalidQuoteInput(str(exc)) from None
            try:  # an inferred total is a lower bound: read the floor on its own
                reading = parse_floor(str(request.floor))
            except FloorParseError as exc2:
                raise InvalidQuoteInput(str(exc2)) from None
        if not inferred and reading.total_floors is not None and reading.total_floors != recorded_total:
            raise InvalidQuoteInput(f"填写的总层数 {reading.total_floors} 与楼幢登记的总层数 {building.total_floors} 不一致。")
        total = recorded_total
        if inferred:
            total = max(recorded_total, reading.high, reading.total_floors or 0)
        contract_date = request.contract_date
        valuation_date = request.valuation_date or contract_date
        warnings: list[str] = []
        breakdown: list[Factor] = []
        if inferred and total > recorded_total:
            warnings.append(f"楼幢总层数 {recorded_total} 层系由成交推断（楼盘表未登记），所在楼层高于此数，"
                            f"按 {total} 层楼幢估价。")
        source = getattr(building, "price_source", None)
        if source == PRICE_SOURCES[3]:  # 全市: the zone itself had no sales (valuation.calibration.thin_market_level)
            warnings.append(f"楼幢 {building.building_id} 所在估价分区没有成交样本：基准价按本市成交最少的分区的水平"
                            f"及本楼幢的层数、电梯、结构、建成年份推算，误差可能较大，宜以定向询价或委托评估核实"
                            f"（基准价依据：{source}）。")
        elif isinstance(source, str) and source not in ("", PRICE_SOURCES[0]):
            warnings.append(f"楼幢 {building.building_id} 没有成交样本：基准价由所属{source}的水平及本楼幢的层数、"
                            f"电梯、结构、建成年份推算（基准价依据：{source}）。")

        base_date, base_price, scope = self._base_price(building, contract_date)
        breakdown.append(Factor("基准价", base_price, "基价", "基准价",
                                {"适用范围": scope, "楼幢或小区编号": building.building_id if scope == "楼幢"
                                 else building.community_code, "执行日期": base_date.isoformat()}))
        with localcontext() as ctx:
            ctx.prec = 34
            rolled = base_price
            roll, months, missing = self._index_roll(zone, base_date, valuation_date)
            if months:
                # the row named is the one read: a zone without its own index rows uses the 全部 rows
                index_zone = zone if zone in self._index_zones else ALL_ZONES
                breakdown.append(Factor("价格指数", (roll * HUNDRED).quantize(Decimal("0.0001")), "乘", "价格指数",
                                        {"估价分区": index_zone, "月份": f"{months[0]}至{months[-1]}"}))
                rolled = base_price * roll
            if missing:
                warnings.append(f"价格指数缺 {missing[0]} 等 {len(missing)} 个月的数据，缺失月份按 100 计。")
            if valuation_date < contract_date:
                warnings.append("估价时点早于立契时间。")

            multiplier, additive = Decimal(1), Decimal(0)

            def apply(factor: Factor) -> None:
                nonlocal multiplier, additive
                breakdown.append(factor)
                if factor.method == "乘":
                    multiplier *= factor.value / HUNDRED
                else:
                    additive += (factor.value - HUNDRED) / HUNDRED

            apply(self._floor_factor(zone, building, reading.low, reading.high, warnings, total))
            if request.orientation not in (None, ""):
                try:
                    orientation = parse_orientation(str(request.orientation))
                except OrientationParseError as exc:
                    raise InvalidQuoteInput(str(exc)) from None
                apply(self._other_factor(zone, ORIENTATION_FACTOR, orientation, "朝向系数"))
            else:
                orientation = None
                warnings.append("未填写朝向，未作朝向修正。")
            for factor_name, level in sorted((request.factors or {}).items()):
                apply(self._other_factor(zone, factor_name, str(level), factor_name))
            area_factor = self._area_factor(zone, building.house_type, area)
            if area_factor:
                apply(area_factor)
            age_factor = self._age_factor(building, valuation_date, warnings)
            if age_factor:
                apply(age_factor)
            correction = self._correction(building, zone)
            unit = rolled * multiplier + rolled * additive
            if correction is not None:
                amount, scope_name, key = correction
                breakdown.append(Factor("误差修正", amount, "元/㎡", "误差修正", {"范围": scope_name, "编号": key}))
                unit += amount
            if unit <= 0:
                raise TableGap("按当前表计算的单价不为正数，请管理员核对误差修正额。")
            unit_price = round_yuan(unit)
            total_price = round_yuan(unit_price * area)
        return QuoteResult(
            building_id=building.building_id, address=building.address, zone_code=zone,
            community_code=building.community_code, floor_low=reading.low, floor_high=reading.high,
            total_floors=total, orientation=orientation, area=area,
            contract_date=contract_date, valuation_date=valuation_date, unit_price=unit_price,
            total_price=total_price, breakdown=tuple(breakdown), version=self.version, warnings=tuple(warnings))

    def _base_price(self, building, on: date) -> tuple[date, Decimal, str]:
        for scope, key in (("楼幢", building.building_id), ("小区", building.community_code)):
            entries = self._base.get((scope, key))
            if not entries:
                continue
            i = bisect_right(entries, (on, Decimal("Infinity")))
            if i == 0:
                raise InvalidQuoteInput(
                    f"立契时间 {on.isoformat()} 早于该{scope}最早的基准价执行日期 {entries[0][0].isoformat()}，"
                    "当前基准表无法估价；应填写该日期之后的立契时间。")
            effective, price = entries[i - 1]
            return effective, price, scope
        raise TableGap(f"楼幢 {building.building_id} 及其小区 {building.community_code} 在基准表中没有基准价。")

    def _index_roll(self, zone: str, base_date: date, valuation_date: date) -> tuple[Decimal, tuple[str, ...],
                                                                                   tuple[str, ...]]:
        """The product of the monthly indices from the base price's month to the valuation's, the months and the
        missing ones. The tables of an engine never change: each (zone, first month, last month) is computed once
        and kept (bounded: forgotten all at once past ``_ROLLS_KEPT``)."""
        key = (zone, base_date.year, base_date.month, valuation_date.year, valuation_date.month)
        found = self._rolls.get(key)
        if found is None:
            if len(self._rolls) >= _ROLLS_KEPT:
                self._rolls.clear()
            found = self._rolls[key] = self._compute_roll(zone, base_date, valuation_date)
        return found

    def _compute_roll(self, zone: str, base_date: date, valuation_date: date) -> tuple[Decimal, tuple[str, ...],
                                                                                    tuple[str, ...]]:
        start = f"{base_date.year:04d}-{base_date.month:02d}"
        end = f"{valuation_date.year:04d}-{valuation_date.month:02d}"
        months = _months_between(start, end)
        if not months or not self._index:
            return Decimal(1), (), ()
        key_zone = zone if zone in self._index_zones else ALL_ZONES
        with localcontext() as ctx:
            ctx.prec = 34  # the quote's own precision, whoever asks first
            roll, missing = Decimal(1), []
            for month in months:
                value = self._index.get((key_zone, month))
                if value is None:
                    missing.append(month)
                else:
                    roll *= value / HUNDRED
        return roll, tuple(months), tuple(missing)

    def _floor_factor(self, zone: str, building, low: int, high: int, warnings: list[str],
                      total: int | None = None) -> Factor:
        recorded = int(building.total_floors)
        total = recorded if total is None else total
        klass = elevator_class(total, building.elevator == "有")
        values, method = [], None
        for floor in range(low, high + 1):
            if floor == 0:
                continue
            hit = self._floor.get((zone, klass, total, floor)) or self._floor.get((ALL_ZONES, klass, total, floor))
            if hit is None and total != recorded:
                # no table for a building that tall: the floors above the inferred total take its top floor's
                own = elevator_class(recorded, building.elevator == "有")
                top = min(floor, recorded)
                hit = self._floor.get((zone, own, recorded, top)) or self._floor.get((ALL_ZONES, own, recorded, top))
            if hit is None:
                raise TableGap(f"楼层系数表缺少：{klass}、总层数 {total}、第 {floor} 层（分区 {zone}）。请管理员补充。")
            values.append(hit[0])
            method = hit[1]
        with localcontext() as ctx:
            ctx.prec = 34
            value = sum(values, Decimal(0)) / len(values)
        # 所在层 is always text ("3", or "3-4" for a band) so the JSON form keeps one type per key.
        row = {"电梯类别": klass, "总层数": total, "所在层": str(low) if low == high else f"{low}-{high}"}
        if low != high:
            warnings.append(f"所在层为区间 {low}-{high} 层，楼层系数取该区间的平均值。")
        return Factor("楼层系数", value, method, "楼层系数", row)

    def _other_factor(self, zone: str, factor: str, level: str, label: str) -> Factor:
        hit = self._other.get((zone, factor, level)) or self._other.get((ALL_ZONES, factor, level))
        if hit is None:
            levels = sorted({lv for (z, fa, lv) in self._other if fa == factor and z in (zone, ALL_ZONES)})
            expected = "、".join(levels) if levels else "（表中没有该因素）"
            raise TableGap(f"综合修正表中没有“{factor}”为“{level}”的系数；可用的等级：{expected}。")
        return Factor(label, hit[0], hit[1], "综合修正", {"因素": factor, "等级": level})

    def _area_factor(self, zone: str, house_type: str, area: Decimal) -> Factor | None:
        for key in ((zone, house_type), (zone, ALL_ZONES), (ALL_ZONES, house_type), (ALL_ZONES, ALL_ZONES)):
            bands = self._area.get(key)
            if not bands:
                continue
            for low, high, percent, method in bands:
                if low < area <= high:
                    return Factor("面积修正", percent, method, "面积修正",
                                  {"房屋类型": key[1], "面积区间": f"({low}, {high}]"})
            raise TableGap(f"建筑面积 {area} ㎡ 不在面积修正表（{key[1]}）的任何区间内。")
        return None

    def _age_factor(self, building, valuation_date: date, warnings: list[str]) -> Factor | None:
        age = valuation_date.year - int(building.year_built)
        if age < 0:
            warnings.append(f"建成年份 {building.year_built} 晚于估价时点，房龄按 0 年计。")
            age = 0
        for key in (building.structure, ALL_ZONES):
            bands = self._age.get(key)
            if not bands:
                continue
            for low, high, percent, method in bands:
                if low <= age < high:
                    return Factor("成新修正", percent, method, "成新修正",
                                  {"建筑结构": key, "房龄": f"{age} 年（区间 [{low}, {high})）"})
            raise TableGap(f"房龄 {age} 年不在成新修正表（{key}）的任何区间内。")
        return None

    def _correction(self, building, zone: str) -> tuple[Decimal, str, str] | None:
        for scope, key in (("楼幢", building.building_id), ("小区", building.community_code), ("分区", zone)):
            amount = self._corrections.get((scope, key))
            if amount is not None:
                return amount, scope, key
        return None

    # -- the batch --------------------------------------------------------------------------------

    def quote_frame(self, units: pd.DataFrame) -> pd.DataFrame:
        """Price every row with array operations and joins (no per-row Python loop).

        Columns in: ``building_id``, ``floor`` (int) or ``floor_low``/``floor_high``, ``area``,
        ``contract_date``, optional ``valuation_date``, ``orientation`` (canonical, e.g. 南北).
        Columns out: ``unit_price_fen``, ``total_price_fen`` (int64; 0 where refused), ``status``
        (``ok`` or ``refused``), ``reason`` (Chinese, empty when ok).
        """
        if self._compiled is None:
            self._compiled = _Compiled(self)
        return self._compiled.price(units)


class _Compiled:
    """The tables as sorted integer keys and arrays, for ``numpy.searchsorted`` joins."""

    FLOOR_OFFSET = 10  # basements down to -10

    def __init__(self, engine: QuoteEngine):
        f = engine.tables.frames
        self.engine = engine
        b = f["buildings"]
        self.building_index = pd.Index(b["building_id"].astype(str))
        zones = [ALL_ZONES] + sorted(set(f["zones"]["zone_code"]))
        self.zone_codes = pd.Index(zones)
        zone_of = b["community_code"].map(engine._zone_of_community)
        self.b_zone = self.zone_codes.get_indexer(zone_of).astype(np.int64)
        self.b_total = b["total_floors"].astype(np.int64).to_numpy()
        self.b_lift = b["elevator"].to_numpy() == "有"
        self.b_inferred = (b["total_floors_source"] == TOTAL_FLOORS_INFERRED).to_numpy(dtype=bool)
        self.b_class = np.where(self.b_total > 8, 2, np.where(self.b_lift, 1, 0)).astype(np.int64)
        self.house_types = pd.Index([ALL_ZONES] + sorted(set(b["house_type"])))
        self.b_house_type = self.house_types.get_indexer(b["house_type"]).astype(np.int64)
        self.structures = pd.Index([ALL_ZONES] + sorted(set(b["structure"])))
        self.b_structure = self.structures.get_indexer(b["structure"]).astype(np.int64)
        self.b_year = b["year_built"].astype(np.int64).to_numpy()
        n = len(b)
        self._compile_base(f, b, n)
        self._compile_floor(f)
        self._compile_orientation(f)
        self._compile_bands(f)
        self._compile_index(f)
        corr = np.full(n, np.nan)
        for scope, keys in (("分区", zone_of.to_numpy()), ("小区", b["community_code"].to_numpy()),
                            ("楼幢", b["building_id"].to_numpy())):
            table = {k: float(v) for (s, k), v in engine._corrections.items() if s == scope}
            if table:
                values = pd.Series(keys).map(table).to_numpy(dtype=float)
                corr = np.where(np.isnan(values), corr, values)
        self.b_correction = np.nan_to_num(corr, nan=0.0)

    def _compile_base(self, f, b, n):
        bp = f["base_prices"]
        day = pd.to_datetime(bp["effective_date"]).to_numpy().astype("datetime64[D]").astype(np.int64)
        rows_b, rows_day, rows_price, rows_rank = [], [], [], []
        by_building = bp["scope"] == "楼幢"
        idx = self.building_index.get_indexer(bp.loc[by_building, "key"].astype(str))
        rows_b.append(idx)
        rows_day.append(day[by_building.to_numpy()])
        rows_price.append(bp.loc[by_building, "price"].to_numpy(dtype=float))
        has_own = np.zeros(n, dtype=bool)
        has_own[idx[idx >= 0]] = True
        # Community prices apply to the buildings of the community that have no price of their own.
        comm = bp[~by_building]
        if len(comm):
            members = pd.DataFrame({"bidx": np.arange(n), "key": b["community_code"].to_numpy()})[~has_own]
            joined = members.merge(pd.DataFrame({"key": comm["key"].to_numpy(), "day": day[(~by_building).to_numpy()],
                                                 "price": comm["price"].to_numpy(dtype=float)}), on="key")
            rows_b.append(joined["bidx"].to_numpy())
            rows_day.append(joined["day"].to_numpy())
            rows_price.append(joined["price"].to_numpy())
        del rows_rank
        bidx = np.concatenate(rows_b).astype(np.int64)
        days = np.concatenate(rows_day).astype(np.int64)
        keep = bidx >= 0
        keys = bidx[keep] * 1_000_000 + (days[keep] + 200_000)
        order = np.argsort(keys, kind="stable")
        self.base_keys = keys[order]
        self.base_price = np.concatenate(rows_price)[keep][order]
        self.base_day = days[keep][order]
        owner = self.base_keys // 1_000_000
        self.base_first = np.searchsorted(owner, np.arange(n))
        self.base_count = np.searchsorted(owner, np.arange(n), side="right") - self.base_first

    def _floor_key(self, zone, klass, total, floor):
        return ((zone * 3 + klass) * 200 + total) * 200 + (floor + self.FLOOR_OFFSET)

    def _compile_floor(self, f):
        fc = f["floor_coefficients"]
        zone = self.zone_codes.get_indexer(fc["zone_code"]).astype(np.int64)
        klass = pd.Index(ELEVATOR_CLASSES).get_indexer(fc["elevator_class"]).astype(np.int64)
        keys = self._floor_key(zone, klass, fc["total_floors"].astype(np.int64).to_numpy(),
                               fc["floor"].astype(np.int64).to_numpy())
        order = np.argsort(keys)
        self.floor_keys = keys[order]
        self.floor_pct = fc["percent"].to_numpy(dtype=float)[order]
        self.floor_add = (fc["method"].to_numpy() == "加")[order]
        self.floor_zoned = bool((zone > 0).any())

    def _compile_orientation(self, f):
        of = f["other_factors"]
        of = of[of["factor"] == ORIENTATION_FACTOR]
        self.orientations = pd.Index(sorted(set(of["level"])))
        zone = self.zone_codes.get_indexer(of["zone_code"]).astype(np.int64)
        level = self.orientations.get_indexer(of["level"]).astype(np.int64)
        keys = zone * 1000 + level
        order = np.argsort(keys)
        self.orient_keys = keys[order]
        self.orient_pct = of["percent"].to_numpy(dtype=float)[order]
        self.orient_add = (of["method"].to_numpy() == "加")[order]
        self.orient_zoned = bool((zone > 0).any())

    def _compile_bands(self, f):
        ab = f["area_bands"]
        zone = self.zone_codes.get_indexer(ab["zone_code"]).astype(np.int64)
        ht = self.house_types.get_indexer(ab["house_type"]).astype(np.int64)
        self.area_groups = set(zip(zone.tolist(), ht.tolist(), strict=True))
        group = zone * len(self.house_types) + ht
        keys = group * 10_000_000 + np.round(ab["area_from"].to_numpy(dtype=float) * 100).astype(np.int64)
        order = np.argsort(keys)
        self.area_keys, self.area_group = keys[order], group[order]
        self.area_to = np.round(ab["area_to"].to_numpy(dtype=float) * 100).astype(np.int64)[order]
        self.area_pct = ab["percent"].to_numpy(dtype=float)[order]
        self.area_add = (ab["method"].to_numpy() == "加")[order]
        # Which band group applies to each building, by the single quote's precedence:
        # (zone, type) > (zone, 全部) > (全部, type) > (全部, 全部); -1 where none.
        nht = len(self.house_types)
        b_group = np.full(len(self.b_zone), -1, dtype=np.int64)
        for zsel, hsel in ((self.b_zone, self.b_house_type), (self.b_zone, 0 * self.b_house_type),
                           (0 * self.b_zone, self.b_house_type), (0 * self.b_zone, 0 * self.b_house_type)):
            candidate = zsel * nht + hsel
            exists = np.isin(candidate, np.array([z * nht + h for z, h in self.area_groups], dtype=np.int64))
            b_group = np.where((b_group < 0) & exists, candidate, b_group)
        self.b_area_group = b_group
        gb = f["age_bands"]
        st = self.structures.get_indexer(gb["structure"]).astype(np.int64)
        self.age_structs = set(st.tolist())
        keys = st * 1000 + gb["age_from"].astype(np.int64).to_numpy()
        order = np.argsort(keys)
        self.age_keys, self.age_struct = keys[order], st[order]
        self.age_to = gb["age_to"].astype(np.int64).to_numpy()[order]
        self.age_pct = gb["percent"].to_numpy(dtype=float)[order]
        self.age_add = (gb["method"].to_numpy() == "加")[order]
        structs = np.array(sorted(self.age_structs), dtype=np.int64)
        self.b_age_struct = np.where(np.isin(self.b_structure, structs), self.b_structure,
                                     np.where(np.isin(0, structs), 0, -1)).astype(np.int64)

    def _compile_index(self, f):
        pi = f["price_index"]
        if pi.empty:
            self.index_cum = None
            return
        months = pd.PeriodIndex(pi["month"], freq="M")
        self.index_first = months.min().ordinal
        last = months.max().ordinal
        width = last - self.index_first + 1
        log_index = np.zeros((len(self.zone_codes), width))
        present = np.zeros((len(self.zone_codes), width), dtype=bool)
        zone = self.zone_codes.get_indexer(pi["zone_code"])
        col = months.asi8 - self.index_first
        log_index[zone, col] = np.log(pi["index"].to_numpy(dtype=float) / 100.0)
        present[zone, col] = True
        has_own = present.any(axis=1)
        log_index[~has_own] = log_index[0]  # zones without their own index follow the all-zone index
        self.index_cum = np.concatenate([np.zeros((len(self.zone_codes), 1)), np.cumsum(log_index, axis=1)], axis=1)
        self.index_last = last

    def _cum_at(self, zone, month_ordinal):
        col = np.clip(month_ordinal - self.index_first + 1, 0, self.index_cum.shape[1] - 1)
        return self.index_cum[zone, col]

    def _lookup(self, keys_sorted, query):
        pos = np.searchsorted(keys_sorted, query)
        pos_c = np.minimum(pos, len(keys_sorted) - 1)
        found = (len(keys_sorted) > 0) & (keys_sorted[pos_c] == query) if len(keys_sorted) else np.zeros(
            len(query), dtype=bool)
        return pos_c, found

    def _band(self, keys, groups, tos, group, value):
        if len(keys) == 0:
            return np.zeros(len(value), dtype=np.int64), np.zeros(len(value), dtype=bool)
        pos = np.searchsorted(keys, group * 10_000_000 + value, side="left") - 1
        pos_c = np.clip(pos, 0, len(keys) - 1)
        ok = (pos >= 0) & (groups[pos_c] == group) & (value <= tos[pos_c])
        return pos_c, ok

    def _codes(self, column: pd.Series, index: pd.Index) -> np.ndarray:
        """Positions of a column's values in ``index`` (-1 where absent), joining on distinct values only."""
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy()
            lookup = index.get_indexer(column.cat.categories.astype(str))
            if len(lookup) == 0:  # a column with no values at all
                return np.full(len(codes), -1, dtype=np.int64)
            return np.where(codes < 0, -1, lookup[np.maximum(codes, 0)])
        return index.get_indexer(column.astype(str))

    def price(self, units: pd.DataFrame) -> pd.DataFrame:
        n = len(units)
        # Refusals as small integer codes (0 = priced), the first reason found wins.
        messages = {"": 0}
        reason = np.zeros(n, dtype=np.int16)

        def refuse(mask, text):
            if not np.any(mask):
                return
            code = messages.setdefault(text, len(messages))
            reason[np.asarray(mask) & (reason == 0)] = code

        bidx = self._codes(units["building_id"], self.building_index)
        refuse(bidx < 0, "楼幢编号不在当前启用的基准表中")
        b = np.where(bidx < 0, 0, bidx)
        if "floor_low" in units:
            low = units["floor_low"].to_numpy(dtype=np.int64)
            high = units["floor_high"].to_numpy(dtype=np.int64)
        else:
            low = high = units["floor"].to_numpy(dtype=np.int64)
        recorded = self.b_total[b]
        inferred = self.b_inferred[b]
        refuse((high > recorded) & ~inferred, "所在楼层高于总层数")
        # an inferred total (总层数来源 推断) is a lower bound: the building has at least the floor sold
        total = np.where(inferred, np.maximum(recorded, high), recorded)
        taller = total != recorded
        refuse((low == 0) | (low < -self.FLOOR_OFFSET) | (high < low), "楼层无效")
        area = units["area"].to_numpy(dtype=float)
        area_centi = np.round(area * 100).astype(np.int64)
        refuse(~(area > 0) | (np.abs(area * 100 - area_centi) > 1e-6), "建筑面积应大于 0 且最多两位小数")
        cday = pd.to_datetime(units["contract_date"]).to_numpy().astype("datetime64[D]").astype(np.int64)
        vdates = units["valuation_date"] if "valuation_date" in units else units["contract_date"]
        vday = pd.to_datetime(vdates).to_numpy().astype("datetime64[D]").astype(np.int64)

        # Base price in force at the contract date: the last effective date not after it.
        # Most buildings have one effective date: a gather; the others search their own few dates.
        first = self.base_first[b]
        count = self.base_count[b]
        pos = first + count - 1
        several = np.flatnonzero(count > 1)
        if len(several):
            pos[several] = np.searchsorted(self.base_keys, b[several] * 1_000_000 + cday[several] + 200_000,
                                           side="right") - 1
        pos_c = np.clip(pos, 0, max(len(self.base_keys) - 1, 0))
        ok_base = (count > 0) & (pos >= first) & (self.base_day[pos_c] <= cday)
        refuse(~ok_base, "立契时间早于最早的基准价执行日期，或没有基准价")
        base = self.base_price[pos_c]
        zone = self.b_zone[b]

        rolled = base
        if self.index_cum is not None:
            eff_month = self.base_day[pos_c].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
            val_month = vday.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
            epoch = pd.Period("1970-01", freq="M").ordinal
            delta = self._cum_at(zone, val_month + epoch) - self._cum_at(zone, eff_month + epoch)
            rolled = base * np.exp(np.where(val_month > eff_month, delta, 0.0))

        mult = np.ones(n)
        add = np.zeros(n)

        def apply(pct, is_add):
            nonlocal mult, add
            mult = mult * np.where(is_add, 1.0, pct / 100.0)
            add = add + np.where(is_add, (pct - 100.0) / 100.0, 0.0)

        own_class = self.b_class[b]
        klass = np.where(taller, np.where(total > 8, 2, np.where(self.b_lift[b], 1, 0)), own_class)
        width = int((high - low).max()) + 1 if n else 1
        floor_sum = np.zeros(n)
        floor_count = np.zeros(n)
        floor_is_add = np.zeros(n, dtype=bool)
        floor_missing = np.zeros(n, dtype=bool)
        for k in range(width):
            floor = low + k
            active = (floor <= high) & (floor != 0)
            fkey = self._floor_key(zone, klass, total, np.clip(floor, -self.FLOOR_OFFSET, 189))
            p0, f0 = self._lookup(self.floor_keys, self._floor_key(0, klass, total,
                                                                   np.clip(floor, -self.FLOOR_OFFSET, 189)))
            if self.floor_zoned:
                p1, f1 = self._lookup(self.floor_keys, fkey)
            else:
                p1, f1 = p0, np.zeros(n, dtype=bool)
            if taller.any():  # no table for a building that tall: floors above take the inferred top floor's
                top = np.clip(np.minimum(floor, recorded), -self.FLOOR_OFFSET, 189)
                p2, f2 = self._lookup(self.floor_keys, self._floor_key(0, own_class, recorded, top))
                use2 = taller & ~(f1 | f0) & f2
                if self.floor_zoned:
                    p3, f3 = self._lookup(self.floor_keys, self._floor_key(zone, own_class, recorded, top))
                    use3 = taller & ~(f1 | f0) & f3
                    p1, f1 = np.where(use3, p3, p1), f1 | use3
                    use2 &= ~use3
                p0, f0 = np.where(use2, p2, p0), f0 | use2
            pct = np.where(f1, self.floor_pct[p1], self.floor_pct[p0] if len(self.floor_pct) else 100.0)
            floor_missing |= active & ~(f1 | f0)
            floor_sum += np.where(active, pct, 0.0)
            floor_count += active
            floor_is_add = np.where(f1, self.floor_add[p1], self.floor_add[p0] if len(self.floor_add) else False)
        refuse(floor_missing, "楼层系数表缺少该楼层")
        apply(floor_sum / np.maximum(floor_count, 1), floor_is_add)

        if "orientation" in units:
            column = units["orientation"]
            if isinstance(column.dtype, pd.CategoricalDtype):
                has = column.cat.codes.to_numpy() >= 0
                blank = column.cat.categories.astype(str) == ""
                has &= ~blank[np.maximum(column.cat.codes.to_numpy(), 0)] if blank.any() else True
            else:
                column = column.fillna("").astype(str)
                has = column.to_numpy() != ""
            level = self._codes(column, self.orientations)
            p0, f0 = self._lookup(self.orient_keys, level)
            if self.orient_zoned:
                p1, f1 = self._lookup(self.orient_keys, zone * 1000 + level)
            else:
                p1, f1 = p0, np.zeros(n, dtype=bool)
            refuse(has & ((level < 0) | ~(f1 | f0)), "综合修正表中没有该朝向的系数")
            if len(self.orient_pct):
                pct = np.where(f1, self.orient_pct[p1], np.where(f0, self.orient_pct[p0], 100.0))
                is_add = np.where(f1, self.orient_add[p1], np.where(f0, self.orient_add[p0], False))
            else:
                pct, is_add = np.full(n, 100.0), np.zeros(n, dtype=bool)
            apply(np.where(has, pct, 100.0), has & is_add)

        if len(self.area_keys):
            group = self.b_area_group[b]
            pos_c, ok = self._band(self.area_keys, self.area_group, self.area_to, group, area_centi)
            has = group >= 0
            refuse(has & ~ok, "建筑面积不在面积修正表的任何区间内")
            apply(np.where(has & ok, self.area_pct[pos_c], 100.0), has & ok & self.area_add[pos_c])

        if len(self.age_keys):
            struct = self.b_age_struct[b]
            age = np.maximum(vday.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
                             - self.b_year[b], 0)
            pos = np.searchsorted(self.age_keys, struct * 1000 + age, side="right") - 1
            pos_c = np.clip(pos, 0, len(self.age_keys) - 1)
            has = struct >= 0
            ok = (pos >= 0) & (self.age_struct[pos_c] == struct) & (age < self.age_to[pos_c])
            refuse(has & ~ok, "房龄不在成新修正表的任何区间内")
            apply(np.where(has & ok, self.age_pct[pos_c], 100.0), has & ok & self.age_add[pos_c])

        unit = rolled * mult + rolled * add + self.b_correction[b]
        refuse(~(unit > 0), "单价不为正数")
        scaled = unit * 100.0
        unit_fen = np.floor(scaled + 0.5).astype(np.int64)
        ok = reason == 0
        near_tie = ok & (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
        if near_tie.any():  # recompute the rare near-ties exactly, so batch and single quote agree
            for i in np.flatnonzero(near_tie):
                row = units.iloc[i]
                request = QuoteRequest(
                    building_id=str(row["building_id"]),
                    floor=(f"{int(low[i])}" if low[i] == high[i] else f"{int(low[i]):02d} TO {int(high[i]):02d}"),
                    area=f"{area_centi[i] / 100:.2f}", contract_date=pd.Timestamp(row["contract_date"]).date(),
                    valuation_date=pd.Timestamp(vdates.iloc[i]).date(),
                    orientation=(row["orientation"] or None) if "orientation" in units else None)
                unit_fen[i] = int(self.engine.quote(request).unit_price * 100)
        unit_fen = np.where(ok, unit_fen, 0)
        total_fen = np.where(ok, (unit_fen * area_centi + 50) // 100, 0)
        return pd.DataFrame({
            "unit_price_fen": unit_fen, "total_price_fen": total_fen,
            "status": pd.Categorical.from_codes((~ok).astype(np.int8), ["ok", "refused"]),
            "reason": pd.Categorical.from_codes(reason, list(messages))}, index=units.index)

