"""Demo data of the reference-price procedure: cases of the demo court at each stage, so that a fresh demo's
``xunpai agenda`` and the judge's home page list open steps, and access codes for the parties of the objection
journey (printed once with the other demo credentials).

- （2026）浙1099执1号: a flat with three network-inquiry reports sent to the parties (the party's journey: sign in,
  see the reports, object);
- （2026）浙1099执2号: a flat seized 20 days ago, the procedure not started (art. 1: within 30 days);
- （2026）浙1099执3号: a flat whose instant quote of the case is its 定向询价 result, fixed as the reference price
  (art. 30: start the sale within 10 days; the clerk creates the lot from it);
- （2026）浙1099执4号: a vehicle appraised by the firm the lottery drew, the report not yet sent (art. 21);
- （2026）浙1099执5号: a network-inquiry report objected to, waiting for the judge's admissibility decision, and an
  objection ruled 不予受理 in its 10-day 复议 period.

All through the services, inside the demo builder's transaction.
"""

from __future__ import annotations

from datetime import timedelta

from tax_baseline.quote import QuoteRequest
from xunpai.services import accounts as accounts_service
from xunpai.services import inquiry as inquiry_service
from xunpai.services import objections as objection_service
from xunpai.services import procedure
from xunpai.services.publishing import get_lot
from xunpai.storage import ledger
from xunpai.storage.repositories import demo as demo_repo

DEMO_CASE = "（2026）浙1099执1号"
PARTIES = (("applicant", "示范市农村商业银行股份有限公司", "91330100MA2H00017B", "示范市城东街道金融大厦", "0571-86000001"),
           ("debtor", "王某某", "330100198001010015", "示范市城东街道东辉公寓1幢501室", "13800000001"))
OTHER_DEBTORS = (("陈某某", "330100198202020017"), ("刘某某", "330100198303030011"), ("赵某某", "330100198404040016"),
                 ("孙某某", "330100198505050010"))


def _parties(debtor: tuple[str, str] | None = None) -> list[procedure.PartyInput]:
    applicant, first = PARTIES
    if debtor is None:
        return [procedure.PartyInput(*applicant), procedure.PartyInput(*first)]
    return [procedure.PartyInput(*applicant),
            procedure.PartyInput("debtor", debtor[0], debtor[1], "示范市城西街道", "13800000002")]


def _judge(context: dict) -> str:
    user = (context.get("users") or {}).get("judge")
    return user.username if user is not None else ""


def _party_journey(uow, court: str, context: dict, now) -> None:
    """Case 1: three network-inquiry reports received two days ago and sent yesterday."""
    procedure.create_case(uow, court, DEMO_CASE, _parties(), actor="demo", now=now, judge=_judge(context))
    lot = procedure.add_lot(uow, DEMO_CASE, "东辉公寓1幢501室住宅", seized_on=now.date() - timedelta(days=20),
                            actor="demo", now=now)
    for platform, value_fen in (("阿里拍卖", 1_234_500_00), ("京东", 1_250_000_00), ("人民法院诉讼资产网", 1_241_800_00)):
        report = procedure.record_report(uow, lot.id, "network_inquiry", platform, value_fen,
                                         received_on=now.date() - timedelta(days=2),
                                         issued_on=now.date() - timedelta(days=2),
                                         commissioned_on=now.date() - timedelta(days=4), actor="demo", now=now)
        procedure.mark_report_sent(uow, report.id, forwarded_on=now.date() - timedelta(days=1), actor="demo",
                                   now=now)


def _not_started(uow, court: str, context: dict, now) -> None:
    case = "（2026）浙1099执2号"
    procedure.create_case(uow, court, case, _parties(OTHER_DEBTORS[0]), actor="demo", now=now, judge=_judge(context))
    procedure.add_lot(uow, case, "金桂苑3幢1202室住宅", seized_on=now.date() - timedelta(days=20), actor="demo",
                      now=now)


def _directed_inquiry_fixed(uow, court: str, context: dict, now) -> None:
    """Case 3: the judge's instant quote of the case becomes its 定向询价 result and the reference price."""
    case = "（2026）浙1099执3号"
    judge = (context.get("users") or {}).get("judge")
    city = context.get("city")
    procedure.create_case(uow, court, case, _parties(OTHER_DEBTORS[1]), actor="demo", now=now, judge=_judge(context))
    if judge is None or city is None:
        return
    building = city.tables["buildings"].iloc[0]
    lot = procedure.add_lot(uow, case, f"{building['address']}302室住宅", seized_on=now.date() - timedelta(days=12),
                            actor="demo", now=now, building_id=str(building["building_id"]),
                            address=str(building["address"]))
    quote = inquiry_service.quote_for_user(
        uow, judge, QuoteRequest(floor=3, area="89.50", contract_date=now.date() - timedelta(days=700),
                                 building_id=str(building["building_id"])),
        case_number=case, purpose="执行案件财产处置询价", now=now)
    report = procedure.record_directed_inquiry(uow, lot.id, quote.verification_code, actor=judge.username, now=now)
    procedure.fix_reference_price(uow, report.id, today=now.date(), actor=judge.username, now=now)


