"""The tax bureau's baseline tables (计税基准价体系), in the shapes of RULES.md section 2.

One ``TableSpec`` per table: its Chinese sheet name (as a tax bureau's template names it), its columns
with Chinese headers and types, and its key. The spreadsheet import, the export, the database mapping
and the quote engine all read these specs, so a table's shape is written down in exactly one place.

Coefficients are stored as percentages (系数 110 = ×1.10) with two decimals; money as yuan with two
decimals (Decimal). ``method`` 乘 multiplies the unit price; 加 adds ``base × (percent − 100) / 100``
(additive factors do not compound with each other), as the provincial systems allow either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from tax_baseline.typed_dates import InvalidDate, parse_date

ALL_ZONES = "全部"  # a coefficient row that applies in every zone; a zone-specific row wins over it

ELEVATOR_CLASSES = ("8层以内无电梯", "8层以内有电梯", "8层以上")
METHODS = ("乘", "加")
BASE_PRICE_SCOPES = ("楼幢", "小区")
CORRECTION_SCOPES = ("分区", "小区", "楼幢")
ELEVATOR_VALUES = ("有", "无")
# 总层数来源: 登记 = from the building register (楼盘表); 推断 = the highest floor seen in sales, a lower bound only
TOTAL_FLOORS_SOURCES = ("登记", "推断")
TOTAL_FLOORS_INFERRED = "推断"
# 基准价依据: 楼幢 = the building's own sales; otherwise the level it was estimated from (no sales of its own)
PRICE_SOURCES = ("楼幢", "小区", "分区", "全市")


def elevator_class(total_floors: int, has_elevator: bool) -> str:
    """电梯类别: buildings over 8 storeys form one class; up to 8 storeys split by the lift.

    The split at 8 storeys is the provincial systems' own (RULES.md section 2: 8层以内无电梯 / 有电梯 / 8层以上).
    """
    if total_floors > 8:
        return "8层以上"
    return "8层以内有电梯" if has_elevator else "8层以内无电梯"


@dataclass(frozen=True)
class Column:
    name: str  # name in code and in the database
    header: str  # Chinese column header in the template
    kind: str  # text | int | decimal | percent | date | month | choice
    required: bool = True
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    note: str = ""


@dataclass(frozen=True)
class TableSpec:
    name: str
    sheet: str  # Chinese sheet name
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (table, column)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def headers(self) -> dict[str, str]:
        return {c.header: c.name for c in self.columns}


_zone = Column("zone_code", "估价分区", "text", note=f"分区代码；填“{ALL_ZONES}”表示适用于所有分区")
_percent = Column("percent", "系数(%)", "percent", minimum=10, maximum=300, note="100 表示不修正；110 即 ×1.10")
_method = Column("method", "计算方式", "choice", choices=METHODS, note="乘：连乘；加：加减基准价的百分比")

SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "zones", "估价分区", "估价分区（片区）",
        (Column("zone_code", "分区代码", "text"), Column("zone_name", "分区名称", "text")),
        key=("zone_code",),
    ),
    TableSpec(
        "communities", "小区", "小区及其所属分区",
        (Column("community_code", "小区代码", "text"), Column("community_name", "小区名称", "text"),
         Column("zone_code", "分区代码", "text")),
        key=("community_code",), references={"zone_code": ("zones", "zone_code")},
    ),
    TableSpec(
        "buildings", "楼幢", "楼幢：坐落、层数、电梯、类型、结构、建成年份、用途",
        (Column("building_id", "楼幢编号", "text"), Column("community_code", "小区代码", "text"),
         Column("address", "坐落", "text", note="如：温岭市太平街道东辉公寓3幢"),
         Column("total_floors", "总层数", "int", minimum=1, maximum=150),
         Column("elevator", "电梯", "choice", choices=ELEVATOR_VALUES),
         Column("house_type", "房屋类型", "text", note="如：普通住宅、公寓、别墅"),
         Column("structure", "建筑结构", "text", note="如：钢混、砖混、砖木、框架"),
         Column("year_built", "建成年份", "int", minimum=1900, maximum=2100),
         Column("use", "用途", "text", note="如：住宅、商业、办公、工业"),
         Column("total_floors_source", "总层数来源", "choice", required=False, choices=TOTAL_FLOORS_SOURCES,
                note="登记：楼盘表所载（默认）；推断：由成交中的最高层推断，所在楼层高于它时按实际层数估价，不拒绝"),
         Column("price_source", "基准价依据", "choice", required=False, choices=PRICE_SOURCES,
                note="楼幢：本楼幢有成交（默认）；小区、分区、全市：本楼幢无成交，由所属小区、分区或全市水平及"
                     "楼幢特征推算")),
        key=("building_id",), references={"community_code": ("communities", "community_code")},
    ),
    TableSpec(
        "aliases", "地址别名", "同一楼幢的其他写法（门牌、旧名、俗称）",
        (Column("alias", "地址", "text"), Column("building_id", "楼幢编号", "text")),
        key=("alias",), references={"building_id": ("buildings", "building_id")},
    ),
    TableSpec(
        "base_prices", "基准价", "标准房基准价（元/平方米），按执行日期形成版本",
        (Column("scope", "适用范围", "choice", choices=BASE_PRICE_SCOPES),
         Column("key", "楼幢或小区编号", "text"),
         Column("effective_date", "执行日期", "date"),
         Column("price", "基准价(元/㎡)", "decimal", minimum=1, maximum=1_000_000)),
        key=("scope", "key", "effective_date"),
    ),
    TableSpec(
        "floor_coefficients", "楼层系数", "楼层系数：按电梯类别、总层数、所在层",
        (_zone, Column("elevator_class", "电梯类别", "choice", choices=ELEVATOR_CLASSES),
         Column("total_floors", "总层数", "int", minimum=1, maximum=150),
         Column("floor", "所在层", "int", minimum=-10, maximum=150, note="地下层为负数，如 -1"),
         _percent, _method),
        key=("zone_code", "elevator_class", "total_floors", "floor"),
    ),
    TableSpec(
        "other_factors", "综合修正", "朝向、边套、层高等因素的修正",
        (_zone, Column("factor", "因素", "text", note="如：朝向、边套、层高"),
         Column("level", "等级", "text", note="朝向填：南、南北、东南、东、西、北 等"), _percent, _method),
        key=("zone_code", "factor", "level"),
    ),
    TableSpec(
        "area_bands", "面积修正", "按建筑面积分段修正：面积大于下限且不超过上限",
        (_zone, Column("house_type", "房屋类型", "text", note=f"填“{ALL_ZONES}”表示所有类型"),
         Column("area_from", "面积下限(㎡)", "decimal", minimum=0, maximum=100_000),
         Column("area_to", "面积上限(㎡)", "decimal", minimum=0, maximum=100_000), _percent, _method),
        key=("zone_code", "house_type", "area_from"),
    ),
    TableSpec(
        "age_bands", "成新修正", "按建筑结构和房龄（估价日年份 − 建成年份）分段修正：房龄不小于下限且小于上限",
        (Column("structure", "建筑结构", "text", note=f"填“{ALL_ZONES}”表示所有结构"),
         Column("age_from", "房龄下限(年)", "int", minimum=0, maximum=200),
         Column("age_to", "房龄上限(年)", "int", minimum=1, maximum=500), _percent, _method),
        key=("structure", "age_from"),
    ),
    TableSpec(
        "price_index", "价格指数", "交易价格环比指数（上月=100），链式滚动基准价",
        (_zone, Column("month", "月份", "month", note="YYYY-MM"),
         Column("index", "环比指数", "percent", minimum=50, maximum=150)),
        key=("zone_code", "month"),
    ),
    TableSpec(
        "zone_corrections", "误差修正", "人工误差修正（元/平方米，可为负）",
        (Column("scope", "范围", "choice", choices=CORRECTION_SCOPES), Column("key", "编号", "text"),
         Column("amount", "修正额(元/㎡)", "decimal", minimum=-1_000_000, maximum=1_000_000)),
        key=("scope", "key"),
    ),
)

SPEC_BY_NAME = {spec.name: spec for spec in SPECS}
SPEC_BY_SHEET = {spec.sheet: spec for spec in SPECS}


@dataclass
class BaselineTables:
    """One version of the baseline tables in memory: a DataFrame per spec, columns = the spec's names.

    Percents and prices are floats with at most two decimals (they are stored as exact decimals);
    dates are ``datetime.date``; months are ``"YYYY-MM"``.
    """

    frames: dict[str, pd.DataFrame]
    name: str = ""

    def __post_init__(self) -> None:
        for spec in SPECS:
            frame = self.frames.get(spec.name)
            if frame is None:
                frame = pd.DataFrame({c.name: pd.Series(dtype=object) for c in spec.columns})
            missing = [c.name for c in spec.columns if not c.required and c.name not in frame.columns]
            if missing:  # an optional column left out (older versions, hand-made frames): empty
                frame = frame.assign(**{name: None for name in missing})
            self.frames[spec.name] = frame.reset_index(drop=True)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def row_counts(self) -> dict[str, int]:
        return {spec.name: int(len(self.frames[spec.name])) for spec in SPECS}


@dataclass(frozen=True)
class CellError:
    """One bad cell (or row) of an import: where it is and why it is refused."""

    sheet: str
    row: int  # the spreadsheet row number (the header is row 1)
    column: str  # the Chinese header, or "" for a whole-row problem
    value: object
    reason: str
    cross_table: bool = False  # found by ``validate`` (duplicates, references, floors, bands), not by typing a cell

    def __str__(self) -> str:
        # row 0: the sheet (or file) as a whole, e.g. a sheet missing or not known — no row to name
        where = f"“{self.sheet}”表" + (f"第 {self.row} 行" if self.row else "") + (
            f"“{self.column}”列" if self.column else "")
        shown = "" if self.value in (None, "") else f"（填写的是“{self.value}”）"
        return f"{where}：{self.reason}{shown}"


_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or (
        isinstance(value, str) and not value.strip()) or value is pd.NaT


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    text = str(value).strip().replace(",", "").replace("，", "").replace("%", "")
    try:
        return float(text)
    except ValueError:
        return None


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return parse_date(value)
    except InvalidDate:
        return None


def _as_month(value: object) -> str | None:
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    match = _MONTH.match(str(value).strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return f"{int(match[1]):04d}-{int(match[2]):02d}"


def coerce_cell(column: Column, value: object) -> tuple[object, str | None]:
    """Convert one raw cell to its typed value, or return the reason it is refused."""
    if _blank(value):
        return (None, "不能为空") if column.required else (None, None)
    kind = column.kind
    if kind in ("text", "choice"):
        text = str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))  # spreadsheets turn codes such as 101 into 101.0
        if kind == "choice" and text not in column.choices:
            return None, "应为以下之一：" + "、".join(column.choices)
        return text, None
    if kind == "date":
        parsed = _as_date(value)
        return (parsed, None) if parsed else (None, "应为日期，如 2025-01-01")
    if kind == "month":
        parsed = _as_month(value)
        return (parsed, None) if parsed else (None, "应为月份，如 2025-01")
    number = _number(value)
    if number is None or not np.isfinite(number):
        return None, "应为数字"
    if kind == "int":
        if not float(number).is_integer():
            return None, "应为整数"
        number = int(number)
    else:
        if abs(number * 100 - round(number * 100)) > 1e-6:
            return None, "最多保留两位小数"
        number = round(number, 2)
    if column.minimum is not None and number < column.minimum:
        hint = "；系数按百分数填写，110 表示 ×1.10" if column.kind == "percent" and number < 10 else ""
        return None, f"不能小于 {column.minimum:g}{hint}"
    if column.maximum is not None and number > column.maximum:
        return None, f"不能大于 {column.maximum:g}"
    return number, None


def coerce_frame(spec: TableSpec, raw: pd.DataFrame, *, first_row: int = 2) -> tuple[pd.DataFrame, list[CellError]]:
    """Type every cell of a raw sheet (columns already renamed to spec names); report every bad cell."""
    errors: list[CellError] = []
    missing = [c for c in spec.columns if c.name not in raw.columns and c.required]
    for column in missing:
        errors.append(CellError(spec.sheet, 1, column.header, None, "缺少此列"))
    if missing:
        return pd.DataFrame(columns=[c.name for c in spec.columns]), errors
    typed: dict[str, list] = {}
    for column in spec.columns:
        values = raw[column.name].tolist() if column.name in raw.columns else [None] * len(raw)
        out = []
        for offset, value in enumerate(values):
            converted, reason = coerce_cell(column, value)
            if reason:
                errors.append(CellError(spec.sheet, first_row + offset, column.header,
                                        None if _blank(value) else value, reason))
            out.append(converted)
        typed[column.name] = out
    return pd.DataFrame(typed, columns=[c.name for c in spec.columns]), errors


def _rows(frame: pd.DataFrame, mask: Iterable[bool]) -> list[int]:
    return [int(i) for i in np.flatnonzero(np.asarray(list(mask), dtype=bool))]


def validate(tables: BaselineTables, *, first_row: int = 2) -> list[CellError]:
    """Cross-table checks on typed tables: duplicate keys, references, floors, bands.

    Rows are reported by spreadsheet row number (``first_row`` is the number of the first data row).
    """
    errors: list[CellError] = []
    f = tables.frames

    def err(spec_name: str, index: int, column: str, value: object, reason: str) -> None:
        spec = SPEC_BY_NAME[spec_name]
        header = spec.column(column).header if column else ""
        errors.append(CellError(spec.sheet, first_row + index, header, value, reason, cross_table=True))

    for spec in SPECS:
        frame = f[spec.name]
        if frame.empty:
            continue
        dup = frame.duplicated(list(spec.key), keep="first")
        for i in _rows(frame, dup):
            key_text = "、".join(f"{spec.column(k).header}={frame.at[i, k]}" for k in spec.key)
            err(spec.name, i, "", None, f"与前面的行重复（{key_text}）")
        for column, (target, target_column) in spec.references.items():
            known = set(f[target][target_column])
            for i in _rows(frame, ~frame[column].isin(known)):
                err(spec.name, i, column, frame.at[i, column],
                    f"在“{SPEC_BY_NAME[target].sheet}”表中不存在")

    zones = set(f["zones"]["zone_code"]) | {ALL_ZONES}
    for name in ("floor_coefficients", "other_factors", "area_bands", "price_index"):
        frame = f[name]
        for i in _rows(frame, ~frame["zone_code"].isin(zones)):
            err(name, i, "zone_code", frame.at[i, "zone_code"], f"既不是已有分区，也不是“{ALL_ZONES}”")

    fc = f["floor_coefficients"]
    if not fc.empty:
        for i in _rows(fc, fc["floor"] == 0):
            err("floor_coefficients", i, "floor", 0, "没有第 0 层：地上从 1 起，地下为 -1、-2 …")
        for i in _rows(fc, fc["floor"] > fc["total_floors"]):
            err("floor_coefficients", i, "floor", fc.at[i, "floor"], f"所在层高于总层数 {fc.at[i, 'total_floors']}")

    bp = f["base_prices"]
    if not bp.empty:
        buildings = set(f["buildings"]["building_id"])
        communities = set(f["communities"]["community_code"])
        for i in range(len(bp)):
            scope, key = bp.at[i, "scope"], bp.at[i, "key"]
            if (scope == "楼幢" and key not in buildings) or (scope == "小区" and key not in communities):
                err("base_prices", i, "key", key, f"在“{'楼幢' if scope == '楼幢' else '小区'}”表中不存在")

    for name, low, high in (("area_bands", "area_from", "area_to"), ("age_bands", "age_from", "age_to")):
        frame = f[name]
        for i in _rows(frame, frame[low] >= frame[high]):
            err(name, i, high, frame.at[i, high], f"上限应大于下限 {frame.at[i, low]}")
        # Two bands of the same group that share a range leave the coefficient of that range ambiguous.
        group = ["zone_code", "house_type"] if name == "area_bands" else ["structure"]
        for _key, rows in frame[frame[low] < frame[high]].groupby(group, sort=False):
            rows = rows.sort_values(low, kind="stable")
            previous = None
            for i, row in rows.iterrows():
                if previous is not None and row[low] < previous[high]:
                    err(name, int(i), low, row[low],
                        f"与第 {first_row + int(previous.name)} 行的区间 {previous[low]:g}～{previous[high]:g} 重叠；"
                        "同一分组的区间应首尾相接、互不重叠")
                if previous is None or row[high] > previous[high]:
                    previous = row

    zc = f["zone_corrections"]
    known = {"分区": set(f["zones"]["zone_code"]), "小区": set(f["communities"]["community_code"]),
             "楼幢": set(f["buildings"]["building_id"])}
    for i in range(len(zc)):
        if zc.at[i, "key"] not in known.get(zc.at[i, "scope"], set()):
            err("zone_corrections", i, "key", zc.at[i, "key"], f"在{zc.at[i, 'scope']}中不存在")
    return errors
