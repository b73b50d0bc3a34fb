"""Use cases of the price procedure on the database: cases and parties, reports and reference prices, the
appraisal-firm lottery, objections (filing, steps, decisions), the holiday notices and the agenda.

Every function takes a unit of work (``xunpai.storage.unit_of_work``; it opens its block and commits what it
writes), plain values and the time (``today`` / ``now``), and returns ORM objects or dataclasses. Every refusal raises a ``ProcedureError`` subclass with a
Chinese message and changes nothing; every filing, decision and state change is appended to the ledger in
the same transaction. The rules themselves live in ``auction`` (reference_price, objections, periods).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from stdnum.cn import ric, uscc

from auction import agenda as agenda_rules
from auction import lottery
from auction import objections as rules
from auction import reference_price as rp
from auction.calendar import (
    WorkingCalendar,
    YearNotice,
    missing_statutory_holidays_problem,
    package_covers,
    weekday_workdays_problem,
)
from auction.case_number import InvalidCaseNumber
from auction.case_number import parse as parse_case_number
from auction.case_number import validate as validate_case_number
from auction.objections import IllegalTransition, Policy, ReportKind, State  # noqa: F401 (re-exported)
from auction.rules import reference_price_rules as R
from xunpai.services import authority, receipts
from xunpai.services import inquiry as inquiry_service
from xunpai.services import rows as lookup
from xunpai.storage import ledger
from xunpai.storage.models.accounts import Court
from xunpai.storage.models.procedure import (
    PARTY_ROLES,
    PROPERTY_KINDS,
    CalendarYear,
    Objection,
    ProcedureCase,
    ProcedureLot,
    ProcedureParty,
    ProcedureReport,
    ReferencePriceRecord,
)
from xunpai.storage.repositories import accounts as accounts_repo
from xunpai.storage.repositories import procedure as repo
from xunpai.storage.unit_of_work import UnitOfWork

for _kind, _name in {
    "procedure.case": "登记执行案件及当事人", "procedure.method": "确定参考价方式", "procedure.lot": "登记处置财产", "procedure.report": "收到询价评估报告",
    "procedure.report_sent": "发送或公示报告", "procedure.reference_price": "确定参考价",
    "procedure.firms": "确定评估机构", "procedure.lottery_commit": "摇号承诺登记", "procedure.lottery_draw": "摇号",
    "procedure.policy": "设置异议处理政策", "calendar.set_year": "录入年度放假安排",
    "objection.filed": "提出异议", "objection.transition": "异议状态变更", "objection.decision": "异议裁定或结论",
}.items():
    ledger.register_kind(_kind, _name)

# Evidence limits (a storage policy of this system, not a legal rule): what a court's file system accepts.
EVIDENCE_MAX_FILES = 20
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_TYPES = {  # content type -> (magic prefix, accepted extensions)
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
}


class ProcedureError(ValueError):
    """A refused request; the message (Chinese) says what was wrong and what is expected."""


class NotFound(ProcedureError):
    pass


class InvalidParty(ProcedureError):
    pass


class NotAParty(ProcedureError):
    pass


class InvalidEvidence(ProcedureError):
    pass


class InvalidFiling(ProcedureError):
    pass


class InvalidCalendarYear(ProcedureError):
    pass


class SubmissionConflict(ProcedureError):
    pass


class PriceNotFixed(ProcedureError):
    pass


@dataclass(frozen=True)
class PartyInput:
    role: str  # applicant | debtor | interested_party
    name: str
    id_number: str  # 居民身份证号 or 统一社会信用代码
    address_for_service: str = ""
    contact: str = ""  # telephone


@dataclass(frozen=True)
class EvidenceUpload:
    filename: str
    content: bytes
    content_type: str | None = None


@dataclass(frozen=True)
class FilingResult:
    objection: Objection
    created: bool  # False: the same submission had been filed before, nothing new was stored


# --- lookups --------------------------------------------------------------------------------------------------

def require_row(uow: UnitOfWork, model, key, what: str):
    """The row of ``model`` with this primary key; ``NotFound`` (“{what}“key”不存在。”) if there is none."""
    return lookup.require_row(uow, model, key, NotFound(f"{what}“{key}”不存在。"))


def _canonical_case_number(text: str) -> str:
    try:
        return validate_case_number(text)
    except InvalidCaseNumber as exc:
        raise ProcedureError(str(exc)) from exc


def get_case(uow: UnitOfWork, case_number: str) -> ProcedureCase:
    with uow:
        session = uow.session
        canonical = _canonical_case_number(case_number)
        case = repo.case_by_number(session, canonical)
        if case is None:
            raise NotFound(f"案件{canonical}尚未登记。")
        return case


def _case_of_lot(uow: UnitOfWork, lot: ProcedureLot) -> ProcedureCase:
    return uow.session.get(ProcedureCase, lot.case_id)


PROCEDURE_WRITERS = ("judge", "clerk")  # the court's staff run the reference-price procedure of their cases


def _may_write(uow: UnitOfWork, actor: str, court_code: str | None, what: str) -> None:
    """The write check (``authority.require``): staff of the case's court; called first in the service's block."""
    authority.require(uow, actor, court_code, what=what, roles=PROCEDURE_WRITERS)


def _may_write_lot(uow: UnitOfWork, actor: str, lot_id: int, what: str) -> None:
    lot = uow.session.get(ProcedureLot, lot_id)
    if lot is not None:
        _may_write(uow, actor, _case_of_lot(uow, lot).court_code, what)


# --- policy and calendar --------------------------------------------------------------------------------------

def get_policy(uow: UnitOfWork, court_code: str) -> Policy:
    """The court's objection policy (statutory by default)."""
    with uow:
        court = require_row(uow, Court, court_code, "法院")
        return Policy((court.policy or {}).get("objection_policy", Policy.STATUTORY.value))


