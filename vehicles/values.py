"""Values as Chinese used-car listings write them, read exactly or refused with the reason.

- mileage (表显里程): "1.39万公里", "7.02万公里", "13900公里", "1.39万km", "13900"  → kilometres
- registration (上牌时间): "2019年", "2019-10", "2019年10月", "2019/10/08", "未上牌" → a month; a bare year
  is taken as its July (the middle of the year), and the reading says so
- amounts (新车价, 价格): "34.17万", "34.17万元", "341700元", "341,700"; a bare number is multiplied by the
  mapping's multiplier (万元 files say 10000). Kept as Decimal yuan.
- price notes: "已降1000元" is a note on the price (the listing was cut by 1,000 yuan), never a price itself
- displacement (排量): "2.0T" (turbo), "1.5L", "1.5" (litres); "44km" is an electric range (续航), not a displacement
- gearbox (变速箱): 自动 / 手动, also AT, MT, CVT, DSG, 双离合, 手自一体
- inspection findings (检测结果): "['2处异常', '3处异常']" (one count per inspected area), "3处异常", "无异常", "[]"
- transfers (过户次数): "0次", "1次过户", "2"
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

WAN = Decimal(10000)
UNREGISTERED = "未上牌"


class ValueReadError(ValueError):
    """A value that cannot be read; the message says what is expected."""


def _clean(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", "" if text is None else str(text)))


_MILEAGE_RE = re.compile(r"^(\d+(?:\.\d+)?)(万)?(公里|km|千米)?$", re.IGNORECASE)


def parse_mileage(text: object) -> float:
    """Kilometres on the odometer (表显里程)."""
    s = _clean(text).replace(",", "")
    match = _MILEAGE_RE.match(s)
    if not match:
        raise ValueReadError("应为里程，如“1.39万公里”“13900公里”")
    km = float(Decimal(match.group(1)) * (10000 if match.group(2) else 1))
    if km > 2_000_000:
        raise ValueReadError("里程超过 200 万公里，应为表显里程，如“7.02万公里”")
    return km


@dataclass(frozen=True)
class Registration:
    """The first registration (初次上牌) as a month; ``precision`` says what the text gave."""

    month: date | None  # first day of the month; None = not registered
    precision: str  # month | year | unregistered

    @property
    def registered(self) -> bool:
        return self.month is not None


_REG_RE = re.compile(r"^((?:19|20)\d{2})(?:年|[-/.])?(?:(\d{1,2})(?:月|[-/.])?(?:(\d{1,2})日?)?)?$")


def parse_registration(text: object) -> Registration:
    """上牌时间: "2019年" (July of 2019 is assumed), "2019-10", "2019年10月", "2019-10-08", "未上牌"."""
    s = _clean(text)
    if s in (UNREGISTERED, "未上牌照", "新车未上牌"):
        return Registration(None, "unregistered")
    match = _REG_RE.match(s)
    if not match:
        raise ValueReadError("应为上牌时间，如“2019年”“2019-10”“2019年10月”，未上牌的写“未上牌”")
    year = int(match.group(1))
    if match.group(2) is None:
        return Registration(date(year, 7, 1), "year")
    month = int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueReadError("上牌月份应在 1 至 12 之间，如“2019-10”")
    if match.group(3) is not None:
        try:
            date(year, month, int(match.group(3)))
        except ValueError:
            raise ValueReadError("上牌日期不存在，应为如“2019-10-08”") from None
    return Registration(date(year, month, 1), "month")


def age_months(registration: Registration, on: date) -> int:
    """Whole months from first registration to ``on`` (0 for a car not yet registered)."""
    if registration.month is None:
        return 0
    return max(0, (on.year - registration.month.year) * 12 + on.month - registration.month.month)


_AMOUNT_RE = re.compile(r"^(\d+(?:\.\d+)?)(万元|万|元)?$")
_NOTE_RE = re.compile(r"(已降|降价|直降|已优惠)(\d+(?:\.\d+)?)(万元|万|元)?")


@dataclass(frozen=True)
class Amount:
    yuan: Decimal
    note: str = ""  # e.g. 已降1000元: a note on the price, not the price


def parse_amount(text: object, multiplier: Decimal | int = 1) -> Amount:
    """An amount in yuan; a bare number is multiplied by ``multiplier``. "已降…元" becomes a note."""
    s = _clean(text).replace(",", "").replace("¥", "").replace("￥", "")
    note = ""
    found = _NOTE_RE.search(s)
    if found:
        note = found.group(0)
        s = (s[:found.start()] + s[found.end():]).strip("，,;；()")
        if not s:
            raise ValueReadError(f"“{note}”是降价说明，不是价格：应写价格，如“28.18万”")
    match = _AMOUNT_RE.match(s)
    if not match:
        raise ValueReadError("应为金额，如“34.17万”“341700元”")
    try:
        value = Decimal(match.group(1))
    except InvalidOperation:
        raise ValueReadError("应为金额，如“34.17万”") from None
    unit = match.group(2)
    yuan = value * WAN if unit in ("万", "万元") else value if unit == "元" else value * Decimal(multiplier)
    if yuan <= 0:
        raise ValueReadError("金额应大于零")
    return Amount(yuan.quantize(Decimal("0.01")), note)


@dataclass(frozen=True)
class Displacement:
    litres: float | None
    turbo: bool = False
    electric_range_km: float | None = None


_DISP_RE = re.compile(r"^(\d+(?:\.\d+)?)(T|L|TSI|TFSI|TD|TDI)?$", re.IGNORECASE)
_RANGE_RE = re.compile(r"^(\d+(?:\.\d+)?)(km|公里)$", re.IGNORECASE)


def parse_displacement(text: object) -> Displacement:
    """排量 "2.0T" / "1.5L" / "1.5", or an electric range "44km" (续航)."""
    s = _clean(text)
    match = _RANGE_RE.match(s)
    if match:
        return Displacement(None, False, float(match.group(1)))
    match = _DISP_RE.match(s)
    if not match or not 0.5 <= float(match.group(1)) <= 8.5:
        raise ValueReadError("应为排量，如“2.0T”“1.5L”，或纯电续航，如“44km”")
    unit = (match.group(2) or "L").upper()
    return Displacement(float(match.group(1)), unit != "L")


AUTOMATIC, MANUAL = "自动", "手动"
_GEARBOX = {"自动": AUTOMATIC, "自动挡": AUTOMATIC, "AT": AUTOMATIC, "CVT": AUTOMATIC, "DSG": AUTOMATIC,
            "双离合": AUTOMATIC, "手自一体": AUTOMATIC, "AMT": AUTOMATIC, "E-CVT": AUTOMATIC,
            "手动": MANUAL, "手动挡": MANUAL, "MT": MANUAL}


def parse_gearbox(text: object) -> str:
    s = _clean(text).upper()
    for key, value in _GEARBOX.items():
        if s == key.upper():
            return value
    raise ValueReadError("应为 自动 或 手动（也可写 AT、MT、CVT、DSG、双离合、手自一体）")


@dataclass(frozen=True)
class Inspection:
    areas: int  # inspected areas with a finding
    findings: int  # findings in all


_COUNT_RE = re.compile(r"(\d+)处(?:异常|瑕疵|问题)")


def parse_inspection(text: object) -> Inspection:
    """检测结果: a list of "N处异常" per area; "[]" or "无异常" is none."""
    s = _clean(text)
    if s in ("", "[]", "无异常", "无", "0", "0处异常"):
        return Inspection(0, 0)
    counts = [int(c) for c in _COUNT_RE.findall(s)]
    rest = _COUNT_RE.sub("", s)
    if not counts or re.sub(r"[\[\]'\",，、;；]", "", rest):
        raise ValueReadError("应为检测异常的处数，如“['2处异常', '3处异常']”或“3处异常”，没有异常写“无异常”")
    return Inspection(sum(1 for c in counts if c > 0), sum(counts))


_TRANSFER_RE = re.compile(r"^(\d{1,2})次?(?:过户)?$")


def parse_transfers(text: object) -> int:
    s = _clean(text)
    if s in ("无", "无过户", "未过户"):
        return 0
    match = _TRANSFER_RE.match(s)
    if not match:
        raise ValueReadError("应为过户次数，如“0次”“1次过户”")
    return int(match.group(1))
