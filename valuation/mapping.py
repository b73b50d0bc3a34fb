"""The column mapping (列映射) of a transaction file: which source column feeds which field of a sale.

A mapping is a small YAML (or JSON) file, documented in ``valuation/MAPPING.md``; the mapping for the
Singapore HDB resale data ships as ``valuation/mappings/hdb_resale.yaml``. Loading checks the whole
file and reports every problem at once in Chinese (:class:`MappingError`); nothing is guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from valuation.record_values import FALSE_WORDS, TRUE_WORDS

# field -> (Chinese name, required)
FIELDS: dict[str, tuple[str, bool]] = {
    "building": ("楼幢（唯一键，可由多列组成）", True),
    "floor": ("所在楼层", True),
    "area": ("建筑面积(㎡)", True),
    "price": ("成交价", True),
    "date": ("成交日期", True),
    "community": ("小区", False),
    "zone": ("估价分区", False),
    "address": ("坐落", False),
    "total_floors": ("总层数", False),
    "elevator": ("电梯", False),
    "orientation": ("朝向", False),
    "use": ("用途", False),
    "house_type": ("房屋类型", False),
    "structure": ("建筑结构", False),
    "year_built": ("建成年份", False),
    "remarks": ("备注", False),
    "arms_length": ("是否正常交易", False),
    "unit": ("房屋编号（同一套房）", False),
    "sale_id": ("成交编号", False),
}
BOOLEAN_FIELDS = ("elevator", "arms_length")
FROM_COLUMNS = ("building", "floor", "area", "price", "date")  # required and never a constant
NUMERIC_FIELDS = ("price", "area")  # may subtract other columns (a parking space sold with the flat)
TEXT_FIELDS = ("building", "community", "zone", "address", "use", "house_type", "structure", "remarks", "unit",
               "sale_id")
CALENDAR_FIELDS = ("date", "year_built")
CALENDARS = {"gregorian": "公历", "roc": "民国纪年（年份 + 1911）"}
# The fields a building register (楼盘表) is read for; a sales mapping used for a register reads only these.
REGISTER_FIELDS = ("building", "community", "zone", "address", "total_floors", "elevator", "use", "house_type",
                   "structure", "year_built", "floor")
PURPOSES = ("sales", "register")
PRICE_BASES = {"total": "总价", "per_m2": "单价（元/㎡）"}
TOP_KEYS = {"name", "description", "file", "price_basis", "price_multiplier", "date_format", "fields", "keep_rows"}
FILE_KEYS = {"format", "encoding", "sheet", "header_row", "delimiter", "skip_rows"}
SPEC_KEYS = {"column", "columns", "value", "separator", "map", "true_values", "false_values", "subtract", "extract",
             "calendar"}
ROW_FILTER_KEYS = {"column", "values", "pattern", "exclude"}
DEFAULT_TRUE = TRUE_WORDS
DEFAULT_FALSE = FALSE_WORDS


@dataclass(frozen=True)
class FieldSet:
    """The fields a kind of record has: field -> (Chinese name, required), the yes/no fields, and the
    required fields that must come from a data column (never a constant). Sales of flats are
    :data:`HOUSING`; another family of records (vehicles) declares its own and reuses this machinery."""

    fields: dict[str, tuple[str, bool]]
    boolean_fields: tuple[str, ...] = ()
    from_columns: tuple[str, ...] = ()
    price_bases: tuple[str, ...] = ("total", "per_m2")

    def label(self, name: str) -> str:
        return self.fields.get(name, (name, False))[0]


HOUSING = FieldSet(FIELDS, BOOLEAN_FIELDS, FROM_COLUMNS)


class MappingError(ValueError):
    """The mapping file is not usable; ``problems`` lists every reason (Chinese)."""

    def __init__(self, problems: list[str], source: str = ""):
        self.problems = problems
        where = f"列映射文件 {source} " if source else "列映射"
        super().__init__(where + "有误：\n" + "\n".join(f"- {p}" for p in problems))


@dataclass(frozen=True)
class FieldSpec:
    """Where one field comes from: one column, several columns joined, or a constant value."""

    name: str
    columns: tuple[str, ...] = ()
    separator: str = " "
    value: Any = None
    value_map: dict[str, Any] = field(default_factory=dict)
    true_values: tuple[str, ...] = DEFAULT_TRUE
    false_values: tuple[str, ...] = DEFAULT_FALSE
    subtract: tuple[str, ...] = ()  # numeric fields: columns whose values are taken off (blank = 0)
    extract: str | None = None  # text fields: a regular expression; its first group (or match) is the value
    calendar: str = "gregorian"  # date / year_built: gregorian or roc (民国)

    @property
    def is_constant(self) -> bool:
        return not self.columns


@dataclass(frozen=True)
class RowFilter:
    """Which rows of the file are records of the kind mapped (e.g. 交易標的 房地, not land or parking alone).

    A row is kept when its ``column`` is one of ``values`` (if given), matches ``pattern`` (if given) and is
    none of ``exclude``. Rows left out are counted, not refused.
    """

    column: str
    values: tuple[str, ...] = ()
    pattern: str | None = None
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mapping:
    fields: dict[str, FieldSpec]
    name: str = ""
    description: str = ""
    file_format: str | None = None  # csv | xlsx | parquet; None = by the file's extension
    encoding: str = "utf-8"
    sheet: str | int | None = None
    header_row: int = 1
    delimiter: str = ","
    price_basis: str = "total"
    price_multiplier: float = 1.0
    date_format: str | None = None
    field_set: FieldSet = HOUSING
    keep_rows: tuple[RowFilter, ...] = ()
    skip_rows: tuple[int, ...] = ()  # file rows (1 = the first line) that are not records, e.g. a second header
    purpose: str = "sales"

    def source_columns(self) -> set[str]:
        return ({c for spec in self.fields.values() for c in (*spec.columns, *spec.subtract)}
                | {f.column for f in self.keep_rows})


def _as_text_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v).strip().upper() for v in value)
    return (str(value).strip().upper(),)


def _field_spec(name: str, raw: Any, problems: list[str], field_set: FieldSet = HOUSING) -> FieldSpec | None:
    label = f"字段 {name}（{field_set.label(name)}）"
    if isinstance(raw, str):
        return FieldSpec(name, columns=(raw,))
    if isinstance(raw, list):
        if not raw or not all(isinstance(c, str) and c for c in raw):
            problems.append(f"{label} 的列名列表应为非空的文字列表，如 [block, street_name]")
            return None
        return FieldSpec(name, columns=tuple(raw))
    if not isinstance(raw, dict):
        problems.append(f"{label} 应写列名、列名列表，或 {{column: 列名}} / {{columns: [...]}} / {{value: 常量}}")
        return None
    unknown = set(raw) - SPEC_KEYS
    if unknown:
        problems.append(f"{label} 含有不认识的键 {sorted(unknown)}；可用的键：{sorted(SPEC_KEYS)}")
    sources = [k for k in ("column", "columns", "value") if k in raw]
    if len(sources) != 1:
        problems.append(f"{label} 必须且只能写 column、columns、value 中的一个")
        return None
    columns: tuple[str, ...] = ()
    if "column" in raw:
        if not isinstance(raw["column"], str) or not raw["column"]:
            problems.append(f"{label} 的 column 应为列名")
            return None
        columns = (raw["column"],)
    elif "columns" in raw:
        if not isinstance(raw["columns"], list) or not raw["columns"] or not all(
                isinstance(c, str) and c for c in raw["columns"]):
            problems.append(f"{label} 的 columns 应为非空的列名列表")
            return None
        columns = tuple(raw["columns"])
    value_map = raw.get("map") or {}
    if not isinstance(value_map, dict):
        problems.append(f"{label} 的 map 应为“原值: 新值”的对照表")
        value_map = {}
    kwargs: dict[str, Any] = {}
    if "true_values" in raw:
        kwargs["true_values"] = _as_text_tuple(raw["true_values"])
    if "false_values" in raw:
        kwargs["false_values"] = _as_text_tuple(raw["false_values"])
    if ("true_values" in raw or "false_values" in raw) and name not in field_set.boolean_fields:
        problems.append(f"{label} 不是是/否字段，不能写 true_values / false_values")
    if "subtract" in raw:
        sub = raw["subtract"]
        sub = [sub] if isinstance(sub, str) else sub
        if name not in NUMERIC_FIELDS:
            problems.append(f"{label} 不是数值字段，不能写 subtract（只有 {'、'.join(NUMERIC_FIELDS)} 可以）")
        elif not isinstance(sub, list) or not sub or not all(isinstance(c, str) and c for c in sub):
            problems.append(f"{label} 的 subtract 应为列名或列名列表，如 [車位總價元]")
        else:
            kwargs["subtract"] = tuple(sub)
    if "extract" in raw:
        pattern = raw["extract"]
        if name not in TEXT_FIELDS:
            problems.append(f"{label} 不是文字字段，不能写 extract")
        elif not isinstance(pattern, str) or not pattern:
            problems.append(f"{label} 的 extract 应为正则表达式，如 \"^(.*?[路街])\"")
        else:
            try:
                re.compile(pattern)
                kwargs["extract"] = pattern
            except re.error as exc:
                problems.append(f"{label} 的 extract 不是有效的正则表达式：{exc}")
    if "calendar" in raw:
        if name not in CALENDAR_FIELDS:
            problems.append(f"{label} 不是日期或年份字段，不能写 calendar")
        elif raw["calendar"] not in CALENDARS:
            problems.append(f"{label} 的 calendar 应为 gregorian（公历）或 roc（民国纪年），而不是“{raw['calendar']}”")
        else:
            kwargs["calendar"] = raw["calendar"]
    return FieldSpec(name, columns=columns, separator=str(raw.get("separator", " ")), value=raw.get("value"),
                     value_map={str(k): v for k, v in value_map.items()}, **kwargs)


def _row_filters(raw: Any, problems: list[str]) -> tuple[RowFilter, ...]:
    items = raw if isinstance(raw, list) else [raw]
    filters = []
    for i, item in enumerate(items, start=1):
        where = f"keep_rows 第 {i} 项"
        if not isinstance(item, dict) or not isinstance(item.get("column"), str) or not item.get("column"):
            problems.append(f"{where} 应写 {{column: 列名, values: [...]}} 或 {{column: 列名, pattern: 正则}}")
            continue
        unknown = set(item) - ROW_FILTER_KEYS
        if unknown:
            problems.append(f"{where} 含有不认识的键 {sorted(unknown)}；可用的键：{sorted(ROW_FILTER_KEYS)}")
        if not any(k in item for k in ("values", "pattern", "exclude")):
            problems.append(f"{where} 至少应写 values、pattern、exclude 之一")
        lists = {}
        for key in ("values", "exclude"):
            value = item.get(key, [])
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list):
                problems.append(f"{where} 的 {key} 应为取值列表")
                value = []
            lists[key] = tuple(str(v) for v in value)
        pattern = item.get("pattern")
        if pattern is not None:
            try:
                re.compile(str(pattern))
            except re.error as exc:
                problems.append(f"{where} 的 pattern 不是有效的正则表达式：{exc}")
                pattern = None
        filters.append(RowFilter(item["column"], lists["values"], None if pattern is None else str(pattern),
                                 lists["exclude"]))
    return tuple(filters)


def parse_mapping(raw: Any, source: str = "", field_set: FieldSet = HOUSING, *, purpose: str = "sales") -> Mapping:
    """Check a mapping already read into Python objects; raise :class:`MappingError` listing every problem.

    ``purpose`` ``register``: the mapping reads a building register (楼盘表): only ``building`` is required
    and only :data:`REGISTER_FIELDS` are read (a sales mapping serves as well; its sale fields are ignored).
    """
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}")
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise MappingError(["文件内容应为键值结构（YAML 映射），顶层含 fields 等键"], source)
    unknown = set(raw) - TOP_KEYS
    if unknown:
        problems.append(f"不认识的顶层键 {sorted(unknown)}；可用的键：{sorted(TOP_KEYS)}")
    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, dict) or not raw_fields:
        problems.append("缺少 fields：应逐项写明各字段取自哪一列")
        raw_fields = {}
    fields: dict[str, FieldSpec] = {}
    for name, spec in raw_fields.items():
        if name not in field_set.fields:
            problems.append(f"不认识的字段“{name}”；可用的字段：{', '.join(field_set.fields)}")
            continue
        parsed = _field_spec(name, spec, problems, field_set)
        if parsed is not None:
            fields[name] = parsed
    required_fields = [n for n, (_, req) in field_set.fields.items() if req] if purpose == "sales" else ["building"]
    for name in required_fields:
        if name not in raw_fields:
            problems.append(f"缺少必填字段 {name}（{field_set.label(name)}）")
    if purpose == "register":
        fields = {n: f for n, f in fields.items() if n in REGISTER_FIELDS}
    for name in field_set.from_columns:
        if name in fields and fields[name].is_constant:
            problems.append(f"字段 {name}（{field_set.label(name)}）必须取自数据列，不能是常量")
    basis = raw.get("price_basis", "total")
    if basis not in field_set.price_bases:
        allowed = "或".join(f"{b}（{PRICE_BASES[b].split('（')[0]}）" for b in field_set.price_bases)
        problems.append(f"price_basis 应为 {allowed}，而不是“{basis}”")
    multiplier = raw.get("price_multiplier", 1)
    if not isinstance(multiplier, int | float) or isinstance(multiplier, bool) or multiplier <= 0:
        problems.append(f"price_multiplier 应为正数（如价格以万元计则写 10000），而不是“{multiplier}”")
        multiplier = 1
    file_opts = raw.get("file") or {}
    if not isinstance(file_opts, dict):
        problems.append("file 应为键值结构，如 {format: csv, encoding: utf-8}")
        file_opts = {}
    bad_file = set(file_opts) - FILE_KEYS
    if bad_file:
        problems.append(f"file 中不认识的键 {sorted(bad_file)}；可用的键：{sorted(FILE_KEYS)}")
    fmt = file_opts.get("format")
    if fmt is not None and fmt not in ("csv", "xlsx", "parquet"):
        problems.append(f"file.format 应为 csv、xlsx 或 parquet，而不是“{fmt}”")
    header_row = file_opts.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 0:
        problems.append(f"file.header_row 应为表头所在行（正整数；文件没有表头写 0），而不是“{header_row}”")
        header_row = 1
    skip_rows = file_opts.get("skip_rows", [])
    skip_rows = [skip_rows] if isinstance(skip_rows, int) else skip_rows
    if not isinstance(skip_rows, list) or not all(isinstance(r, int) and not isinstance(r, bool) and r > header_row
                                                  for r in skip_rows):
        problems.append(f"file.skip_rows 应为表头以下的行号列表，如 [{header_row + 1}]（表头下方的英文表头行）")
        skip_rows = []
    keep_rows = _row_filters(raw["keep_rows"], problems) if "keep_rows" in raw else ()
    date_format = raw.get("date_format")
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        problems.append(f"date_format 应为 strftime 格式，如 \"%Y-%m-%d\"，而不是“{date_format}”")
    if problems:
        raise MappingError(problems, source)
    return Mapping(fields=fields, name=str(raw.get("name", "")), description=str(raw.get("description", "")),
                   file_format=fmt, encoding=str(file_opts.get("encoding", "utf-8")), sheet=file_opts.get("sheet"),
                   header_row=header_row, delimiter=str(file_opts.get("delimiter", ",")), price_basis=basis,
                   price_multiplier=float(multiplier), date_format=date_format, field_set=field_set,
                   keep_rows=keep_rows, skip_rows=tuple(sorted(skip_rows)), purpose=purpose)


def load_mapping(path: str | Path, field_set: FieldSet = HOUSING, *, purpose: str = "sales") -> Mapping:
    """Read a mapping file (``.yaml``/``.yml`` or ``.json``) for records of ``field_set``; ``purpose`` as in
    :func:`parse_mapping`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError([f"找不到文件 {path}"], str(path)) from None
    except UnicodeDecodeError:
        raise MappingError(["文件应为 UTF-8 编码的文本"], str(path)) from None
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise MappingError([f"无法按 YAML/JSON 读取：{exc}"], str(path)) from None
    return parse_mapping(raw, str(path), field_set, purpose=purpose)


def bundled_mapping(name: str) -> Path:
    """The path of a mapping shipped in ``valuation/mappings`` (e.g. ``hdb_resale``)."""
    return Path(__file__).resolve().parent / "mappings" / f"{name}.yaml"