def set_policy(uow: UnitOfWork, court_code: str, policy: str, *, actor: str, now: datetime) -> Policy:
    with uow:
        session = uow.session
        try:
            chosen = Policy(policy)
        except ValueError:
            raise ProcedureError(f"异议处理政策应为 statutory（法定）或 wenling（温岭），收到“{policy}”。") from None
        court = require_row(uow, Court, court_code, "法院")
        court.policy = {**(court.policy or {}), "objection_policy": chosen.value}
        ledger.append(session, "procedure.policy", {"objection_policy": chosen.value}, actor=actor,
                      court_code=court_code, recorded_at=now)
        uow.commit()
        return chosen


def load_calendar(uow: UnitOfWork) -> WorkingCalendar:
    """The working calendar with every year an administrator has entered."""
    with uow:
        session = uow.session
        notices = [YearNotice(row.year, frozenset(date.fromisoformat(d) for d in row.holidays),
                              frozenset(date.fromisoformat(d) for d in row.workdays), row.source)
                   for row in repo.calendar_years(session)]
        return WorkingCalendar.with_notices(notices)


def set_calendar_year(uow: UnitOfWork, year: int, holidays: Iterable[date], workdays: Iterable[date], *,
                      source: str, actor: str, now: datetime) -> CalendarYear:
    """Enter (or replace) a year's State Council holiday notice. Years the package covers are refused: its
    data are the published notices."""
    with uow:
        session = uow.session
        if package_covers(year):
            raise InvalidCalendarYear(f"{year}年的放假安排已由 chinesecalendar 收录，无需录入；只能录入其后的年份。")
        if not source.strip():
            raise InvalidCalendarYear("请填写放假通知的文号或来源（如 国办发明电〔2026〕X号）。")
        try:
            notice = YearNotice(year, frozenset(holidays), frozenset(workdays), source)
        except ValueError as exc:
            raise InvalidCalendarYear(str(exc)) from exc
        if not notice.holidays:
            raise InvalidCalendarYear(f"未录入{year}年的任何放假日；应录入通知中的全部放假日期。")
        problem = weekday_workdays_problem(notice.workdays) or missing_statutory_holidays_problem(notice)
        if problem:
            raise InvalidCalendarYear(problem)
        row = session.get(CalendarYear, year) or CalendarYear(year=year)
        row.holidays = sorted(d.isoformat() for d in notice.holidays)
        row.workdays = sorted(d.isoformat() for d in notice.workdays)
        row.source, row.entered_by, row.entered_at = source, actor, now
        session.add(row)
        ledger.append(session, "calendar.set_year", {"year": year, "holidays": row.holidays, "workdays": row.workdays,
                                                     "source": source}, actor=actor, recorded_at=now)
        session.flush()
        uow.commit()
        return row


# --- cases, parties, lots, reports ------------------------------------------------------------------------------

def _validate_party(party: PartyInput) -> tuple[str, str]:
    if party.role not in PARTY_ROLES:
        raise InvalidParty(f"当事人身份应为 {'、'.join(PARTY_ROLES.values())} 之一，收到“{party.role}”。")
    if not party.name.strip():
        raise InvalidParty("当事人姓名或名称不能为空。")
    number = party.id_number.strip().upper()
    if ric.is_valid(number):
        return "ric", ric.compact(number)
    if uscc.is_valid(number):
        return "uscc", uscc.compact(number)
    raise InvalidParty(f"{party.name}的证件号码“{party.id_number}”既不是有效的居民身份证号码（18位，末位校验码），"
                       "也不是有效的统一社会信用代码。")


def create_case(uow: UnitOfWork, court_code: str, case_number: str, parties: Sequence[PartyInput], *,
                actor: str, now: datetime, judge: str = "") -> ProcedureCase:
    """Register an enforcement case with its applicant(s), debtor(s) and interested parties, and the judge in
    charge (a username of the court; the registering judge when none is named)."""
    with uow:
        session = uow.session
        _may_write(uow, actor, court_code, "登记案件")
        require_row(uow, Court, court_code, "法院")
        canonical = _canonical_case_number(case_number)
        _may_write(uow, actor, parse_case_number(canonical).court_code, "登记案件")  # the 案号 names its court
        if repo.case_number_taken(session, canonical):
            raise ProcedureError(f"案件{canonical}已登记。")
        if judge.strip():
            named = accounts_repo.user_by_username(session, judge.strip())
            if named is None or named.role != "judge" or named.court_code != court_code or not named.active:
                raise ProcedureError(f"承办法官“{judge.strip()}”不是本院（{court_code}）在职的执行法官账户。")
        checked = [(p, *_validate_party(p)) for p in parties]
        roles = {p.role for p, _k, _n in checked}
        if not {"applicant", "debtor"} <= roles:
            raise InvalidParty("案件应至少登记一名申请执行人和一名被执行人。")
        numbers = [n for _p, _k, n in checked]
        if len(set(numbers)) != len(numbers):
            raise InvalidParty("同一证件号码在案件中登记了多次。")
        case = ProcedureCase(court_code=court_code, case_number=canonical, created_at=now, judge=judge.strip(),
                             registered_by=actor)
        case.parties = [ProcedureParty(role=p.role, name=p.name.strip(), id_kind=k, id_number=n,
                                       address_for_service=p.address_for_service.strip(),
                                       contact=p.contact.strip()) for p, k, n in checked]
        session.add(case)
        session.flush()
        ledger.append(session, "procedure.case", {"parties": [{"role": p.role, "name": p.name} for p in parties],
                                                  "judge": case.judge},
                      actor=actor, court_code=court_code, case_number=canonical, recorded_at=now)
        uow.commit()
        return case


