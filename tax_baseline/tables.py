"""The tax bureau's baseline tables (计税基准价体系), in the shapes of RULES.md section 2.

One ``TableSpec`` per table: its Chinese sheet name (as a tax bureau's template names it), its columns
with Chinese headers and types, and its key. The spreadsheet import, the export, the database mapping
and the quote engine all read these specs, so a table's shape is written down in exactly one place.

Coefficients are stored as percentages (系数 110 = ×1.10) with two decimals; money as yuan with two
decimals (Decimal). ``method`` 乘 multiplies the unit price; 加 adds ``base × (percent − 100) / 100``
(additive factors do not compound with each other), as the provincial systems allow either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_ZONES = "全部"  # a coefficient row that applies in every zone; a zone-specific row wins over it

ELEVATOR_CLASSES = ("8层以内无电梯", "8层以内有电梯", "8层以上")
METHODS = ("乘", "加")
BASE_PRICE_SCOPES = ("楼幢", "小区")
CORRECTION_SCOPES = ("分区", "小区", "楼幢")
ELEVATOR_VALUES = ("有", "无")


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
_percent = Column("percent", "系数(%)", "percent", minimum=1, maximum=300, note="100 表示不修正；110 即 ×1.10")
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
         Column("use", "用途", "text", note="如：住宅、商业、办公、工业")),
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
