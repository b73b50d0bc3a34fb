"""The vehicle service (车辆估价): calibrate a vehicle table from a records file, activate it, quote a vehicle for a
judge, price a file, study a table; every quote and every refusal written to the ledger.

Legal footing: a vehicle quote is a network-inquiry-style result from used-car trading data (参考价规定
第二条、第五条), usable in a case as a 定向询价 reference; every query, answered or refused, is traceable
(RULES.md section 1: 过程可溯、责任可追). A table version becomes the one quotes use only by an explicit
activation, written to the ledger with who did it, like the housing tables (``xunpai/services/baseline.py``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from threading import Lock

import numpy as np
import pandas as pd

from auction.case_number import parse as parse_case_number
from tax_baseline.limits import LimitRefused, check_count, check_hours
from valuation.mapping import MappingError
from valuation.ratio_study import RatioStudyError
from valuation.transactions import RowError
from vehicles.batch import PRICED, price_vehicles
from vehicles.cities import CITIES as CITY_TABLE
from vehicles.depreciation import ModelError, VehicleTable, fit_depreciation, from_tables
from vehicles.quote import VehicleQuote, VehicleQuoteEngine
from vehicles.records import distinct_listings, import_vehicle_records, load_vehicle_mapping
from vehicles.study import VehicleStudy, study_table
from vehicles.subject import VehicleQuery, VehicleQuoteError
from vehicles.values import ValueReadError, parse_mileage
from xunpai.services import inquiry as inquiry_service
from xunpai.services.inquiry import InquiryRefused
from xunpai.services.receipts import PublicCheck, is_intact
from xunpai.storage import ledger
from xunpai.storage.models.accounts import User
from xunpai.storage.models.vehicles import FRAME_COLUMNS, VehicleTableVersion
from xunpai.storage.repositories import vehicles as repo
from xunpai.storage.unit_of_work import UnitOfWork

QUOTE_KIND, BATCH_KIND, REFUSED_KIND = "vehicle.quote", "vehicle.batch", "vehicle.refused"
OBSERVED_IN_LEDGER = 300  # the series' records drawn on the chart, at most this many kept in the entry
PUBLIC_FIELDS = ("name", "registration", "mileage_km", "city", "valuation_date", "new_price", "value", "retention",
                 "version", "method")
STATUS_NAMES = {"draft": "草稿", "active": "启用中", "retired": "已停用"}


class VehicleError(ValueError):
    """A version that does not exist, already exists or cannot be activated; a file that cannot be calibrated."""


def _quote_summary(payload: dict) -> str:
    r = payload.get("result", {})
    return (f"{r.get('name', '')}，上牌 {r.get('registration', '')}，{float(r.get('mileage_km') or 0) / 10000:.2f} 万公里，"
            f"估价 {r.get('value')} 元（车辆表 {r.get('version', '')}）")


def _refused_summary(payload: dict) -> str:
    name = payload.get("inputs", {}).get("name", "")
    return f"拒绝：{payload.get('reason', '')}" + (f"（{name}）" if name else "")


def _batch_summary(payload: dict) -> str:
    return (f"车辆文件 {payload.get('file', '')}，共 {payload.get('rows')} 行，估价 {payload.get('ok')} 行，"
            f"未估价 {payload.get('refused')} 行，合计 {payload.get('total_value')} 元")


ledger.register_kind(QUOTE_KIND, "车辆估价", _quote_summary)
ledger.register_kind(BATCH_KIND, "车辆批量估价", _batch_summary)
ledger.register_kind(REFUSED_KIND, "车辆估价被拒绝", _refused_summary)
ledger.register_kind("vehicles.calibrate", "校准车辆表")
ledger.register_kind("vehicles.activate", "启用车辆表版本")


# ---------------------------------------------------------------- versions

def _admin(session, actor: str) -> User:
    user = repo.user_by_name(session, actor or "")
    if user is None or not user.active:
        raise VehicleError(f"用户“{actor}”不存在或已停用：车辆表须由系统管理员校准和启用。")
    if user.role != "admin":
        raise VehicleError(f"用户“{actor}”不是系统管理员：车辆表须由系统管理员校准和启用。")
    return user


def _dtype_of(series: pd.Series):
    if isinstance(series.dtype, pd.CategoricalDtype):
        return {"category": [str(c) for c in series.cat.categories]}
    return str(series.dtype)


def _restore(frame: pd.DataFrame, dtypes: dict) -> pd.DataFrame:
    for column, dtype in dtypes.items():
        if isinstance(dtype, dict):
            frame[column] = pd.Categorical(frame[column], categories=dtype["category"])
        elif dtype == "object":
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
        else:
            frame[column] = frame[column].astype(dtype)
    return frame


def save_table(uow: UnitOfWork, table: VehicleTable, name: str, *, source: str = "", actor: str = "",
               note: str = "") -> VehicleTableVersion:
    """Store a fitted table as a new draft version (immutable; nothing stored on any error)."""
    with uow:
        session = uow.session
        _admin(session, actor)
        name = (name or "").strip()
        if not name:
            raise VehicleError("请为车辆表版本命名，如 车辆-2026-10。")
        if repo.version_by_name(session, name) is not None:
            raise VehicleError(f"车辆表版本“{name}”已存在；版本一经保存不可修改，请换一个版本名。")
        frames = table.tables()
        dtypes = {}
        for frame_name, frame in frames.items():
            expected = [c for c, _ in FRAME_COLUMNS[frame_name]]
            if list(frame.columns) != expected:
                raise VehicleError(f"车辆表的“{frame_name}”表列不符：应为 {'、'.join(expected)}")
            dtypes[frame_name] = {c: _dtype_of(frame[c]) for c in expected}
        statistics = json.loads(ledger.canonical_json(table.statistics))
        version = repo.add_version(session, VehicleTableVersion(
            name=name, status="draft", source=source, note=note, created_by=actor, created_at=ledger.now_local(),
            row_counts={k: int(len(f)) for k, f in frames.items()}, statistics=statistics, dtypes=dtypes))
        for frame_name, frame in frames.items():
            repo.insert_frame(session, version.id, frame_name, frame)
        ledger.append(session, "vehicles.calibrate", {"version": name, "source": source, "rows": version.row_counts,
                                                      "statistics": {k: statistics.get(k) for k in (
                                                          "as_of", "records", "series", "in_sample_mdape")}},
                      actor=actor, purpose="校准车辆表")
        uow.commit()
        return version


def _version(session, name: str | None) -> VehicleTableVersion:
    if name is None:
        version = repo.active_version(session)
        if version is None:
            raise VehicleError("还没有启用的车辆表版本：请先校准（xunpai vehicle calibrate）并启用（xunpai vehicle activate）。")
        return version
    version = repo.version_by_name(session, name)
    if version is None:
        known = "、".join(v.name for v in repo.all_versions(session)) or "（无）"
        raise VehicleError(f"没有名为“{name}”的车辆表版本。现有版本：{known}")
    return version


def get_version(uow: UnitOfWork, name: str | None = None) -> VehicleTableVersion:
    with uow:
        return _version(uow.session, name)


_tables: dict[tuple, VehicleTable] = {}
_tables_lock = Lock()


def _load(session, version: VehicleTableVersion) -> VehicleTable:
    key = (version.id, version.name, version.created_at)
    with _tables_lock:
        table = _tables.get(key)
    if table is None:
        frames = {name: _restore(repo.read_frame(session, version.id, name), version.dtypes[name])
                  for name in FRAME_COLUMNS}
        table = from_tables(frames, version.statistics, name=version.name)
        with _tables_lock:
            if len(_tables) > 4:
                _tables.clear()
            _tables[key] = table
    return table


def load_table(uow: UnitOfWork, name: str | None = None) -> VehicleTable:
    """A version (``None``: the active one) read back as the ``VehicleTable`` that was fitted."""
    with uow:
        session = uow.session
        return _load(session, _version(session, name))


def activate(uow: UnitOfWork, name: str, actor: str) -> VehicleTableVersion:
    """Make ``name`` the version quotes use (the previous one retired); written to the ledger."""
    with uow:
        session = uow.session
        _admin(session, actor)
        version = _version(session, name)
        if version.status == "active":
            raise VehicleError(f"车辆表版本“{name}”已经是启用状态。")
        previous = repo.active_version(session)
        if previous is not None:
            previous.status = "retired"
            session.flush()
        version.status = "active"
        version.activated_at = ledger.now_local()
        version.activated_by = actor
        session.flush()
        ledger.append(session, "vehicles.activate", {"version": name, "previous": previous.name if previous else None},
                      actor=actor, purpose="启用车辆表版本")
        uow.commit()
        return version


def list_versions(uow: UnitOfWork) -> list[VehicleTableVersion]:
    with uow:
        return repo.all_versions(uow.session)


@dataclass
class Calibration:
    version: VehicleTableVersion
    table: VehicleTable
    rows_read: int
    records: int  # distinct listings fitted
    errors: list[RowError] = field(default_factory=list)


def read_records(records_path: str | Path, mapping_path: str | Path):
    """A records file read through a vehicle mapping (refused rows reported, not guessed)."""
    try:
        return import_vehicle_records(records_path, load_vehicle_mapping(mapping_path))
    except MappingError as exc:
        raise VehicleError("列映射或数据文件有误：" + "；".join(getattr(exc, "errors", [str(exc)]))) from None
    except (OSError, ValueError) as exc:
        raise VehicleError(f"无法读取数据文件“{Path(records_path).name}”：{exc}") from None


def calibrate(uow: UnitOfWork, records_path: str | Path, mapping_path: str | Path, *, name: str, actor: str,
              as_of: date | None = None, source: str = "") -> Calibration:
    """Read the records through the mapping, fit the depreciation model, store it as a draft version."""
    with uow:
        _admin(uow.session, actor)
        if repo.version_by_name(uow.session, (name or "").strip()) is not None:
            raise VehicleError(f"车辆表版本“{name}”已存在；版本一经保存不可修改，请换一个版本名。")
        imported = read_records(records_path, mapping_path)
        records = distinct_listings(imported.records)
        if records.empty:
            raise VehicleError(f"文件中没有可用的车辆记录（读取 {imported.rows_read} 行，拒绝 {imported.rows_refused} 行）。")
        as_of = as_of or max(records["date"])
        try:
            table = fit_depreciation(records, as_of, name=name)
        except ModelError as exc:
            raise VehicleError(str(exc)) from None
        version = save_table(uow, table, name, source=source or Path(records_path).name, actor=actor,
                             note=f"读取 {imported.rows_read} 行，拒绝 {imported.rows_refused} 行，去重后 {len(records)} 条")
        uow.commit()
        return Calibration(version, table, imported.rows_read, len(records), imported.errors)


def ratio_study(uow: UnitOfWork, records_path: str | Path, mapping_path: str | Path, *, version: str | None = None,
                bootstrap: int = 500, seed: int = 0) -> VehicleStudy:
    """The IAAO statistics, MdAPE, PPE10 and coverage of a version on records it did not see."""
    table = load_table(uow, version)
    imported = read_records(records_path, mapping_path)
    records = distinct_listings(imported.records)
    try:
        return study_table(table, records, bootstrap=bootstrap, seed=seed)
    except RatioStudyError as exc:
        raise VehicleError(str(exc)) from None


# ---------------------------------------------------------------- quotes

@dataclass(frozen=True)
class VehicleInquiry:
    quote: VehicleQuote
    ledger_seq: int
    verification_code: str
    case_number: str
    purpose: str
    user: str
    recorded_at: datetime


def _inputs(query: VehicleQuery) -> dict:
    return {"name": query.name, "registration": str(query.registration), "mileage": str(query.mileage),
            "city": query.city, "valuation_date": query.valuation_date.isoformat(),
            "new_price": "" if query.new_price in (None, "") else str(query.new_price),
            "gearbox": query.gearbox or "", "fuel": query.fuel or "", "inspection": query.inspection or ""}


def _refuse(uow: UnitOfWork, user: User, case_number: str, purpose: str, inputs: dict, reason: str, now: datetime,
            **details) -> InquiryRefused:
    return inquiry_service.refuse(uow, user, case_number, purpose, inputs, reason, now, kind=REFUSED_KIND, **details)


def _user(session, user: User | int) -> User:
    found = user if isinstance(user, User) else repo.user_by_id(session, user)
    if found is None:
        raise VehicleError("用户不存在。")
    return found


def _checked(uow: UnitOfWork, user: User, case_number: str, purpose: str, inputs: dict, now: datetime) -> str:
    """案号, purpose and role, each refusal in the ledger, as the flat's quote; and the court: a judge values
    vehicles only for the cases of their own court (the court code is part of the case number, RULES.md
    section 8)."""
    canonical = inquiry_service.checked_case(uow, user, case_number, purpose, inputs, now, kind=REFUSED_KIND,
                                             purpose_example="确定财产处置参考价", forbidden="只有执行法官可以为车辆估价。")
    court = parse_case_number(canonical).court_code
    if user.court_code != court:
        raise _refuse(uow, user, canonical, purpose, inputs,
                      f"案号 {canonical} 属于法院 {court}，本账户属于 {user.court_code or '（未归属法院）'}：只能为本院案件估价。",
                      now, code="forbidden")
    return canonical


def _limits(uow: UnitOfWork, user: User, case_number: str, purpose: str, inputs: dict, now: datetime) -> None:
    policy = inquiry_service.policy_for(uow, user)
    ledger.lock(uow.session)  # the day's count must not change between the check and the entry
    try:
        check_hours(policy, now)
        # a batch needs one of the day's queries per vehicle (inputs["rows"]); a quote one
        check_count(policy, inquiry_service.used_today(uow, user, now), requested=max(1, int(inputs.get("rows", 1))))
    except LimitRefused as exc:
        raise _refuse(uow, user, case_number, purpose, inputs, exc.message, now, limit=exc.limit,
                      code="limit") from None


def _ledger_result(quote: VehicleQuote) -> dict:
    result = quote.to_dict()
    observed = result["curve"]["observed"]
    result["curve"]["observed_total"] = len(observed)
    if len(observed) > OBSERVED_IN_LEDGER:
        keep = np.unique(np.linspace(0, len(observed) - 1, OBSERVED_IN_LEDGER).round().astype(int))
        result["curve"]["observed"] = [observed[i] for i in keep]
    result["version"] = quote.table_name
    return result


def quote_for_user(uow: UnitOfWork, user: User | int, query: VehicleQuery, *, case_number: str, purpose: str,
                   now: datetime | None = None, subject: dict | None = None) -> VehicleInquiry:
    """Value one vehicle for a judge: 案号, purpose, role, limits, quote, ledger entry; or a logged refusal.

    ``subject``: the seized vehicle the quote is for (``{"kind": "lot" | "custody", "id": …, "label": …}``, from
    :func:`vehicle_subject`), recorded in the entry so that its lot page finds the quote."""
    with uow:
        session = uow.session
        user = _user(session, user)
        now = now or ledger.now_local()
        inputs = _inputs(query)
        if subject:
            inputs["subject"] = {k: subject[k] for k in ("kind", "id", "label")}
        case_number = _checked(uow, user, case_number, purpose, inputs, now)
        if query.valuation_date > now.date():
            raise _refuse(uow, user, case_number, purpose, inputs,
                          f"估价日期 {query.valuation_date.isoformat()} 晚于今天 {now.date().isoformat()}：应为今天或以前的日期。",
                          now, code="invalid_input")
        try:
            table = _load(session, _version(session, None))
        except VehicleError as exc:
            raise _refuse(uow, user, case_number, purpose, inputs, str(exc), now, code="no_tables") from None
        _limits(uow, user, case_number, purpose, inputs, now)
        try:
            quote = VehicleQuoteEngine(table).quote(query)
        except VehicleQuoteError as exc:
            raise _refuse(uow, user, case_number, purpose, inputs, str(exc), now, code=exc.code,
                          candidates=exc.candidates) from None
        entry = ledger.append(session, QUOTE_KIND, {"inputs": inputs, "result": _ledger_result(quote)},
                              actor=user.username, court_code=inquiry_service.court_of(user, case_number), case_number=case_number,
                              purpose=purpose, recorded_at=now)
        answer = VehicleInquiry(quote, entry.seq, ledger.verification_code(entry.hash), case_number, purpose,
                                user.username, now)
        uow.commit()
        return answer


@dataclass(frozen=True)
class VehicleBatch:
    results: pd.DataFrame
    ok: int
    refused: int
    ledger_seq: int
    verification_code: str


def batch_for_user(uow: UnitOfWork, user: User | int, vehicles: pd.DataFrame, *, case_number: str, purpose: str,
                   valuation_date: date | None = None, now: datetime | None = None,
                   source_name: str = "") -> VehicleBatch:
    """Price a file of vehicles for a judge; each vehicle counts as one query, every row gets 状态 and 原因."""
    with uow:
        session = uow.session
        user = _user(session, user)
        now = now or ledger.now_local()
        on = valuation_date or now.date()
        inputs = {"file": source_name, "rows": int(len(vehicles)), "valuation_date": on.isoformat()}
        case_number = _checked(uow, user, case_number, purpose, inputs, now)
        try:
            table = _load(session, _version(session, None))
        except VehicleError as exc:
            raise _refuse(uow, user, case_number, purpose, inputs, str(exc), now, code="no_tables") from None
        _limits(uow, user, case_number, purpose, inputs, now)
        try:
            results = price_vehicles(table, vehicles, on)
        except ValueError as exc:
            raise _refuse(uow, user, case_number, purpose, inputs, str(exc), now, code="invalid_input") from None
        ok = int((results["状态"] == PRICED).sum())
        digest = hashlib.sha256(results.to_csv(index=False).encode("utf-8")).hexdigest()
        total = sum((Decimal(int(v)) for v in results.loc[results["状态"] == PRICED, "估价(元)"]), Decimal(0))
        entry = ledger.append(session, BATCH_KIND,
                              {**inputs, "ok": ok, "refused": int(len(results) - ok), "result_sha256": digest,
                               "total_value": str(total), "version": table.name},
                              actor=user.username, court_code=inquiry_service.court_of(user, case_number), case_number=case_number,
                              purpose=purpose, recorded_at=now)
        answer = VehicleBatch(results, ok, int(len(results) - ok), entry.seq, ledger.verification_code(entry.hash))
        uow.commit()
        return answer


# ---------------------------------------------------------------- a seized vehicle's particulars

@dataclass(frozen=True)
class VehicleSubject:
    """A seized vehicle (a lot to be auctioned, or an item in custody) as the vehicle form is prefilled with it."""

    kind: str  # lot | custody
    id: int
    label: str  # 标的编号 and title, or the custody item's description
    court_code: str
    case_number: str
    values: dict  # the form's fields: name, registration, mileage, city, case_number, purpose
    missing: list[str]  # what the record does not say, each with where to read it

    def as_ref(self) -> dict:
        return {"kind": self.kind, "id": self.id, "label": self.label}


def _city_in(text: str) -> str:
    for name in sorted((cn for cn, _level in CITY_TABLE.values()), key=len, reverse=True):
        if name in (text or ""):
            return name
    return ""


def _km_text(value) -> str:
    """A recorded odometer reading as the form takes it ("30001" → "30001公里"); "" when it is no mileage (a
    checklist may say "见标的物介绍")."""
    text = str(value if value is not None else "").strip()
    if text.replace(".", "", 1).isdigit():
        text = f"{text}公里"
    try:
        parse_mileage(text)
    except ValueReadError:
        return ""
    return text


def vehicle_subject(uow: UnitOfWork, kind: str, item_id: int) -> VehicleSubject | None:
    """The particulars a lot of kind vehicle (its 2024 checks: brand and model, first registration, mileage)
    or a vehicle in custody (its intake checklist's mileage, its identifiers) gives the vehicle form; ``None``
    when there is no such vehicle. The caller checks that the user may see its court."""
    with uow:
        session = uow.session
        missing = []
        if kind == "lot":
            row = repo.lot_by_id(session, item_id)
            if row is None or row.kind != "vehicle":
                return None
            lot = row.lot
            check = lot.vehicle
            custody = repo.custody_of_lot(session, row.id)
            name = (check.brand_model if check else "") or ""
            registered = check.first_registered_on if check else None
            km = check.mileage_km if check and check.mileage_km is not None else None
            if km is None and custody is not None:
                km = (custody.checklist or {}).get("mileage")  # the odometer read at intake
            values = {"name": name, "registration": registered.strftime("%Y-%m") if registered else "",
                      "mileage": _km_text(km),
                      "city": _city_in(lot.address) or _city_in(lot.location), "case_number": row.case_number}
            label = f"{row.lot_code} {row.title}"
            court, case = row.court_code, row.case_number
        elif kind == "custody":
            item = repo.custody_item(session, item_id)
            if item is None or item.kind != "vehicle":
                return None
            ids = item.identifiers or {}
            name = ids.get("brand_model") or ids.get("品牌型号") or ""
            km = (item.checklist or {}).get("mileage")
            values = {"name": name, "registration": ids.get("first_registered") or ids.get("初次登记") or "",
                      "mileage": _km_text(km), "city": _city_in(item.location),
                      "case_number": item.case_number}
            label = f"保管物 {item.id} {item.description}"
            court, case = item.court_code, item.case_number
        else:
            return None
        for field, text in (("name", "标的未记载品牌型号：请按机动车登记证书或行驶证填写车型名称（品牌、车系、年款、款型）"),
                            ("registration", "标的未记载初次登记日期：请按机动车登记证书填写上牌时间"),
                            ("mileage", "标的未记载可识别的行驶里程：请按里程表读数填写"),
                            ("city", "标的所在地中未见城市名：请填写车辆所在城市")):
            if not values[field]:
                missing.append(text)
        values["purpose"] = "确定财产处置参考价"
        return VehicleSubject(kind, item_id, label, court, case, values, missing)


def subject_quotes(uow: UnitOfWork, subject: VehicleSubject) -> list[dict]:
    """The vehicle quotes recorded for this seized vehicle, newest first (its page shows them)."""
    with uow:
        session = uow.session
        out = []
        for entry in ledger.entries(session, kind=QUOTE_KIND, court_code=subject.court_code,
                                    case_number=subject.case_number, newest_first=True, limit=500):
            payload = json.loads(entry.payload)
            ref = payload.get("inputs", {}).get("subject") or {}
            if ref.get("kind") == subject.kind and ref.get("id") == subject.id:
                result = payload.get("result", {})
                out.append({"code": ledger.verification_code(entry.hash), "value": result.get("value"),
                            "interval_low": result.get("interval_low"), "interval_high": result.get("interval_high"),
                            "level": result.get("level", "series"), "name": result.get("name"),
                            "queried_at": entry.recorded_at.strftime("%Y-%m-%d %H:%M"),
                            "actor_name": repo.display_name(session, entry.actor) or entry.actor})
        return out


def court_vehicle_subjects(uow: UnitOfWork, court_code: str) -> list[VehicleSubject]:
    """A court's seized vehicles: its vehicle lots, and its vehicles in custody that belong to no lot."""
    with uow:
        session = uow.session
        out = []
        for row in repo.vehicle_lots_of_court(session, court_code):
            found = vehicle_subject(uow, "lot", row.id)
            if found is not None:
                out.append(found)
        for item in repo.custody_vehicles_of_court(session, court_code):
            found = vehicle_subject(uow, "custody", item.id)
            if found is not None:
                out.append(found)
        return out


# ---------------------------------------------------------------- receipts

def _entry(session, code: str):
    entry = ledger.find_by_verification_code(session, code)
    return entry if entry is not None and entry.kind == QUOTE_KIND else None


def receipt(uow: UnitOfWork, code: str) -> dict | None:
    """The vehicle quote as the ledger recorded it (the result page and the PDF are rebuilt from it).

    What a case needs to use it as a 定向询价 or network-inquiry-style result: ``value_fen`` (integer fen),
    ``issuer`` (who issued it: the court's vehicle valuation and the table version), ``court_code`` /
    ``court_name``, ``issued_on`` (the date of the ledger entry), ``code`` (its verification code) and
    ``case_number``."""
    with uow:
        session = uow.session
        entry = _entry(session, code)
        if entry is None:
            return None
        payload = json.loads(entry.payload)
        result = payload.get("result", {})
        court = repo.court_name(session, entry.court_code) if entry.court_code else ""
        return {"code": ledger.verification_code(entry.hash), "ledger_seq": entry.seq,
                "value_fen": int(result.get("value_fen") or 0), "issued_on": entry.recorded_at.date().isoformat(),
                "court_name": court or "",
                "issuer": f"{court or entry.court_code}车辆估价（询拍网络询价式估价，车辆表 {result.get('version', '')}）",
                "level": result.get("level", "series"), "interval_low": result.get("interval_low"),
                "interval_high": result.get("interval_high"),
                "case_number": entry.case_number, "purpose": entry.purpose, "actor": entry.actor,
                "actor_name": repo.display_name(session, entry.actor) or entry.actor, "court_code": entry.court_code,
                "queried_at": entry.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
                "inputs": payload.get("inputs", {}), "result": payload.get("result", {})}


def check(uow: UnitOfWork, code: str) -> PublicCheck:
    """What the public verification page shows for a vehicle quote's code (not who asked, nor the case)."""
    with uow:
        entry = _entry(uow.session, code)
        if entry is None:
            return PublicCheck(code=(code or "").strip().upper(), found=False)
        result = json.loads(entry.payload).get("result", {})
        return PublicCheck(code=ledger.verification_code(entry.hash), found=True, intact=is_intact(entry),
                            quoted={k: result.get(k) for k in PUBLIC_FIELDS},
                            recorded_at=entry.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
                            court_code=entry.court_code, ledger_seq=entry.seq)