def add_lot(uow: UnitOfWork, case_number: str, name: str, *, seized_on: date | None, actor: str,
            now: datetime, kind: str = "real_estate", address: str = "", building_id: str = "",
            unit_label: str = "") -> ProcedureLot:
    """Register a seized item (标的物) of a case: its name, kind (房产, 车辆, 动产, 股权 …), address and, for a flat,
    its building in the active baseline tables when they have it (by 楼幢编号 or by address)."""
    with uow:
        session = uow.session
        case = get_case(uow, case_number)
        _may_write(uow, actor, case.court_code, "登记财产")
        if not name.strip():
            raise ProcedureError("财产名称不能为空。")
        if kind not in PROPERTY_KINDS:
            raise ProcedureError(f"财产类型应为 {'、'.join(PROPERTY_KINDS.values())} 之一，收到“{kind}”。")
        if seized_on is not None and seized_on > now.date():
            raise ProcedureError(f"查封日期 {seized_on.isoformat()} 晚于今天。")
        linked = inquiry_service.find_building(uow, building_id=building_id, address=address or name) \
            if kind == "real_estate" else None
        if building_id.strip() and linked is None:
            raise ProcedureError(f"楼幢编号“{building_id.strip()}”不在当前启用的基准表中；请核对，或只填写坐落地址。")
        lot = ProcedureLot(case_id=case.id, name=name.strip(), seized_on=seized_on, appraisal_firms=[], lottery={},
                           kind=kind, address=address.strip(), building_id=linked[0] if linked else "",
                           unit_label=unit_label.strip())
        session.add(lot)
        session.flush()
        ledger.append(session, "procedure.lot", {"lot_id": lot.id, "name": lot.name, "seized_on": seized_on,
                                                 "kind": kind, "building_id": lot.building_id},
                      actor=actor, court_code=case.court_code, case_number=case.case_number, recorded_at=now)
        uow.commit()
        return lot


_METHOD_OF_KIND = {ReportKind.NEGOTIATED: rp.Method.NEGOTIATED, ReportKind.DIRECTED_INQUIRY: rp.Method.DIRECTED_INQUIRY,
                   ReportKind.NETWORK_INQUIRY: rp.Method.NETWORK_INQUIRY, ReportKind.APPRAISAL: rp.Method.APPRAISAL}


def record_report(uow: UnitOfWork, lot_id: int, kind: str, source: str, value_fen: int | None, *,
                  received_on: date | None, commissioned_on: date | None = None, valid_until: date | None = None,
                  extension_requested: bool = False, corrects_report_id: int | None = None, actor: str,
                  now: datetime, issued_on: date | None = None, details: dict | None = None,
                  receipt_code: str = "") -> ProcedureReport:
    """Record a result as received: source, value (fen), the day it was issued and the day received, validity
    (stated, capped at one year from the issue date, 参考价规定 art. 27). A correction (补正说明) names the
    report it corrects and replaces its value."""
    with uow:
        session = uow.session
        lot = require_row(uow, ProcedureLot, lot_id, "财产")
        _may_write_lot(uow, actor, lot.id, "登记询价评估结果")
        try:
            report_kind = ReportKind(kind)
        except ValueError:
            raise ProcedureError(f"报告类型“{kind}”不正确。") from None
        if value_fen is not None and (not isinstance(value_fen, int) or value_fen <= 0):
            raise ProcedureError("询价、评估结果应为正的整数（单位：分）。")
        calendar = load_calendar(uow)
        corrected = None
        if report_kind in (ReportKind.CORRECTION, ReportKind.TECHNICAL_REVIEW):
            if corrects_report_id is None:
                raise ProcedureError("补正说明或评审结论应注明所针对的报告。")
            corrected = require_row(uow, ProcedureReport, corrects_report_id, "报告")
            method = corrected.method
        else:
            method = _METHOD_OF_KIND[report_kind].value
        if issued_on is not None and received_on is not None and issued_on > received_on:
            raise ProcedureError(f"出具日期 {issued_on.isoformat()} 晚于收到日期 {received_on.isoformat()}。")
        if not source.strip():
            raise ProcedureError("应填写出具结果的机构或平台名称。")
        start = issued_on or received_on  # 参考价规定 art. 27: validity runs from the result's issue
        if start is not None and value_fen is not None:
            if valid_until is not None and valid_until < start:
                raise ProcedureError(f"有效期截止日 {valid_until.isoformat()} 早于出具日期 {start.isoformat()}。")
            valid_until = rp.validity_end(start, calendar, valid_until)
        report = ProcedureReport(lot_id=lot.id, method=method, kind=report_kind.value, source=source.strip(),
                                 value_fen=value_fen, commissioned_on=commissioned_on, received_on=received_on,
                                 valid_until=valid_until, extension_requested=extension_requested,
                                 corrects_report_id=corrects_report_id, created_at=now, issued_on=issued_on,
                                 details=details or {}, receipt_code=receipt_code)
        session.add(report)
        if corrected is not None and report_kind is ReportKind.CORRECTION and value_fen is not None:
            corrected.corrected_value_fen = value_fen
        session.flush()
        case = _case_of_lot(uow, lot)
        ledger.append(session, "procedure.report", {"report_id": report.id, "lot_id": lot.id, "kind": report_kind.value,
                                                    "source": report.source, "value_fen": value_fen,
                                                    "received_on": received_on, "valid_until": valid_until,
                                                    "issued_on": issued_on, "receipt_code": receipt_code,
                                                    "corrects": corrects_report_id},
                      actor=actor, court_code=case.court_code, case_number=case.case_number, recorded_at=now)
        uow.commit()
        return report


