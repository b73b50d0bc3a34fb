"""The clerk's lot form (新建标的): the sheet's columns as a guided form by property kind, in the sections a clerk
recognises, with choices as choices, units, ranges, and every problem at once beside its field.

The form's fields are the bulk sheet's columns (``auction.lot_sheet.COLUMNS``), so a form and a sheet row are read
by the same code and refused with the same reasons. What this module adds is what a form needs and a sheet
cannot show: the section and order of each field, its label and unit, the choices of a drop-down, the property
kinds it applies to, the range of every number (``check_fields``: each field on its own, all at once, a Chinese
message naming the field by its label), and which field each missing disclosure belongs to (``disclosure_fields``,
so the list of what is missing links to the field that fills it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from tax_baseline.money import InvalidAmount, format_yuan, parse_yuan
from tax_baseline.typed_dates import InvalidDate, parse_date

SECTIONS = ("案件与当事人", "标的物与调查情况", "价格与保证金", "时间安排", "看样与联系", "瑕疵与税费", "照片与文书")

# The kinds a clerk picks from, with the spellings of the form (codes stay out of sight: option values only).
KIND_CHOICES = (("real_estate", "房产（不动产）"), ("vehicle", "机动车"), ("movable", "其他动产"),
                ("equity", "股权"), ("other_right", "其他财产权"))
ROUND_CHOICES = (("first_auction", "第一次拍卖（一拍）"), ("second_auction", "第二次拍卖（二拍）"),
                 ("fixed_price_sale", "变卖"))
OCCUPANCY_CHOICES = (("空置", "空置"), ("被执行人占用", "被执行人占用"), ("承租人占用", "承租人占用"),
                     ("他人占用", "他人占用"))
YES_NO = (("是", "是（已腾空）"), ("否", "否（未腾空）"))
NATURE_CHOICES = tuple((v, v) for v in ("商品房", "房改房", "经济适用房", "集资房", "自建房", "其他"))
USE_CHOICES = tuple((v, v) for v in ("住宅", "商业", "办公", "工业", "车位", "其他"))
ORIENTATION_CHOICES = tuple((v, v) for v in ("南北", "南", "东南", "西南", "东", "西", "东西", "北", "东北", "西北"))
REGISTRATION_CHOICES = tuple((v, v) for v in ("正常", "查封", "抵押", "查封、抵押", "已注销", "其他"))
EMISSION_CHOICES = tuple((v, v) for v in ("国一", "国二", "国三", "国四", "国五", "国六a", "国六b", "新能源"))
TAX_SUMMARY_CHOICES = tuple((v, v) for v in (
    "标的物过户所涉及的税费由买卖双方依照法律规定各自承担",
    "标的物过户所涉及的全部税费由买受人承担",
))
TAX_ITEM_CHOICES = tuple((v, v) for v in (
    "增值税:被执行人；个人所得税:被执行人；土地增值税:被执行人；契税:买受人；印花税:买卖双方各自承担",
    "增值税:买受人；个人所得税:买受人；土地增值税:买受人；契税:买受人；印花税:买受人",
    "车辆过户手续费:买受人",
))

# Every money field: 0.01 yuan up to 1,000 亿 yuan (above any lot a court sells; a bigint holds 9.2e16 yuan).
MONEY_MAX_FEN = 100_000_000_000 * 100
LIST_HINT = "多项以“；”分隔；没有请填“无”"


@dataclass(frozen=True)
class FormField:
    column: str  # the sheet column: the field's name in the form and the sheet
    key: str  # anchor of the field on the page (links from the list of missing disclosures)
    label: str
    section: str
    type: str = "text"  # text, textarea, money, int, decimal, date, choice, list
    kinds: tuple[str, ...] = ()  # the property kinds it applies to; () = every kind
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    unit: str = ""
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    max_length: int = 300
    hint: str = ""
    required: bool = False  # needed to plan the lot (the rest is needed only to publish)
    closed: bool = False  # a choice that admits nothing else (the others take the text of an imported sheet too)

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds

    @property
    def range_text(self) -> str:
        if self.type == "money":
            return "0.01 元至 1,000 亿元"
        if self.minimum is None:
            return ""
        return f"{self.minimum} 至 {self.maximum}{(' ' + self.unit) if self.unit else ''}"


FLAT = ("real_estate",)
CAR = ("vehicle",)

FIELDS: tuple[FormField, ...] = (
    # 案件与当事人
    FormField("案号", "case", "案号", "案件与当事人", required=True, hint="如（2026）浙1081执100号"),
    FormField("执行法院", "court", "执行法院", "案件与当事人", required=True),
    FormField("执行依据", "basis", "执行依据", "案件与当事人", hint="如（2025）浙1081民初123号民事判决书"),
    FormField("申请执行人", "applicant", "申请执行人", "案件与当事人", "list", hint="多人以“；”分隔"),
    FormField("被执行人", "debtor", "被执行人", "案件与当事人", "list", hint="多人以“；”分隔"),
    FormField("当事人通知日期", "notified", "当事人通知日期", "案件与当事人", "date",
              hint="已通知当事人的日期（网拍规定第十六条）"),
    FormField("优先购买权人", "priority", "优先购买权人", "案件与当事人", "list",
              hint="每人写成 姓名/权利/顺位，如 李某/共有人/1；没有请填“无”"),
    # 标的物与调查情况
    FormField("标的物类型", "kind", "标的物类型", "标的物与调查情况", "choice", choices=KIND_CHOICES, required=True, closed=True),
    FormField("标的编号", "lot_code", "标的编号", "标的物与调查情况", required=True, max_length=60,
              hint="本院自编，同一轮次不重复"),
    FormField("标的名称", "title", "标的名称", "标的物与调查情况", required=True),
    FormField("所在地", "address", "所在地", "标的物与调查情况"),
    FormField("标的物介绍", "description", "标的物介绍", "标的物与调查情况", "textarea", max_length=5000),
    FormField("占有使用情况", "occupancy", "占有使用情况", "标的物与调查情况", "choice", choices=OCCUPANCY_CHOICES, closed=True),
    FormField("占有人", "occupant", "占有人", "标的物与调查情况"),
    FormField("是否腾空", "vacated", "是否腾空", "标的物与调查情况", "choice", choices=YES_NO, closed=True),
    FormField("租赁情况", "leases", "租赁情况", "标的物与调查情况", "list", hint="承租人姓名；" + LIST_HINT),
    FormField("权利负担", "encumbrances", "权利负担", "标的物与调查情况", "list",
              hint="写成 类型:权利人，如 抵押:某银行；类型为查封、抵押、质押、其他权利负担；没有请填“无”"),
    FormField("房屋性质", "nature", "房屋性质", "标的物与调查情况", "choice", FLAT, NATURE_CHOICES),
    FormField("用途", "use", "用途", "标的物与调查情况", "choice", FLAT, USE_CHOICES),
    FormField("建筑面积（平方米）", "area", "建筑面积", "标的物与调查情况", "decimal", FLAT, unit="平方米",
              minimum=Decimal("0.01"), maximum=Decimal("1000000")),
    FormField("总楼层", "floors", "总楼层", "标的物与调查情况", "int", FLAT, unit="层", minimum=1, maximum=200),
    FormField("所在楼层", "floor", "所在楼层", "标的物与调查情况", "int", FLAT, unit="层", minimum=-10, maximum=200,
              hint="地下层填负数"),
    FormField("建成年份", "year_built", "建成年份", "标的物与调查情况", "int", FLAT, unit="年", minimum=1900,
              maximum=2100),
    FormField("朝向", "orientation", "朝向", "标的物与调查情况", "choice", FLAT, ORIENTATION_CHOICES),
    FormField("户型", "layout", "户型", "标的物与调查情况", kinds=FLAT, hint="如 三室两厅一卫"),
    FormField("每单元电梯数", "lifts", "每单元电梯数", "标的物与调查情况", "int", FLAT, unit="部", minimum=0,
              maximum=50, hint="无电梯填 0"),
    FormField("土地剩余年限", "land_term", "土地剩余年限", "标的物与调查情况", kinds=FLAT, hint="如 约 48 年"),
    FormField("勘验日期", "inspected", "现场勘验日期", "标的物与调查情况", "date", FLAT),
    FormField("车牌号", "plate", "车牌号", "标的物与调查情况", kinds=CAR, max_length=20),
    FormField("车架号", "vin", "车架号", "标的物与调查情况", kinds=CAR, max_length=30),
    FormField("登记核查日期", "reg_checked", "登记核查日期", "标的物与调查情况", "date", CAR),
    FormField("登记状态", "reg_status", "登记状态", "标的物与调查情况", "choice", CAR, REGISTRATION_CHOICES),
    FormField("排放标准", "emission", "排放标准", "标的物与调查情况", "choice", CAR, EMISSION_CHOICES),
    FormField("行驶里程（公里）", "mileage", "行驶里程", "标的物与调查情况", "int", CAR, unit="公里", minimum=0,
              maximum=10_000_000),
    FormField("交通违法", "violations", "交通违法", "标的物与调查情况", "list", CAR, hint=LIST_HINT),
    # 价格与保证金
    FormField("参考价（元）", "reference_price", "参考价", "价格与保证金", "money", unit="元", required=True,
              hint="由案件确定的参考价带出"),
    FormField("参考价依据", "reference_basis", "参考价依据", "价格与保证金", hint="评估报告或询价报告及其编号"),
    FormField("拍卖轮次", "round", "拍卖轮次", "价格与保证金", "choice", choices=ROUND_CHOICES, required=True, closed=True),
    FormField("前次起拍价（元）", "previous_start", "前次起拍价", "价格与保证金", "money", unit="元",
              hint="二拍、变卖必填"),
    FormField("流拍日期", "failed_on", "流拍日期", "价格与保证金", "date", hint="二拍、变卖填写"),
    FormField("起拍价（元）", "starting_price", "起拍价", "价格与保证金", "money", unit="元",
              hint="不填按规则计算（一拍为参考价的七成起）"),
    FormField("保证金（元）", "deposit", "保证金", "价格与保证金", "money", unit="元", hint="不填按起拍价的 5%-20% 计算"),
    FormField("加价幅度（元）", "increment", "加价幅度", "价格与保证金", "money", unit="元", hint="不填按规则计算"),
    # 时间安排
    FormField("公告日期", "announce_on", "公告日期", "时间安排", "date", required=True,
              hint="竞价时间按公告期自动排定"),
    # 看样与联系
    FormField("联系人", "contact", "法院联系人", "看样与联系"),
    FormField("联系电话", "phone", "联系电话", "看样与联系", max_length=40),
    FormField("看样安排", "viewing", "看样安排", "看样与联系", "textarea", max_length=2000,
              hint="如 工作日预约看样，由法院统一组织"),
    FormField("看样电话", "viewing_phone", "看样电话", "看样与联系", max_length=40),
    # 瑕疵与税费
    FormField("已知瑕疵", "defects", "已知瑕疵", "瑕疵与税费", "list", hint=LIST_HINT),
    FormField("税费承担", "tax_summary", "税费承担", "瑕疵与税费", "choice", choices=TAX_SUMMARY_CHOICES),
    FormField("税费明细", "tax_items", "税费明细", "瑕疵与税费", "choice", choices=TAX_ITEM_CHOICES,
              hint="不动产须逐项披露（2024 年起）"),
)
BY_COLUMN = {f.column: f for f in FIELDS}
BY_KEY = {f.key: f for f in FIELDS}
# Columns the form does not show as inputs: photos are uploaded files (照片与文书), 内容JSON is for sheets only.
HIDDEN_COLUMNS = ("照片", "内容JSON")

# Each mandatory disclosure (auction.lot.missing_disclosures) and the field that fills it.
_DISCLOSURE_FIELDS = {
    "案号": "案号", "执行法院": "执行法院", "法院联系人及电话": "联系人", "标的物名称": "标的名称",
    "标的物所在地": "所在地", "标的物介绍": "标的物介绍", "执行依据": "执行依据", "参考价（评估价）": "参考价（元）",
    "参考价确定依据（评估报告或定价依据）": "参考价依据", "被执行人": "被执行人", "当事人通知情况": "当事人通知日期",
    "优先购买权人情况": "优先购买权人", "优先购买权人通知情况": "当事人通知日期", "占有使用情况": "占有使用情况",
    "租赁情况": "租赁情况", "权利负担（查封、抵押等）": "权利负担", "已知瑕疵": "已知瑕疵", "税费及承担方式": "税费承担",
    "看样安排": "看样安排", "照片或视频": "照片", "调查情况表": "房屋性质", "调查情况表：房屋性质": "房屋性质",
    "调查情况表：用途": "用途", "调查情况表：建筑面积": "建筑面积（平方米）", "调查情况表：所在楼层/总楼层": "所在楼层",
    "调查情况表：建成年份": "建成年份", "调查情况表：朝向": "朝向", "调查情况表：户型": "户型",
    "调查情况表：梯户情况": "每单元电梯数", "调查情况表：土地剩余年限": "土地剩余年限", "调查情况表：是否腾空": "是否腾空",
    "现场勘验（2024年起不动产必须）": "勘验日期", "税费明细披露（2024年起不动产必须）": "税费明细",
    "车辆核查信息": "车牌号", "车辆号牌或车架号": "车牌号", "车辆登记信息核查": "登记核查日期",
    "车辆排放标准": "排放标准", "车辆行驶里程": "行驶里程（公里）", "车辆交通违法情况": "交通违法",
    "拍卖方案（起拍价、保证金、加价幅度、竞价时间）": "参考价（元）", "拍卖方案的标的物类型与标的物一致": "标的物类型",
    "拍卖方案的参考价与标的物参考价一致": "参考价（元）",
}

# Plan rules broken (auction.listing_plan.RuleViolation.code) and the field the clerk changes to mend them.
_VIOLATION_FIELDS = {
    "starting_price_below_floor": "起拍价（元）", "price_cut_too_large": "起拍价（元）",
    "sale_price_below_half": "起拍价（元）", "deposit_out_of_range": "保证金（元）",
    "bid_increment_not_positive": "加价幅度（元）", "reauction_too_late": "流拍日期",
    "reauction_before_failure": "流拍日期",
}


def violation_field(code: str) -> str:
    """The field a broken plan rule points at (the announcement date for the periods)."""
    return _VIOLATION_FIELDS.get(code, "公告日期")


def disclosure_fields(missing: list[str]) -> list[tuple[str, str]]:
    """(missing disclosure, the column of the field that fills it) for the list of what publishing needs."""
    return [(name, _DISCLOSURE_FIELDS.get(name, "")) for name in missing]


def sections(kind: str) -> list[tuple[str, list[FormField]]]:
    """The form's sections with the fields that apply to ``kind`` (every field when the kind is not chosen)."""
    out = []
    for section in SECTIONS:
        out.append((section, [f for f in FIELDS if f.section == section and (not kind or f.applies_to(kind))]))
    return out


