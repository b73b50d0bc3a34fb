"""Demo data for the web application: a case of the demo court with its parties and two network-inquiry
reports (unless another area's demo data registered cases already), and access codes for its parties, so
that the party's journey (sign in, see the reports, object) works in the demo. The codes are printed once
with the other demo credentials."""

from __future__ import annotations

from datetime import timedelta

from xunpai.services import accounts as accounts_service
from xunpai.services import procedure
from xunpai.services.publishing import get_lot
from xunpai.storage import ledger
from xunpai.storage.models.procedure import ProcedureCase
from xunpai.storage.repositories import demo as demo_repo

DEMO_CASE = "（2026）浙1099执1号"
PARTIES = (("applicant", "示范市农村商业银行股份有限公司", "91330100MA2H00017B", "示范市城东街道金融大厦"),  # 统一社会信用代码
           ("debtor", "王某某", "330100198001010015", "示范市城东街道东辉公寓1幢501室"))


def _ensure_case(uow, court: str) -> list[ProcedureCase]:
    cases = demo_repo.court_cases(uow.session, court)
    if cases:
        return cases
    now = ledger.now_local()
    case = procedure.create_case(uow, court, DEMO_CASE,
                                 [procedure.PartyInput(*p) for p in PARTIES], actor="demo", now=now)
    lot = procedure.add_lot(uow, DEMO_CASE, "东辉公寓1幢501室住宅", seized_on=now.date() - timedelta(days=20),
                            actor="demo", now=now)
    for platform, value_fen in (("阿里拍卖", 1_234_500_00), ("京东", 1_250_000_00), ("人民法院诉讼资产网", 1_241_800_00)):
        report = procedure.record_report(uow, lot.id, "network_inquiry", platform, value_fen,
                                         received_on=now.date() - timedelta(days=2), actor="demo", now=now)
        procedure.mark_report_sent(uow, report.id, forwarded_on=now.date() - timedelta(days=1), actor="demo",
                                   now=now)
    return [case]


def build(uow, context: dict) -> None:
    court = context["courts"][0]
    for case in _ensure_case(uow, court)[:3]:
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