def mark_report_sent(uow: UnitOfWork, report_id: int, *, forwarded_on: date | None = None,
                     published_on: date | None = None, actor: str, now: datetime) -> ProcedureReport:
    """参考价规定 art. 21: the report sent to the parties (or published when they cannot be reached)."""
    with uow:
        session = uow.session
        report = require_row(uow, ProcedureReport, report_id, "报告")
        _may_write_lot(uow, actor, report.lot_id, "登记报告送达")
        if forwarded_on is None and published_on is None:
            raise ProcedureError("应填写送达日期或公示日期。")
        report.forwarded_on = forwarded_on or report.forwarded_on
        report.published_on = published_on or report.published_on
        case = _case_of_lot(uow, session.get(ProcedureLot, report.lot_id))
        ledger.append(session, "procedure.report_sent", {"report_id": report.id, "forwarded_on": forwarded_on,
                                                         "published_on": published_on},
                      actor=actor, court_code=case.court_code, case_number=case.case_number, recorded_at=now)
        uow.commit()
        return report


# --- reference prices -------------------------------------------------------------------------------------------

_LIVE_STATES = {s.value for s in State} - {State.NOT_ACCEPTED.value, State.WITHDRAWN.value}


def _network_reports(uow: UnitOfWork, lot: ProcedureLot) -> tuple[list[ProcedureReport], list[rp.NetworkReport]]:
    session = uow.session
    rows = [r for r in lot.reports if r.kind == ReportKind.NETWORK_INQUIRY.value]
    values = []
    for r in rows:
        objs = repo.admissible_objections_to_report(session, r.id, _LIVE_STATES)
        outcome = None
        if objs:
            kinds = repo.decision_kinds(session, [o.id for o in objs])
            if r.corrected_value_fen is not None:
                outcome = "corrected"
            elif kinds and all(o.state in (State.REJECTED.value, State.CLOSED.value, State.REVIEW_DECIDED.value)
                               for o in objs) and "decide_upheld" not in kinds:
                outcome = "rejected"
        values.append(rp.NetworkReport(r.source, r.value_fen, r.received_on, r.extension_requested, bool(objs),
                                       outcome, r.corrected_value_fen))
    return rows, values


def network_outcome(uow: UnitOfWork, lot_id: int, *, today: date) -> rp.NetworkOutcome:
    """The art. 13 computation over the lot's network-inquiry reports and the objections to them."""
    with uow:
        lot = require_row(uow, ProcedureLot, lot_id, "财产")
        rows, values = _network_reports(uow, lot)
        commissioned = [r.commissioned_on for r in rows if r.commissioned_on]
        if not rows or not commissioned:
            raise PriceNotFixed("该财产尚无网络询价报告（或未登记委托日期）。")
        return rp.network_reference_price(values, min(commissioned), load_calendar(uow), today)


def fix_network_reference_price(uow: UnitOfWork, lot_id: int, *, today: date, actor: str,
                                now: datetime) -> ReferencePriceRecord:
    """Fix the reference price as the exact mean of the counted reports (参考价规定 art. 13), rounded to the
    fen half up; refuses while the price cannot be fixed yet (the message says why)."""
    with uow:
        _may_write_lot(uow, actor, lot_id, "确定参考价")
        session = uow.session
        outcome = network_outcome(uow, lot_id, today=today)
        if outcome.status != "fixed":
            raise PriceNotFixed(outcome.reason)
        lot = session.get(ProcedureLot, lot_id)
        by_source = {r.source: r for r in lot.reports if r.kind == ReportKind.NETWORK_INQUIRY.value}
        used = [by_source[p] for p in outcome.included]
        valid_until = min(r.valid_until for r in used if r.valid_until) if any(r.valid_until for r in used) else None
        result = _store_price(uow, lot, rp.Method.NETWORK_INQUIRY, outcome.reference_price_fen,
                              f"{outcome.mean_exact_fen.numerator}/{outcome.mean_exact_fen.denominator}", today,
                              valid_until, [r.id for r in used], outcome.reason, actor, now)
        uow.commit()
        return result