def _choice(f: FormField, text: str) -> str | None:
    for value, label in f.choices:
        if text in (value, label):
            return value
    return None


def check_field(f: FormField, text: str, today: date | None = None, choices: bool = True) -> str:
    """The Chinese reason the field's text is refused (named by the field's own label), or "" when it is usable.
    A blank field is not refused here (a draft may leave anything blank; what publishing needs is listed)."""
    if not text:
        return ""
    if len(text) > f.max_length:
        return f"“{f.label}”最多 {f.max_length} 个字，现有 {len(text)} 个字。"
    if f.type == "money":
        try:
            fen = parse_yuan(text)
        except InvalidAmount:
            return f"“{f.label}”应为以元为单位、最多两位小数的金额，如 1200000.00；收到“{text}”。"
        if fen is None or fen <= 0 or fen > MONEY_MAX_FEN:
            shown = format_yuan(fen) if fen is not None and abs(fen) < 10 ** 30 else text
            return f"“{f.label}”应在 0.01 元至 1,000 亿元之间，收到 {shown}。"
        return ""
    if f.type in ("int", "decimal"):
        try:
            number = Decimal(text.replace(",", "").replace("，", ""))
        except InvalidOperation:
            return f"“{f.label}”应为数字（{f.range_text}），收到“{text}”。"
        if not number.is_finite():
            return f"“{f.label}”应为数字（{f.range_text}），收到“{text}”。"
        if f.type == "int" and number != number.to_integral_value():
            return f"“{f.label}”应为整数（{f.range_text}），收到“{text}”。"
        if f.type == "decimal" and number.as_tuple().exponent < -2:
            return f"“{f.label}”最多两位小数，收到“{text}”。"
        if not f.minimum <= number <= f.maximum:
            return f"“{f.label}”应在 {f.range_text}之间，收到 {text}。"
        return ""
    if f.type == "date":
        try:
            day = parse_date(text, f"“{f.label}”")
        except InvalidDate as exc:
            return str(exc)
        if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
            return f"“{f.label}”应在 2000 年至 2100 年之间，收到 {day.isoformat()}。"
        if f.column == "公告日期" and today is not None and day < today:
            return f"“{f.label}”{day.isoformat()} 已过（今天 {today.isoformat()}），应为今天或以后。"
        return ""
    if f.type == "choice" and f.closed and choices and _choice(f, text) is None:
        return f"“{f.label}”请从列表中选择（{'、'.join(label for _v, label in f.choices)}）。"
    return ""


def check_fields(values: dict[str, str], today: date | None = None, choices: bool = True) -> dict[str, str]:
    """Every field refused, at once: column → the Chinese reason beside it. ``choices=False`` (a sheet row, whose
    cells may spell a kind or a round as the sheet reader accepts) leaves the drop-downs to the reader."""
    problems = {}
    for column, text in values.items():
        f = BY_COLUMN.get(column)
        if f is not None:
            reason = check_field(f, str(text).strip(), today, choices)
            if reason:
                problems[column] = reason
    return problems


def required_missing(values: dict[str, str]) -> dict[str, str]:
    """The fields a lot cannot be planned without, blank: column → "请填写…"."""
    return {f.column: f"请填写“{f.label}”（建立标的必填）。" for f in FIELDS
            if f.required and not str(values.get(f.column, "")).strip()}


def normalized(values: dict[str, Any]) -> dict[str, str]:
    """The form's text as the sheet reader reads it: choices by their value, the rest stripped."""
    out = {}
    for column, value in values.items():
        text = "" if value is None else str(value).strip()
        f = BY_COLUMN.get(column)
        if f is not None and f.type == "choice" and text:
            text = _choice(f, text) or text
        out[column] = text
    return out