def _appraisal(uow, court: str, context: dict, now) -> None:
    case = "（2026）浙1099执4号"
    procedure.create_case(uow, court, case, _parties(OTHER_DEBTORS[2]), actor="demo", now=now, judge=_judge(context))
    lot = procedure.add_lot(uow, case, "浙A·D0001 小型越野客车", seized_on=now.date() - timedelta(days=40),
                            kind="vehicle", actor="demo", now=now)
    firms = ["示范市诚信资产评估有限公司", "示范市中正房地产估价有限公司", "示范市明德资产评估事务所",
             "示范市天平价格评估有限公司"]
    procedure.commit_firm_lottery(uow, lot.id, firms, "demo-seed-2026", actor="demo", now=now)
    drawn = procedure.draw_firm_lottery(uow, lot.id, "demo-seed-2026", actor="demo", now=now)
    procedure.record_report(uow, lot.id, "appraisal", drawn[0], 186_000_00, issued_on=now.date() - timedelta(days=2),
                            received_on=now.date() - timedelta(days=1), commissioned_on=now.date() - timedelta(days=25),
                            actor="demo", now=now)


def _objections(uow, court: str, context: dict, now) -> None:
    case = "（2026）浙1099执5号"
    debtor = OTHER_DEBTORS[3]
    procedure.create_case(uow, court, case, _parties(debtor), actor="demo", now=now, judge=_judge(context))
    lot = procedure.add_lot(uow, case, "银杏湾7幢301室住宅", seized_on=now.date() - timedelta(days=25), actor="demo",
                            now=now)
    reports = []
    for platform, value_fen in (("阿里拍卖", 980_000_00), ("京东", 1_010_000_00)):
        report = procedure.record_report(uow, lot.id, "network_inquiry", platform, value_fen,
                                         received_on=now.date() - timedelta(days=6),
                                         issued_on=now.date() - timedelta(days=6),
                                         commissioned_on=now.date() - timedelta(days=8), actor="demo", now=now)
        procedure.mark_report_sent(uow, report.id, forwarded_on=now.date() - timedelta(days=5), actor="demo", now=now)
        reports.append(report)
    pending = objection_service.file_objection(
        uow, case_number=case, report_id=reports[0].id, id_number=debtor[1], grounds=["basic_facts", "method"],
        facts="报告记载建筑面积 120 平方米，不动产权证记载 98.5 平方米。", reasons="财产基本信息错误，应以登记面积重新询价。",
        address_for_service="", received_report_on=now.date() - timedelta(days=4), now=now - timedelta(hours=20),
        submission_key="demo-objection-pending-0001", actor=debtor[0])
    refused = objection_service.file_objection(
        uow, case_number=case, report_id=reports[1].id, id_number=PARTIES[0][2], grounds=["result"],
        facts="询价结果偏低。", reasons="同小区近期成交价更高。", address_for_service="",
        received_report_on=now.date() - timedelta(days=4), now=now - timedelta(days=2),
        submission_key="demo-objection-refused-0001", actor=PARTIES[0][1])
    objection_service.decide_admission(uow, refused.objection.id, accept=False, decided_on=now.date() - timedelta(days=1),
                                       reason=refused.objection.assessment, served_on=now.date() - timedelta(days=1),
                                       actor=_judge(context) or "demo", now=now)
    del pending


def _ensure_cases(uow, court: str, context: dict) -> None:
    if demo_repo.court_cases(uow.session, court):
        return
    now = ledger.now_local()
    for stage in (_party_journey, _not_started, _directed_inquiry_fixed, _appraisal, _objections):
        stage(uow, court, context, now)


def build(uow, context: dict) -> None:
    court = context["courts"][0]
    _ensure_cases(uow, court, context)
    case = procedure.get_case(uow, DEMO_CASE)
    for party in case.parties:
        _user, code = accounts_service.issue_party_access(uow, case_number=case.case_number,
                                                          id_number=party.id_number, actor="demo")
        context["credentials"][f"当事人 {party.name} {case.case_number} 查询码"] = code
    _viewing_party(uow, court, context)


def _viewing_party(uow, court: str, context: dict) -> None:
    """The debtor of a seized vehicle in custody (another area's demo data), to book a viewing slot."""
    item = demo_repo.first_item_with_viewing_slot(uow.session, court)
    if item is None:
        return
    lot = get_lot(uow, item.lot_id) if item.lot_id else None
    parties = lot.lot.parties if lot else []
    debtor = next((p.name for p in parties if p.role.value == "debtor"), None) or item.debtor or "被执行人"
    _user, code = accounts_service.issue_party_access(uow, case_number=item.case_number, party_role="debtor",
                                                      party_name=debtor, actor="demo")
    context["credentials"][f"当事人 {debtor} {item.case_number} 查询码（预约看样）"] = code