def fix_reference_price(uow: UnitOfWork, report_id: int, *, today: date, actor: str,
                        now: datetime) -> ReferencePriceRecord:
    """A single result becomes the reference price: 议价 (art. 4), 定向询价 (art. 6), an appraisal or its
    correction (art. 26)."""
    with uow:
        session = uow.session
        report = require_row(uow, ProcedureReport, report_id, "报告")
        _may_write_lot(uow, actor, report.lot_id, "确定参考价")
        if report.kind == ReportKind.NETWORK_INQUIRY.value:
            raise ProcedureError("网络询价应以各平台结果的平均值确定参考价，请使用网络询价参考价计算。")
        value = report.corrected_value_fen or report.value_fen
        if value is None:
            raise PriceNotFixed("该报告没有结果金额。")
        lot = session.get(ProcedureLot, report.lot_id)
        method = rp.Method(report.method)
        issued = report.issued_on or report.received_on
        reason = (f"以{report.source}{rp.METHOD_NAMES[method]}结果 {rp.yuan(value)} 元"
                  + (f"（{issued.isoformat()} 出具）" if issued else "") + f"为参考价（{_FIX_ARTICLE[method]}）。")
        result = _store_price(uow, lot, method, value, str(value), today, report.valid_until, [report.id], reason,
                              actor, now)
        uow.commit()
        return result


_FIX_ARTICLE = {rp.Method.NEGOTIATED: "参考价规定第四条第二款", rp.Method.DIRECTED_INQUIRY: "参考价规定第六条第二款",
                rp.Method.NETWORK_INQUIRY: "参考价规定第十三条", rp.Method.APPRAISAL: "参考价规定第二条、第二十六条"}


def _store_price(uow: UnitOfWork, lot: ProcedureLot, method: rp.Method, value_fen: int, exact: str, today: date,
                 valid_until: date | None, basis: list[int], reason: str, actor: str,
                 now: datetime) -> ReferencePriceRecord:
    session = uow.session
    record = ReferencePriceRecord(lot_id=lot.id, method=method.value, value_fen=value_fen, mean_exact=exact,
                                  fixed_on=today, valid_until=valid_until, basis=basis, reason=reason,
                                  created_at=now, fixed_by=actor)
    session.add(record)
    session.flush()
    case = _case_of_lot(uow, lot)
    sale_start = rp.sale_start_deadline(today, load_calendar(uow))
    ledger.append(session, "procedure.reference_price",
                  {"lot_id": lot.id, "method": method.value, "value_fen": value_fen, "mean_exact_fen": exact,
                   "valid_until": valid_until, "basis": basis, "sale_start_due": sale_start.due,
                   "sale_start_provisional": sale_start.provisional},
                  actor=actor, court_code=case.court_code, case_number=case.case_number, recorded_at=now)
    return record


def current_reference_price(uow: UnitOfWork, lot_id: int) -> ReferencePriceRecord | None:
    with uow:
        return repo.latest_reference_price(uow.session, lot_id)


# --- appraisal firms (art. 16) -----------------------------------------------------------------------------

def set_agreed_firms(uow: UnitOfWork, lot_id: int, firms: Sequence[str], *, actor: str,
                     now: datetime) -> ProcedureLot:
    with uow:
        lot = require_row(uow, ProcedureLot, lot_id, "财产")
        _may_write_lot(uow, actor, lot.id, "约定评估机构")
        try:
            ranked = rp.ranked_firms(firms)
        except rp.ReferencePriceError as exc:
            raise ProcedureError(str(exc)) from exc
        lot.appraisal_firms, lot.firm_choice, lot.current_firm = list(ranked), "agreed", ranked[0]
        _ledger_lot(uow, lot, "procedure.firms", {"firms": list(ranked), "choice": "agreed"}, actor, now)
        uow.commit()
        return lot


def commit_firm_lottery(uow: UnitOfWork, lot_id: int, candidates: Sequence[str], seed: str, *, actor: str,
                        now: datetime) -> lottery.Commitment:
    """Record the candidate list and the seed's commitment before the draw (参考价规定 arts. 16, 34)."""
    with uow:
        lot = require_row(uow, ProcedureLot, lot_id, "财产")
        _may_write_lot(uow, actor, lot.id, "摇号选定评估机构")
        if lot.appraisal_firms:
            raise ProcedureError("该财产已确定评估机构，不能再摇号。")
        try:
            commitment = lottery.commit(candidates, seed)
        except lottery.LotteryError as exc:
            raise ProcedureError(str(exc)) from exc
        lot.lottery = {"commitment": commitment.as_dict()}
        _ledger_lot(uow, lot, "procedure.lottery_commit", commitment.as_dict(), actor, now)
        uow.commit()
        return commitment


def draw_firm_lottery(uow: UnitOfWork, lot_id: int, seed: str, *, actor: str, now: datetime) -> list[str]:
    with uow:
        lot = require_row(uow, ProcedureLot, lot_id, "财产")
        _may_write_lot(uow, actor, lot.id, "摇号选定评估机构")
        if not (lot.lottery or {}).get("commitment"):
            raise ProcedureError("摇号前应先登记候选名单和种子承诺值。")
        if lot.appraisal_firms:
            raise ProcedureError("该财产已摇号确定评估机构。")
        commitment = lottery.Commitment.from_dict(lot.lottery["commitment"])
        try:
            drawn = lottery.draw(commitment, seed, R.APPRAISAL_FIRMS_TO_RANK)
        except lottery.LotteryError as exc:
            raise ProcedureError(str(exc)) from exc
        lot.lottery = {**lot.lottery, "seed": seed, "result": drawn}
        lot.appraisal_firms, lot.firm_choice, lot.current_firm = drawn, "lottery", drawn[0]
        _ledger_lot(uow, lot, "procedure.lottery_draw", {"seed": seed, "result": drawn,
                                                              "seed_digest": commitment.seed_digest}, actor, now)
        uow.commit()
        return drawn


