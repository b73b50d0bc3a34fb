"""The bulk-publishing spreadsheet (批量挂拍表): one lot per row, Chinese headers, read into lots and plans.

Every row is read and checked before anything is stored: a row whose data cannot be read, whose plan breaks a
rule (``auction.listing_plan.plan_listing``) or whose mandatory disclosures are missing
(``auction.lot.missing_disclosures``) becomes a ``RowProblem`` with the Excel row number and the reason.

Cells for disclosures: blank = not stated (a missing disclosure); ``无`` = stated, there is none. Lists are
separated by ``；`` or ``;``. A column ``内容JSON`` may carry the whole lot (``auction.lot.lot_to_dict``) instead
of the single columns (prices and schedule are still planned from the plan columns when it has no plan).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from auction import case_number as case_numbers
from auction.listing_plan import PlanRefused, parse_kind, plan_listing
from auction.lot import (
    Attachment,
    Contact,
    Encumbrance,
    EncumbranceType,
    Lease,
    Lot,
    LotDataError,
    Occupancy,
    OccupancyStatus,
    Party,
    PartyRole,
    PlanPrices,
    PriorityPurchaser,
    SurveySheet,
    TaxDisclosure,
    TaxItem,
    VehicleCheck,
    Viewing,
    lot_digest,
    lot_from_dict,
    lot_to_dict,
    missing_disclosures,
)
from auction.lot_form import (
    FIELDS,
    check_fields,
    disclosure_fields,
    normalized,
    required_missing,
    violation_field,
)
from tax_baseline.cells import neutralize_row
from tax_baseline.money import yuan_text
from tax_baseline.typed_dates import InvalidDate, parse_date, parse_datetime

# header -> meaning; the first group is required in every row.
REQUIRED_COLUMNS = ("标的编号", "案号", "执行法院", "标的名称", "标的物类型", "拍卖轮次", "参考价（元）", "公告日期")
COLUMNS = REQUIRED_COLUMNS + (
    "参考价依据", "前次起拍价（元）", "流拍日期", "起拍价（元）", "保证金（元）", "加价幅度（元）",
    "所在地", "标的物介绍", "执行依据", "联系人", "联系电话", "申请执行人", "被执行人", "当事人通知日期",
    "优先购买权人", "占有使用情况", "占有人", "是否腾空", "租赁情况", "权利负担", "已知瑕疵", "税费承担", "税费明细",
    "看样安排", "看样电话", "照片",
    "车牌号", "车架号", "登记核查日期", "登记状态", "排放标准", "行驶里程（公里）", "交通违法",
    "房屋性质", "用途", "建筑面积（平方米）", "总楼层", "所在楼层", "建成年份", "朝向", "户型", "每单元电梯数",
    "土地剩余年限", "勘验日期",
    "内容JSON",
)
NONE_WORDS = {"无", "没有", "none", "-"}
_SPLIT = re.compile(r"[；;\n]")
_OCCUPANCY = {s.label: s for s in OccupancyStatus} | {s.value: s for s in OccupancyStatus}
_ENCUMBRANCE = {t.label: t for t in EncumbranceType} | {t.value: t for t in EncumbranceType}


@dataclass(frozen=True)
class RowProblem:
    row: int
    lot_code: str | None
    reason: str


@dataclass(frozen=True)
class PreparedLot(PlanPrices):
    """A row read, planned and checked: the domain lot (plan included), ready to store and publish."""

    row: int
    lot: Lot

    @property
    def court_code(self) -> str:
        return case_numbers.parse(self.lot.case_number).court_code

    @property
    def lot_code(self) -> str:
        return self.lot.lot_id

    @property
    def round(self) -> str:
        return str(self.lot.plan.round.value)

    @property
    def content(self) -> dict[str, Any]:
        return lot_to_dict(self.lot)

    @property
    def content_sha256(self) -> str:
        return lot_digest(self.lot)


def restore_lot(content: dict[str, Any]) -> Lot:
    return lot_from_dict(content)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # A number typed into Excel is stored as a double; its shortest round-trip text (repr) is what was typed
        # (up to 15 significant digits), so amounts stay exact. More than 15 digits cannot be trusted.
        text = repr(value)
        if "e" in text or len(text.replace("-", "").replace(".", "").lstrip("0")) > 15:
            raise ValueError(f"数值“{value}”超出 Excel 能精确保存的位数，请以文本填写（如 1200000.00）")
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _list(value: str) -> list[str] | None:
    if not value:
        return None
    if value.lower() in NONE_WORDS:
        return []
    return [part.strip() for part in _SPLIT.split(value) if part.strip()]


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return parse_date(value, f"“{name}”的值")
    except InvalidDate as exc:
        try:
            return parse_datetime(value).date()  # a date cell that carries a time of day
        except InvalidDate:
            raise ValueError(str(exc).removesuffix("。")) from None


def _int(value: str, name: str) -> int | None:
    if not value:
        return None
    try:
        return int(Decimal(value))
    except ArithmeticError:
        raise ValueError(f"“{name}”的值“{value}”不是整数") from None


def _yes_no(value: str, name: str) -> bool | None:
    if not value:
        return None
    if value in ("是", "已腾空", "yes", "true", "1"):
        return True
    if value in ("否", "未腾空", "no", "false", "0"):
        return False
    raise ValueError(f"“{name}”应填“是”或“否”，收到“{value}”")


def _lot_from_columns(cells: dict[str, str]) -> Lot:
    kind = cells["标的物类型"]
    contacts = [Contact(cells["联系人"], cells["联系电话"], "承办人")] if cells["联系人"] else []
    notified = _date(cells["当事人通知日期"], "当事人通知日期")
    parties = []
    for role, column in ((PartyRole.APPLICANT, "申请执行人"), (PartyRole.DEBTOR, "被执行人")):
        for name in _list(cells[column]) or []:
            parties.append(Party(role, name, notified_on=notified))
    purchasers = None
    listed = _list(cells["优先购买权人"])
    if listed is not None:
        purchasers = []
        for entry in listed:  # 姓名/权利/顺位
            parts = [p.strip() for p in entry.split("/")]
            rank = _int(parts[2], "优先购买权人顺位") if len(parts) > 2 else 1
            purchasers.append(PriorityPurchaser(parts[0], parts[1] if len(parts) > 1 else "", rank or 1,
                                                notified_on=notified))
    occupancy = None
    if cells["占有使用情况"]:
        status = _OCCUPANCY.get(cells["占有使用情况"])
        if status is None:
            raise ValueError(f"“占有使用情况”应为：{'、'.join(s.label for s in OccupancyStatus)}")
        occupancy = Occupancy(status, cells["占有人"], _yes_no(cells["是否腾空"], "是否腾空"))
    leases = None
    listed = _list(cells["租赁情况"])
    if listed is not None:
        leases = [Lease(tenant=t) for t in listed]
    encumbrances = None
    listed = _list(cells["权利负担"])
    if listed is not None:
        encumbrances = []
        for entry in listed:  # 抵押:XX银行
            label, _, holder = entry.partition(":") if ":" in entry else entry.partition("：")
            kind_of = _ENCUMBRANCE.get(label.strip())
            if kind_of is None:
                raise ValueError(f"“权利负担”的“{entry}”应写成 类型:权利人，类型为"
                                 f"{'、'.join(t.label for t in EncumbranceType)}")
            encumbrances.append(Encumbrance(kind_of, holder.strip()))
    taxes = None
    if cells["税费承担"]:
        items = []
        for entry in _list(cells["税费明细"]) or []:  # 契税:买受人
            name, _, payer = entry.partition(":") if ":" in entry else entry.partition("：")
            items.append(TaxItem(name.strip(), payer.strip() or "依法由相应主体承担"))
        taxes = TaxDisclosure(cells["税费承担"], items)
    viewing = Viewing(cells["看样安排"], phone=cells["看样电话"]) if cells["看样安排"] else None
    photos = [Attachment(Path(p).stem, p) for p in (_list(cells["照片"]) or [])]
    vehicle = None
    if kind in ("vehicle", "机动车", "车辆"):
        vehicle = VehicleCheck(
            plate_number=cells["车牌号"], vin=cells["车架号"],
            registration_checked_on=_date(cells["登记核查日期"], "登记核查日期"),
            registration_status=cells["登记状态"], emission_standard=cells["排放标准"],
            mileage_km=_int(cells["行驶里程（公里）"], "行驶里程（公里）"), violations=_list(cells["交通违法"]))
    survey = None
    if kind in ("real_estate", "不动产", "房产"):
        area = cells["建筑面积（平方米）"]
        survey = SurveySheet(
            property_nature=cells["房屋性质"], use=cells["用途"], building_area_m2=Decimal(area) if area else None,
            total_floors=_int(cells["总楼层"], "总楼层"), floor=_int(cells["所在楼层"], "所在楼层"),
            year_built=_int(cells["建成年份"], "建成年份"), orientation=cells["朝向"], layout=cells["户型"],
            lifts_per_unit=_int(cells["每单元电梯数"], "每单元电梯数"), remaining_land_term=cells["土地剩余年限"],
            inspected_on=_date(cells["勘验日期"], "勘验日期"))
    return Lot(
        lot_id=cells["标的编号"], case_number=cells["案号"], court_name=cells["执行法院"], title=cells["标的名称"],
        kind=kind if kind in ("real_estate", "vehicle", "movable", "equity", "other_right") else _kind(kind),
        address=cells["所在地"], description=cells["标的物介绍"], contacts=contacts, parties=parties,
        enforcement_basis=cells["执行依据"], reference_price_basis=cells["参考价依据"],
        priority_purchasers=purchasers, occupancy=occupancy, leases=leases, encumbrances=encumbrances,
        known_defects=_list(cells["已知瑕疵"]), taxes=taxes, viewing=viewing, photos=photos, survey=survey,
        vehicle=vehicle)


def _kind(text: str):
    return parse_kind(text)


def prepare_row(row: int, cells: dict[str, str], today: date | None = None, *,
                require_disclosures: bool = True, photos: Sequence[Attachment] | None = None) -> PreparedLot:
    """One row → a planned, checked lot; raises ``ValueError`` (Chinese reason) when the row is not usable.

    Every field's type and range is checked first (``auction.lot_form.check_fields``: all reasons at once).
    ``require_disclosures=False`` (a lot typed into the form, kept as a draft) lets a lot with missing
    disclosures through; publishing refuses it until they are there. ``photos`` (uploaded files) replace the
    column 照片."""
    missing_required = [c for c in REQUIRED_COLUMNS if not cells.get(c)]
    if missing_required and not cells.get("内容JSON"):
        raise ValueError(f"缺少必填项：{'、'.join(missing_required)}")
    refused = check_fields({c: v for c, v in cells.items() if c != "内容JSON"}, today, choices=False)
    if refused:
        raise ValueError("；".join(reason.removesuffix("。") for reason in refused.values()))
    if cells.get("内容JSON"):
        try:
            data = json.loads(cells["内容JSON"])
        except ValueError as exc:
            raise ValueError(f"“内容JSON”不是有效的 JSON：{exc}") from None
        lot = lot_from_dict(data)
    else:
        lot = _lot_from_columns(cells)
    if lot.plan is None:
        announce_on = _date(cells["公告日期"], "公告日期")
        if today is not None and announce_on < today:
            raise ValueError(f"公告日期 {announce_on} 已过（今天 {today}），应为今天或以后")
        lot.plan = plan_listing(
            cells["参考价（元）"], lot.kind, cells["拍卖轮次"], announce_on,
            previous_starting_price=cells.get("前次起拍价（元）") or None,
            failed_on=_date(cells.get("流拍日期", ""), "流拍日期"),
            starting_price=cells.get("起拍价（元）") or None, deposit=cells.get("保证金（元）") or None,
            bid_increment=cells.get("加价幅度（元）") or None)
        lot.reference_price_fen = lot.plan.reference_price_fen
    if photos is not None:
        lot.photos = list(photos)
    missing = missing_disclosures(lot)
    if missing and require_disclosures:
        raise ValueError(f"缺少必须披露的事项：{'、'.join(missing)}")
    case_numbers.parse(lot.case_number)  # the court code comes from it: refused here, with the row's number
    return PreparedLot(row=row, lot=lot)


def read_rows(path: str | Path) -> tuple[list[tuple[int, dict[str, str]]], list[RowProblem]]:
    """The non-empty rows of the first sheet (or of a CSV in UTF-8 or GBK) as (row number, header → text)."""
    if Path(path).suffix.lower() == ".csv":
        return _rows_of(iter(_csv_rows(Path(path))))
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises several types, in English, for a file that is not a workbook
        return [], [RowProblem(1, None, "无法读取表格：应为 .xlsx 文件（文件已损坏，或只是改了扩展名）；"
                                        "请用 Excel 或 WPS 另存为 .xlsx，或上传 .csv")]
    try:
        return _rows_of(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def _csv_rows(path: Path) -> list[tuple]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [tuple(v if v != "" else None for v in row) for row in csv.reader(io.StringIO(text))]
    return [("（编码无法识别）",)]


def _rows_of(rows) -> tuple[list[tuple[int, dict[str, str]]], list[RowProblem]]:
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing and "内容JSON" not in header:
        return [], [RowProblem(1, None, f"表头缺少列：{'、'.join(missing)}（请使用 lots template 生成的模板）")]
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        return [], [RowProblem(1, None, f"表头有未知的列：{'、'.join(unknown)}；可用的列见 lots template")]
    out = []
    problems = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        try:
            cells = {c: "" for c in COLUMNS}
            cells.update({h: _text(v) for h, v in zip(header, values, strict=False) if h})
        except ValueError as exc:
            problems.append(RowProblem(number, None, str(exc)))
            continue
        out.append((number, cells))
    return out, problems


def read_sheet(path: str | Path, today: date | None = None) -> tuple[list[PreparedLot], list[RowProblem]]:
    """Read and check every row; returns the good lots and one problem per bad row (both in row order)."""
    rows, problems = read_rows(path)
    prepared: list[PreparedLot] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, cells in rows:
        code = cells.get("标的编号") or None
        lot, problem = _checked_row(number, cells, today)
        if problem is not None:
            problems.append(problem)
            continue
        key = (lot.court_code, lot.lot_code, lot.round)
        if key in seen:
            problems.append(RowProblem(number, code, f"与第 {seen[key]} 行是同一标的、同一轮次（重复）"))
            continue
        seen[key] = number
        prepared.append(lot)
    if not rows and not problems:
        problems.append(RowProblem(2, None, "表中没有标的（第 2 行起每行一个标的）"))
    return prepared, sorted(problems, key=lambda p: p.row)


def _checked_row(number: int, cells: dict[str, str], today: date | None) -> tuple[PreparedLot | None,
                                                                               RowProblem | None]:
    try:
        return prepare_row(number, cells, today), None
    except (PlanRefused, ValueError, LotDataError, case_numbers.InvalidCaseNumber) as exc:
        return None, RowProblem(number, cells.get("标的编号") or None, str(exc))


@dataclass
class FormCheck:
    """A lot typed into the guided form, checked: the lot when it can be planned, every field's problem beside
    the field (column → reason), problems of no one field, and what publishing still needs (disclosure name,
    column of its field)."""

    lot: PreparedLot | None
    field_problems: dict[str, str]
    general: list[str]
    missing: list[tuple[str, str]]

    @property
    def ok(self) -> bool:
        return self.lot is not None and not self.field_problems and not self.general

    def problems(self) -> list[RowProblem]:
        code = self.lot.lot_code if self.lot else None
        return [RowProblem(1, code, r) for r in (*self.field_problems.values(), *self.general)]


def check_form(values: dict[str, Any], today: date | None = None,
               photos: Sequence[Attachment] | None = None) -> FormCheck:
    """The guided form's values → the lot, as a draft: every field checked at once (type, range, choice), then
    the fields a plan needs, then the plan's rules (each broken rule beside the field that mends it). Missing
    disclosures do not stop a draft; they are listed for publishing."""
    unknown = [name for name in values if name not in COLUMNS]
    if unknown:
        return FormCheck(None, {}, [f"未知的字段：{'、'.join(unknown)}"], [])
    try:
        cells = {c: "" for c in COLUMNS} | normalized({name: _text(value) for name, value in values.items()})
    except ValueError as exc:
        return FormCheck(None, {}, [str(exc)], [])
    kind = cells.get("标的物类型", "")
    for f in FIELDS:  # a field of another kind (left in the form when the kind changed) is not read
        if not f.applies_to(kind):
            cells[f.column] = ""
    problems = required_missing(cells) | check_fields(cells, today)
    if problems:
        return FormCheck(None, problems, [], [])
    try:
        lot = prepare_row(1, cells, today, require_disclosures=False, photos=photos)
    except PlanRefused as exc:
        found: dict[str, str] = {}
        for v in exc.violations:
            column = violation_field(v.code)
            found[column] = (found[column] + "；" if column in found else "") + str(v)
        return FormCheck(None, found, [], [])
    except (ValueError, LotDataError, case_numbers.InvalidCaseNumber) as exc:
        message = str(exc)
        column = next((c for c in ("前次起拍价（元）", "案号") if c.removesuffix("（元）") in message), "")
        if column:
            return FormCheck(None, {column: message}, [], [])
        return FormCheck(None, {}, [message], [])
    return FormCheck(lot, {}, [], disclosure_fields(missing_disclosures(lot.lot)))


def read_form(values: dict[str, Any], today: date | None = None) -> tuple[PreparedLot | None, list[RowProblem]]:
    """One lot typed into a form with the sheet's columns: the same checks and the same Chinese reasons as a sheet
    row (``read_sheet``), every disclosure required; unknown fields are refused, empty ones are blanks."""
    unknown = [name for name in values if name not in COLUMNS]
    if unknown:
        return None, [RowProblem(1, None, f"未知的字段：{'、'.join(unknown)}；可用的字段见 lots template")]
    try:
        cells = {c: "" for c in COLUMNS} | {name: _text(value) for name, value in values.items()}
    except ValueError as exc:
        return None, [RowProblem(1, None, str(exc))]
    lot, problem = _checked_row(1, cells, today)
    return lot, [problem] if problem else []


def form_values(lot: Lot) -> dict[str, str]:
    """A stored lot back as the form's values (to edit a lot that came from a sheet): the inverse of the columns."""
    plan = lot.plan
    v: dict[str, str] = {c: "" for c in COLUMNS if c != "内容JSON"}

    def listed(items: list | None, fmt=str) -> str:
        if items is None:
            return ""
        return "；".join(fmt(i) for i in items) if items else "无"

    v.update({"标的编号": lot.lot_id, "案号": lot.case_number, "执行法院": lot.court_name, "标的名称": lot.title,
              "标的物类型": str(lot.kind.value), "所在地": lot.address, "标的物介绍": lot.description,
              "执行依据": lot.enforcement_basis, "参考价依据": lot.reference_price_basis})
    if plan is not None:
        v.update({"拍卖轮次": str(plan.round.value), "参考价（元）": yuan_text(plan.reference_price_fen),
                  "公告日期": plan.announce_on.isoformat(), "起拍价（元）": yuan_text(plan.starting_price_fen),
                  "保证金（元）": yuan_text(plan.deposit_fen), "加价幅度（元）": yuan_text(plan.bid_increment_fen)})
        if plan.previous_starting_price_fen:
            v["前次起拍价（元）"] = yuan_text(plan.previous_starting_price_fen)
        if plan.failed_on:
            v["流拍日期"] = plan.failed_on.isoformat()
    if lot.contacts:
        v["联系人"], v["联系电话"] = lot.contacts[0].name, lot.contacts[0].phone
    for role, column in ((PartyRole.APPLICANT, "申请执行人"), (PartyRole.DEBTOR, "被执行人")):
        v[column] = "；".join(p.name for p in lot.parties if p.role is role)
    notified = next((p.notified_on for p in lot.parties if p.notified_on), None)
    v["当事人通知日期"] = notified.isoformat() if notified else ""
    v["优先购买权人"] = listed(lot.priority_purchasers, lambda p: f"{p.name}/{p.right}/{p.rank}")
    if lot.occupancy is not None:
        v["占有使用情况"] = lot.occupancy.status.label
        v["占有人"] = lot.occupancy.occupant
        v["是否腾空"] = "" if lot.occupancy.vacated is None else ("是" if lot.occupancy.vacated else "否")
    v["租赁情况"] = listed(lot.leases, lambda lease: lease.tenant)
    v["权利负担"] = listed(lot.encumbrances, lambda e: f"{e.type.label}:{e.holder}")
    v["已知瑕疵"] = listed(lot.known_defects)
    if lot.taxes is not None:
        v["税费承担"] = lot.taxes.summary
        v["税费明细"] = "；".join(f"{i.name}:{i.payer}" for i in lot.taxes.items)
    if lot.viewing is not None:
        v["看样安排"], v["看样电话"] = lot.viewing.arrangement, lot.viewing.phone
    s = lot.survey
    if s is not None:
        v.update({"房屋性质": s.property_nature, "用途": s.use,
                  "建筑面积（平方米）": str(s.building_area_m2) if s.building_area_m2 is not None else "",
                  "总楼层": _num(s.total_floors), "所在楼层": _num(s.floor), "建成年份": _num(s.year_built),
                  "朝向": s.orientation, "户型": s.layout, "每单元电梯数": _num(s.lifts_per_unit),
                  "土地剩余年限": s.remaining_land_term,
                  "勘验日期": s.inspected_on.isoformat() if s.inspected_on else ""})
    c = lot.vehicle
    if c is not None:
        v.update({"车牌号": c.plate_number, "车架号": c.vin, "登记状态": c.registration_status,
                  "登记核查日期": c.registration_checked_on.isoformat() if c.registration_checked_on else "",
                  "排放标准": c.emission_standard, "行驶里程（公里）": _num(c.mileage_km),
                  "交通违法": listed(c.violations)})
    return v


def _num(value: int | None) -> str:
    return "" if value is None else str(value)


def write_sheet(path: str | Path, rows: Iterable[dict[str, Any]], columns: Sequence[str] = COLUMNS) -> None:
    """Write a bulk sheet (the template when ``rows`` is empty). Amounts should be text (exact)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("批量挂拍")
    sheet.append(list(columns))
    for row in rows:
        sheet.append(neutralize_row(row.get(c, "") for c in columns))
    workbook.save(path)