def _ledger_lot(uow: UnitOfWork, lot: ProcedureLot, kind: str, payload: dict, actor: str, now: datetime) -> None:
    case = _case_of_lot(uow, lot)
    ledger.append(uow.session, kind, {"lot_id": lot.id, **payload}, actor=actor, court_code=case.court_code,
                  case_number=case.case_number, recorded_at=now)


def mark_first_auction_announced(uow: UnitOfWork, lot_id: int, *, announced_on: date, actor: str,
                                 now: datetime) -> ProcedureLot:
    """The first-auction announcement was issued (closes art. 25 objections; starts the art. 27 grace)."""
    with uow:
        lot = require_row(uow, ProcedureLot, lot_id, "财产")
        _may_write_lot(uow, actor, lot.id, "登记一拍公告")
        lot.first_auction_announced_on = announced_on
        _ledger_lot(uow, lot, "procedure.lot", {"first_auction_announced_on": announced_on}, actor, now)
        uow.commit()
        return lot


# --- agenda -------------------------------------------------------------------------------------------------------

def open_steps(uow: UnitOfWork, *, court_code: str | None = None) -> list[agenda_rules.OpenStep]:
    """Every open step of the price procedure (of one court, or all): objections waiting for the court, the
    appraiser or the parties; reports to forward (art. 21); procedures to start (art. 1); sales to start
    (art. 30)."""
    with uow:
        session = uow.session
        calendar = load_calendar(uow)
        steps: list[agenda_rules.OpenStep] = []
        final = {s.value for s in rules.FINAL_STATES}
        for case in repo.cases_of_court(session, court_code):
            for objection in repo.case_objections_not_in(session, case.id, final):
                step = rules.open_step(State(objection.state), rules.Route(objection.route) if objection.route else None,
                                       filed_on=objection.filed_on, calendar=calendar,
                                       entered_on=objection.state_entered_on,
                                       decision_served_on=objection.decision_served_on,
                           review_extension_days=objection.review_extension_days or 0)
                if step is not None:
                    report = session.get(ProcedureReport, objection.report_id)
                    subject = f"异议 #{objection.id}（{rules.REPORT_KIND_NAMES[ReportKind(report.kind)]}，" \
                              f"{rules.STATE_NAMES[State(objection.state)]}）"
                    steps.append(agenda_rules.OpenStep(case.court_code, case.case_number, subject, step.name,
                                                       step.deadline, f"objection:{objection.id}"))
            for lot in case.lots:
                subject = f"财产 #{lot.id} {lot.name}"
                if lot.seized_on and not lot.reports:
                    steps.append(agenda_rules.OpenStep(case.court_code, case.case_number, subject, "启动确定参考价程序",
                                                       rp.procedure_start_deadline(lot.seized_on, calendar),
                                                       f"lot:{lot.id}"))
                for report in lot.reports:
                    if report.received_on and not report.forwarded_on and not report.published_on:
                        name = rules.REPORT_KIND_NAMES[ReportKind(report.kind)]
                        steps.append(agenda_rules.OpenStep(case.court_code, case.case_number,
                                                           f"{subject}：{report.source}{name}", "向当事人、利害关系人发送报告",
                                                           rp.forwarding_deadline(report.received_on, calendar),
                                                           f"report:{report.id}"))
                price = current_reference_price(uow, lot.id)
                if price is not None and lot.first_auction_announced_on is None:
                    steps.append(agenda_rules.OpenStep(case.court_code, case.case_number, subject, "启动变价程序",
                                                       rp.sale_start_deadline(price.fixed_on, calendar), f"lot:{lot.id}"))
        return steps


def agenda_steps(uow: UnitOfWork, *, court_code: str | None = None) -> list[agenda_rules.OpenStep]:
    """The procedure's open steps of a court (checked to exist), for the one agenda (``services.agenda``)."""
    with uow:
        if court_code:
            require_row(uow, Court, court_code, "法院")
        return open_steps(uow, court_code=court_code)


def agenda(uow: UnitOfWork, *, today: date, court_code: str | None = None) -> list[agenda_rules.AgendaItem]:
    """The procedure's part of the agenda alone (the court's whole agenda, lots included: ``services.agenda``)."""
    return agenda_rules.build(agenda_steps(uow, court_code=court_code), today)


def choose_method(uow: UnitOfWork, lot_id: int, facts: rp.PropertyFacts, *, failed: Sequence[str] = (),
                  actor: str, now: datetime) -> rp.MethodChoice:
    """The method to use next for a lot, by the legal order and its preconditions (参考价规定 arts. 2, 4, 5, 7,
    14); ``failed`` names the methods already tried without result. The choice and its reason go to the
    ledger."""
    with uow:
        lot = require_row(uow, ProcedureLot, lot_id, "财产")
        try:
            tried = [rp.Method(m) for m in failed]
        except ValueError:
            raise ProcedureError("已尝试的方式应为 negotiated、directed_inquiry、network_inquiry 或 appraisal。") from None
        choice = rp.next_method(facts, tried)
        _ledger_lot(uow, lot, "procedure.method", {"method": choice.method.value if choice.method else None,
                                                       "failed": [m.value for m in tried], "reason": choice.reason,
                                                       "article": choice.article}, actor, now)
        uow.commit()
        return choice


def calendar_notices(uow: UnitOfWork) -> list[CalendarYear]:
    """The working-day notices entered for years the calendar package does not cover, by year."""
    with uow:
        return repo.calendar_years(uow.session)


# --- the case-centred procedure: 议价, 定向询价 from a quote receipt, the price a lot may be sold on ------------

class NegotiationFailed(ProcedureError):
    """议价不成 (参考价规定 art. 4(2)): the message says why and what comes next."""


class PriceNotUsable(ProcedureError):
    """A lot cannot be announced on this reference price (参考价规定 arts. 22-23, 27); the message says why and
    what the clerk should do."""


def cases(uow: UnitOfWork, court_code: str | None) -> list[ProcedureCase]:
    """A court's registered cases (None: every court's), oldest first."""
    with uow:
        return repo.cases_of_court(uow.session, court_code)


def lot_of_case(uow: UnitOfWork, case_number: str, lot_id: int) -> ProcedureLot:
    """The property item ``lot_id`` of that case, or ``NotFound`` (an item of another case is not shown)."""
    with uow:
        case = get_case(uow, case_number)
        lot = uow.session.get(ProcedureLot, lot_id)
        if lot is None or lot.case_id != case.id:
            raise NotFound(f"案件{case.case_number}没有编号为 {lot_id} 的财产。")
        return lot


def case_of_lot(uow: UnitOfWork, lot_id: int) -> ProcedureCase:
    with uow:
        return _case_of_lot(uow, require_row(uow, ProcedureLot, lot_id, "财产"))


def record_negotiation(uow: UnitOfWork, lot_id: int, submissions: dict[int, int | None], *, agreed_on: date,
                       valid_until: date | None = None, actor: str, now: datetime) -> ProcedureReport:
    """The parties' 议价 results (party id -> fen; None: not submitted). Only identical results of every
    applicant and debtor become the 议价 result (参考价规定 art. 4(2)); otherwise ``NegotiationFailed`` says
    so and nothing is stored. The result's validity is the agreed one, at most one year (art. 27(2))."""
    with uow:
        lot = require_row(uow, ProcedureLot, lot_id, "财产")
        case = _case_of_lot(uow, lot)
        unknown = set(submissions) - {p.id for p in case.parties}
        if unknown:
            raise ProcedureError(f"当事人编号 {sorted(unknown)} 不属于案件{case.case_number}。")
        required = [p for p in case.parties if p.role in ("applicant", "debtor")]
        names = {p.name: submissions.get(p.id) for p in required}
        try:
            outcome = rp.negotiated_price(names, [p.name for p in required])
        except rp.ReferencePriceError as exc:
            raise ProcedureError(str(exc)) from exc
        if not outcome.agreed:
            raise NegotiationFailed(outcome.reason)
        report = record_report(uow, lot.id, ReportKind.NEGOTIATED.value, "当事人议价", outcome.value_fen,
                               received_on=agreed_on, issued_on=agreed_on, valid_until=valid_until,
                               details={"submissions": {n: v for n, v in names.items()}, "reason": outcome.reason},
                               actor=actor, now=now)
        uow.commit()
        return report


def record_directed_inquiry(uow: UnitOfWork, lot_id: int, receipt_code: str, *, valid_until: date | None = None,
                            actor: str, now: datetime) -> ProcedureReport:
    """The quote asked within the case becomes the case's 定向询价 result (参考价规定 arts. 5-6): any quote
    receipt of the ledger with a value, an issuing table and a date (a flat's instant quote, a vehicle's) —
    its value, its issuer as the source, its day as the issue date from which the validity runs (art. 27(2):
    at most one year). The same receipt recorded again for the same item is the same result."""
    with uow:
        lot = require_row(uow, ProcedureLot, lot_id, "财产")
        case = _case_of_lot(uow, lot)
        receipt = receipts.quote_receipt(uow, receipt_code)
        if receipt is None:
            raise NotFound(f"校验码“{receipt_code}”不是询价回执的校验码；请核对询价结果上的校验码。")
        if not receipt.intact:
            raise ProcedureError(f"校验码 {receipt.code} 的台账记录与登记时的校验值不符，不能作为定向询价结果。")
        if receipt.case_number != case.case_number:
            raise ProcedureError(f"校验码 {receipt.code} 的询价是在案件{receipt.case_number or '（未填）'}中进行的，"
                                 f"不是本案（{case.case_number}）的询价；应在本案中询价。")
        existing = repo.report_with_receipt(uow.session, lot.id, receipt.code)
        if existing is not None:
            return existing
        report = record_report(uow, lot.id, ReportKind.DIRECTED_INQUIRY.value, receipt.issuer, receipt.value_fen,
                               received_on=receipt.issued_on, issued_on=receipt.issued_on, valid_until=valid_until,
                               receipt_code=receipt.code,
                               details={"kind": receipt.kind, "subject": receipt.subject, "ledger_seq": receipt.ledger_seq,
                                        "valuation_date": receipt.valuation_date.isoformat()
                                        if receipt.valuation_date else None},
                               actor=actor, now=now)
        uow.commit()
        return report


@dataclass(frozen=True)
class LotPrice:
    """The reference price a lot is announced on: the case's fixed price (a link to it), with its basis."""

    record_id: int
    value_fen: int
    basis: str
    valid_until: date | None


_PENDING = {State.FILED, State.AWAITING_MATERIAL, State.MATERIAL_SUPPLIED, State.REGISTERED,
            State.QUALIFICATION_REJECTED, State.WITH_APPRAISER, State.TECHNICAL_REVIEW, State.SUPERVISION}


def price_state(uow: UnitOfWork, lot_id: int) -> tuple[ReferencePriceRecord, rp.PriceState] | None:
    """The price in force for a property item and what decides whether a lot may be sold on it; None when no
    price has been fixed."""
    with uow:
        session = uow.session
        lot = require_row(uow, ProcedureLot, lot_id, "财产")
        record = repo.latest_reference_price(session, lot.id)
        if record is None:
            return None
        calendar = load_calendar(uow)
        policy = get_policy(uow, _case_of_lot(uow, lot).court_code)
        basis = [session.get(ProcedureReport, rid) for rid in record.basis or []]
        window_due, pending, replaced = None, 0, ""
        for report in basis:
            if report is None:
                continue
            objectable = report.kind in (ReportKind.NETWORK_INQUIRY.value, ReportKind.APPRAISAL.value) or (
                report.kind == ReportKind.DIRECTED_INQUIRY.value and policy is Policy.WENLING)
            if objectable:
                sent = [d for d in (report.forwarded_on,
                                    rp.deemed_service(report.published_on, calendar).due if report.published_on else None)
                        if d is not None]
                if not sent:
                    window_due = max(window_due or date.min, date.max)
                else:
                    due = rules.objection_window(max(sent), calendar).due
                    window_due = max(window_due or due, due)
            pending += len(repo.admissible_objections_to_report(session, report.id, [s.value for s in _PENDING]))
        if record.method == rp.Method.NETWORK_INQUIRY.value:
            # art. 13(2): objections change which reports count (and corrections their values): recompute
            try:
                outcome = network_outcome(uow, lot.id, today=ledger.now_local().date())
            except ProcedureError:
                outcome = None
            if outcome is not None and outcome.status == "fixed" and outcome.reference_price_fen != record.value_fen:
                replaced = (f"经异议处理，网络询价结果的平均值应为 {rp.yuan(outcome.reference_price_fen)} 元"
                            "（参考价规定第十三条第二款），应重新确定参考价。")
        else:
            finals = [(r.corrected_value_fen or r.value_fen) for r in basis if r is not None]
            if len(finals) == 1 and finals[0] is not None and finals[0] != record.value_fen:
                replaced = (f"所依据的报告经异议补正，结果应为 {rp.yuan(finals[0])} 元（参考价规定第二十六条），"
                            "应重新确定参考价。")
        if not replaced and repo.upheld_decided_after(session, record.basis or [], record.created_at):
            replaced = "所依据的报告经异议裁定异议成立，应待补正或重新评估后重新确定参考价（参考价规定第二十三条、第二十六条）。"
        state = rp.PriceState(record.value_fen, rp.Method(record.method), record.fixed_on, record.valid_until,
                              window_due, pending, replaced)
        return record, state


def reference_price_for_lot(uow: UnitOfWork, procedure_lot_id: int, *, announce_on: date, bidding_end: date,
                            today: date) -> LotPrice:
    """The price a lot of this property item is announced on (the case's fixed price), or ``PriceNotUsable``
    naming the article and what to do: none fixed yet; the objection period open or an objection pending; the
    price replaced by an upheld objection; its validity ended before the announcement, or the sale more than six
    months after it (参考价规定 arts. 22-23, 27)."""
    with uow:
        found = price_state(uow, procedure_lot_id)
        lot = uow.session.get(ProcedureLot, procedure_lot_id)
        if found is None:
            raise PriceNotUsable(f"财产“{lot.name}”尚未确定参考价；应先在案件中确定参考价（参考价规定第二条）。")
        record, state = found
        if state.objection_window_due == date.max:
            raise PriceNotUsable("参考价所依据的报告尚未向当事人发送或公示，异议期间尚未起算；应在三日内发送"
                                 "（参考价规定第二十一条）。")
        check = rp.usable_for_sale(state, announce_on=announce_on, bidding_end=bidding_end, today=today,
                                   calendar=load_calendar(uow))
        if not check.ok:
            raise PriceNotUsable(check.reason)
        return LotPrice(record.id, record.value_fen, record.reason, record.valid_until)


def lot_price_refusal(uow: UnitOfWork, procedure_lot_id: int | None, reference_price_fen: int, *,
                      announce_on: date, bidding_end: date, today: date) -> str | None:
    """Why a lot linked to a property item (``lots.procedure_lot_id``) may not carry ``reference_price_fen``
    (Chinese), or None: the linked item's fixed price must be usable (``reference_price_for_lot``) and be the
    lot's reference price. A lot of no registered item is not checked here."""
    if procedure_lot_id is None:
        return None
    try:
        price = reference_price_for_lot(uow, procedure_lot_id, announce_on=announce_on, bidding_end=bidding_end,
                                        today=today)
    except PriceNotUsable as exc:
        return str(exc)
    if price.value_fen != reference_price_fen:
        return (f"标的参考价 {rp.yuan(reference_price_fen)} 元与案件确定的参考价 {rp.yuan(price.value_fen)} 元不一致；"
                "参考价取自案件确定的参考价，不能另行填写。")
    return None


def refusal_for_lot(uow: UnitOfWork, procedure_lot_id: int | None, lot, today: date | None = None) -> str | None:
    """``lot_price_refusal`` for a domain lot (``auction.lot.Lot`` with its plan), today by the court's clock:
    what publishing asks before storing a lot from a sheet or a form and before sending it."""
    plan = getattr(lot, "plan", None)
    if procedure_lot_id is None or plan is None:
        return None
    return lot_price_refusal(uow, procedure_lot_id, plan.reference_price_fen, announce_on=plan.announce_on,
                             bidding_end=plan.bidding_end.date(), today=today or ledger.now_local().date())
