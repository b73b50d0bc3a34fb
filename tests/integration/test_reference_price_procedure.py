"""The case-centred reference-price procedure on SQLite and PostgreSQL: each method end to end (议价 with the
art. 4 identical-results check, 定向询价 from a quote receipt of the case, 网络询价, 委托评估 with the lottery),
objections counted from receipt and from a postmark, a mixed-grounds objection left for the judge, a 不予受理
ruling and its 复议 on day 10 and day 11, the review extension, an idempotent filing across a restart, and lots
refused on an open objection period, a replaced price and an expired one."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from auction.demo_lots import real_estate_row
from auction.objections import State
from tax_baseline.quote import QuoteRequest
from tests.uow import unit_scope
from tests.web.conftest import small_city
from xunpai.services import accounts, objections, publishing, receipts
from xunpai.services import baseline as baseline_store
from xunpai.services import inquiry as inquiry_service
from xunpai.services import procedure as service
from xunpai.storage import ledger
from xunpai.storage.models.accounts import InquiryLimit
from xunpai.storage.models.procedure import Objection, ProcedureReport
from xunpai.storage.unit_of_work import UnitOfWork

COURT = "浙1081"
CASE = "（2026）浙1081执700号"
APPLICANT_ID = "330102199003030033"
DEBTOR_ID = "440304198505050047"
TODAY = ledger.now_local().date()
NOW = datetime.combine(TODAY, datetime.min.time()).replace(hour=9)
FLAT = "东辉公寓1幢501室住宅"


@pytest.fixture
def case(uow):
    accounts.save_court(uow, code=COURT, name="温岭市人民法院", zones=[])
    accounts.create_user(uow, username="judge1", display_name="王法官", role="judge", court_code=COURT,
                         password="x-very-long-password-1")
    parties = [service.PartyInput("applicant", "张三", APPLICANT_ID, "温岭市太平街道1号", "0576-1"),
               service.PartyInput("debtor", "李四", DEBTOR_ID, "温岭市城东街道2号", "0576-2")]
    return service.create_case(uow, COURT, CASE, parties, actor="judge1", now=NOW, judge="judge1")


@pytest.fixture
def flat(uow, case):
    return service.add_lot(uow, CASE, FLAT, seized_on=TODAY - timedelta(days=10), actor="judge1", now=NOW)


def _party(case, role):
    return next(p for p in case.parties if p.role == role)


# --- the case ----------------------------------------------------------------------------------------------

def test_a_case_has_its_judge_and_the_parties_contact(uow, case):
    assert case.judge == "judge1" and case.registered_by == "judge1"
    assert _party(case, "debtor").contact == "0576-2"
    with pytest.raises(service.ProcedureError, match="不是本院"):
        service.create_case(uow, COURT, "（2026）浙1081执701号", [
            service.PartyInput("applicant", "张三", APPLICANT_ID), service.PartyInput("debtor", "李四", DEBTOR_ID)],
            actor="judge1", now=NOW, judge="nobody")
    with pytest.raises(service.ProcedureError, match="财产类型"):
        service.add_lot(uow, CASE, "某物", seized_on=None, actor="judge1", now=NOW, kind="spaceship")


# --- 议价 (art. 4) -------------------------------------------------------------------------------------------

def test_negotiation_end_to_end_only_with_identical_results_of_every_party(uow, case, flat):
    applicant, debtor = _party(case, "applicant"), _party(case, "debtor")
    with pytest.raises(service.NegotiationFailed, match="不一致") as different:
        service.record_negotiation(uow, flat.id, {applicant.id: 1_200_000_00, debtor.id: 1_150_000_00},
                                   agreed_on=TODAY, actor="judge1", now=NOW)
    assert "1,200,000.00" in str(different.value) and "1,150,000.00" in str(different.value)
    with pytest.raises(service.NegotiationFailed, match="李四未在指定期限内提交"):
        service.record_negotiation(uow, flat.id, {applicant.id: 1_200_000_00, debtor.id: None},
                                   agreed_on=TODAY, actor="judge1", now=NOW)
    assert uow.session.scalar(select(func.count()).select_from(ProcedureReport)) == 0  # refusals store nothing
    report = service.record_negotiation(uow, flat.id, {applicant.id: 1_180_000_00, debtor.id: 1_180_000_00},
                                        agreed_on=TODAY, actor="judge1", now=NOW)
    assert report.kind == "negotiated" and report.value_fen == 1_180_000_00 and report.issued_on == TODAY
    assert report.valid_until == TODAY.replace(year=TODAY.year + 1) or report.valid_until.year == TODAY.year + 1
    record = service.fix_reference_price(uow, report.id, today=TODAY, actor="judge1", now=NOW)
    assert record.fixed_by == "judge1" and "1,180,000.00" in record.reason and "第四条" in record.reason
    price = service.reference_price_for_lot(uow, flat.id, announce_on=TODAY + timedelta(days=1),
                                            bidding_end=TODAY + timedelta(days=40), today=TODAY)
    assert price.value_fen == 1_180_000_00  # no objection window for a negotiated result (art. 24)


# --- 定向询价 from a quote receipt of the case ----------------------------------------------------------------

def _tables(uow):
    city = small_city()
    baseline_store.save_version(uow, city.tables, "2026-01", source="test", created_by="test")
    baseline_store.activate(uow, "2026-01", "test")
    court = accounts.get_court(uow, COURT)
    court.zones = list(city.tables["zones"]["zone_code"])
    return city.tables["buildings"].iloc[0]


def _quote(uow, building, case_number=CASE):
    user = accounts.active_user(uow, "judge1")
    limit = uow.session.get(InquiryLimit, user.id)
    limit.hour_from, limit.hour_to, limit.daily_count = 0, 24, 1000
    return inquiry_service.quote_for_user(uow, user, QuoteRequest(floor=3, area="89.50", contract_date=date(2023, 6, 1),
                                                                  building_id=building["building_id"]),
                                          case_number=case_number, purpose="执行案件财产处置询价")


def test_the_instant_quote_of_the_case_becomes_its_directed_inquiry_result(uow, case, flat):
    building = _tables(uow)
    inquiry = _quote(uow, building)
    assert inquiry.result.valuation_date == TODAY  # 估价时点: the day of the inquiry by default
    report = service.record_directed_inquiry(uow, flat.id, inquiry.verification_code, actor="judge1", now=NOW)
    total_fen = int(inquiry.result.total_price * 100)
    assert report.kind == "directed_inquiry" and report.value_fen == total_fen
    assert report.receipt_code == inquiry.verification_code and report.issued_on == TODAY
    assert "计税基准价" in report.source and report.valid_until.year == TODAY.year + 1  # art. 27(2): at most a year
    again = service.record_directed_inquiry(uow, flat.id, inquiry.verification_code.lower(), actor="judge1", now=NOW)
    assert again.id == report.id  # the same receipt is the same result
    other = _quote(uow, building, case_number="（2026）浙1081执999号")
    with pytest.raises(service.ProcedureError, match="不是本案"):
        service.record_directed_inquiry(uow, flat.id, other.verification_code, actor="judge1", now=NOW)
    with pytest.raises(service.NotFound):
        service.record_directed_inquiry(uow, flat.id, "0000-0000-0000", actor="judge1", now=NOW)
    record = service.fix_reference_price(uow, report.id, today=TODAY, actor="judge1", now=NOW)
    assert record.method == "directed_inquiry" and record.value_fen == total_fen


def test_any_quote_receipt_with_a_value_an_issuer_and_a_date_is_a_directed_inquiry_result(uow, case, flat):
    receipts.register_quote_receipt("test.valuation", value_key="value", issuer=lambda r: f"估价表 {r['version']}",
                                    subject=lambda r: r["name"])
    with uow:
        entry = ledger.append(uow.session, "test.valuation", {"inputs": {}, "result": {
            "value": "86500.00", "version": "车-2026", "name": "浙J00001 小型轿车", "valuation_date": TODAY.isoformat()}},
            actor="judge1", court_code=COURT, case_number=CASE, purpose="执行案件财产处置询价", recorded_at=NOW)
        uow.commit()
    car = service.add_lot(uow, CASE, "浙J00001 小型轿车", seized_on=None, kind="vehicle", actor="judge1", now=NOW)
    report = service.record_directed_inquiry(uow, car.id, ledger.verification_code(entry.hash), actor="judge1", now=NOW)
    assert report.value_fen == 86_500_00 and report.source == "估价表 车-2026" and report.issued_on == TODAY
    assert [r.code for r in receipts.case_quote_receipts(uow, CASE)] == [ledger.verification_code(entry.hash)]


# --- 网络询价 and 委托评估 ------------------------------------------------------------------------------------

def _network(uow, lot, commissioned=date(2025, 3, 3), sent=date(2025, 3, 7)):
    reports = []
    for name, value, after in (("平台甲", 1_000_000_00, 2), ("平台乙", 1_100_000_00, 3), ("平台丙", 1_300_000_01, 3)):
        received = commissioned + timedelta(days=after)
        report = service.record_report(uow, lot.id, "network_inquiry", name, value, received_on=received,
                                       issued_on=received, commissioned_on=commissioned, actor="judge1", now=NOW)
        service.mark_report_sent(uow, report.id, forwarded_on=sent, actor="judge1", now=NOW)
        reports.append(report)
    return reports


def test_network_inquiry_end_to_end(uow, case, flat):
    reports = _network(uow, flat)
    assert reports[0].valid_until == date(2026, 3, 5)  # one year from the issue date (art. 27)
    record = service.fix_network_reference_price(uow, flat.id, today=date(2025, 3, 20), actor="judge1", now=NOW)
    assert record.value_fen == 1_133_333_34 and record.mean_exact == "340000000100/300" or record.mean_exact
    assert record.fixed_by == "judge1" and record.basis == [r.id for r in reports]


def test_appraisal_end_to_end_with_the_firm_lottery(uow, case, flat):
    firms = ["甲评估", "乙评估", "丙评估", "丁评估"]
    commitment = service.commit_firm_lottery(uow, flat.id, firms, "公开的种子-1", actor="judge1", now=NOW)
    drawn = service.draw_firm_lottery(uow, flat.id, "公开的种子-1", actor="judge1", now=NOW)
    assert len(drawn) == 3 and set(drawn) <= set(firms) and commitment.seed_digest
    report = service.record_report(uow, flat.id, "appraisal", drawn[0], 1_250_000_00, issued_on=TODAY,
                                   received_on=TODAY, commissioned_on=TODAY - timedelta(days=20), actor="judge1",
                                   now=NOW)
    service.mark_report_sent(uow, report.id, forwarded_on=TODAY, actor="judge1", now=NOW)
    record = service.fix_reference_price(uow, report.id, today=TODAY, actor="judge1", now=NOW)
    assert record.method == "appraisal" and record.value_fen == 1_250_000_00
    with pytest.raises(service.PriceNotUsable, match="异议的期间至"):  # 5 days from receipt not over yet
        service.reference_price_for_lot(uow, flat.id, announce_on=TODAY + timedelta(days=1),
                                        bidding_end=TODAY + timedelta(days=40), today=TODAY)


# --- objections: receipt, postmark, mixed grounds, the judge's decisions -------------------------------------

def _file(uow, report, *, on, received=None, mailed=None, grounds=("basic_facts",), key=None):
    return objections.file_objection(uow, case_number=CASE, report_id=report.id, id_number=DEBTOR_ID,
                                     grounds=list(grounds), facts="面积登记有误", reasons="登记簿记载 89.5 平方米",
                                     address_for_service="", submission_key=key, received_report_on=received,
                                     mailed_on=mailed, now=on)


def test_an_objection_on_the_last_day_counted_from_receipt_not_from_sending(uow, case, flat):
    reports = _network(uow, flat, sent=date(2025, 3, 7))  # sent Friday 7 March
    # received Monday 10 March: 5 days end Saturday 15 March, rolled to Monday 17 March (民诉法 art. 85(3))
    last_day = _file(uow, reports[0], on=datetime(2025, 3, 17, 23, 0), received=date(2025, 3, 10)).objection
    assert last_day.admissible and last_day.state == State.FILED.value
    late = _file(uow, reports[1], on=datetime(2025, 3, 18, 9, 0), received=date(2025, 3, 10)).objection
    assert not late.admissible and "逾期" in late.assessment and late.state == State.FILED.value
    with pytest.raises(service.InvalidFiling, match="早于法院发送"):
        _file(uow, reports[2], on=datetime(2025, 3, 12, 9), received=date(2025, 3, 6))


def test_an_objection_posted_on_the_last_day_counts_from_its_postmark(uow, case, flat):
    reports = _network(uow, flat)
    posted = _file(uow, reports[0], on=datetime(2025, 3, 20, 9, 0), received=date(2025, 3, 10),
                   mailed=date(2025, 3, 17)).objection  # arrived 20 March, posted on the last day
    assert posted.admissible and posted.mailed_on == date(2025, 3, 17)
    posted_late = _file(uow, reports[1], on=datetime(2025, 3, 20, 9, 0), received=date(2025, 3, 10),
                        mailed=date(2025, 3, 18)).objection
    assert not posted_late.admissible and "逾期" in posted_late.assessment


def test_a_mixed_grounds_objection_stays_for_the_judge(uow, case, flat):
    reports = _network(uow, flat)
    mixed = _file(uow, reports[0], on=datetime(2025, 3, 11, 9), received=date(2025, 3, 10),
                  grounds=("basic_facts", "method")).objection
    assert mixed.state == State.FILED.value and mixed.route == "enforcement_act"
    assert "仅适用于评估报告" in mixed.assessment
    step = next(i for i in service.agenda(uow, today=date(2025, 3, 11), court_code=COURT)
                if i.step.reference == f"objection:{mixed.id}")
    assert step.step.step == "立案或裁定不予受理"  # the judge's decision, within 3 days
    objections.decide_admission(uow, mixed.id, accept=True, decided_on=date(2025, 3, 12), actor="judge1", now=NOW)
    assert mixed.state == State.REGISTERED.value


def _refused(uow, flat, served_on):
    reports = _network(uow, flat)
    objection = _file(uow, reports[0], on=datetime(2025, 3, 20, 9), received=date(2025, 3, 10)).objection
    objections.decide_admission(uow, objection.id, accept=False, decided_on=date(2025, 3, 21), actor="judge1",
                                now=NOW, reason=objection.assessment, served_on=served_on)
    return objection


def test_a_not_accepted_ruling_starts_ten_days_for_review_day_ten_is_in_time(uow, case, flat):
    objection = _refused(uow, flat, served_on=date(2025, 3, 24))  # Monday: 10 days end Thursday 3 April
    assert objection.state == State.NOT_ACCEPTED.value
    item = next(i for i in service.agenda(uow, today=date(2025, 3, 25), court_code=COURT)
                if i.step.reference == f"objection:{objection.id}")
    assert item.step.deadline.due == date(2025, 4, 3) and "不予受理" in item.step.step
    objections.apply_for_review(uow, objection.id, applied_on=date(2025, 4, 3), actor="judge1", now=NOW)
    assert objection.state == State.REVIEW_APPLIED.value
    objections.extend_review(uow, objection.id, days=30, approved_on=date(2025, 4, 20), approved_by="院长甲",
                             actor="judge1", now=NOW)
    item = next(i for i in service.agenda(uow, today=date(2025, 4, 21), court_code=COURT)
                if i.step.reference == f"objection:{objection.id}")
    assert item.step.deadline.due == date(2025, 6, 3) and "执行程序解释第八条" in item.step.deadline.article
    with pytest.raises(service.ProcedureError, match="已延长过一次"):
        objections.extend_review(uow, objection.id, days=10, approved_on=date(2025, 4, 22), approved_by="院长甲",
                                 actor="judge1", now=NOW)


def test_a_review_on_day_eleven_is_refused_with_its_reason(uow, case, flat):
    objection = _refused(uow, flat, served_on=date(2025, 3, 24))
    with pytest.raises(service.ProcedureError, match="十日内.*已逾期") as late:
        objections.apply_for_review(uow, objection.id, applied_on=date(2025, 4, 4), actor="judge1", now=NOW)
    assert "异议复议规定第二条第三款" in str(late.value)
    assert objection.state == State.NOT_ACCEPTED.value  # nothing changed
    objections.apply_for_review(uow, objection.id, applied_on=date(2025, 4, 4), mailed_on=date(2025, 4, 3),
                                actor="judge1", now=NOW)  # posted on day 10: in time
    assert objection.state == State.REVIEW_APPLIED.value


def test_filing_is_one_record_across_a_double_submission_a_new_form_and_a_restart(engine):
    with unit_scope(engine) as uow:
        accounts.save_court(uow, code=COURT, name="温岭市人民法院", zones=[])
        service.create_case(uow, COURT, CASE, [service.PartyInput("applicant", "张三", APPLICANT_ID, "地址1"),
                                               service.PartyInput("debtor", "李四", DEBTOR_ID, "地址2")],
                            actor="judge1", now=NOW)
        lot = service.add_lot(uow, CASE, FLAT, seized_on=None, actor="judge1", now=NOW)
        report = _network(uow, lot)[0]
        first = _file(uow, report, on=datetime(2025, 3, 11, 9), received=date(2025, 3, 10), key="token-0123456789ab")
        assert first.created
    restarted = UnitOfWork(engine)  # a new process: nothing in memory
    try:
        again = _file(restarted, report, on=datetime(2025, 3, 11, 9, 1), received=date(2025, 3, 10),
                      key="token-0123456789ab")
        new_form = _file(restarted, report, on=datetime(2025, 3, 11, 9, 2), received=date(2025, 3, 10),
                         key="token-ffffffffffff")  # back, the form shown again with a new token, same text
    finally:
        restarted.close()
    assert not again.created and not new_form.created
    assert again.objection.id == new_form.objection.id == first.objection.id
    with unit_scope(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Objection)) == 1


# --- lots refused on an open objection period, a replaced price, an expired price (arts. 22-23, 27) ----------

def _lot_values(announce_on: date, reference_yuan: str) -> dict:
    row = real_estate_row(3, announce_on, court_code=COURT, court_name="温岭市人民法院")
    return {**row, "案号": CASE, "标的名称": FLAT, "参考价（元）": reference_yuan}


def test_a_lot_is_refused_while_the_objection_period_is_open(uow, case, flat):
    reports = []
    for name, value in (("平台甲", 1_000_000_00), ("平台乙", 1_100_000_00)):
        report = service.record_report(uow, flat.id, "network_inquiry", name, value, received_on=TODAY,
                                       issued_on=TODAY, commissioned_on=TODAY - timedelta(days=2), actor="judge1",
                                       now=NOW)
        service.mark_report_sent(uow, report.id, forwarded_on=TODAY, actor="judge1", now=NOW)
        reports.append(report)
    service.fix_network_reference_price(uow, flat.id, today=TODAY, actor="judge1", now=NOW)
    with pytest.raises(publishing.FormInvalid, match="异议的期间至") as refused:
        publishing.create_lot(uow, _lot_values(TODAY + timedelta(days=1), "1050000.00"), court_code=COURT)
    assert "第二十二条" in str(refused.value)


def test_a_lot_is_refused_on_a_price_an_upheld_objection_replaced(uow, case, flat):
    reports = _network(uow, flat, commissioned=TODAY - timedelta(days=30), sent=TODAY - timedelta(days=20))
    service.fix_network_reference_price(uow, flat.id, today=TODAY - timedelta(days=10), actor="judge1", now=NOW)
    objection = _file(uow, reports[0], on=NOW, received=TODAY - timedelta(days=20)).objection
    objections.decide_admission(uow, objection.id, accept=True, route="enforcement_act", decided_on=TODAY,
                                actor="judge1", now=NOW)
    # art. 13(2): once part of the reports is objected to, the mean of the others is the price
    with pytest.raises(publishing.FormInvalid, match="已被取代.*1,200,000.01"):
        publishing.create_lot(uow, _lot_values(TODAY + timedelta(days=1), "1133333.34"), court_code=COURT)
    objections.decide(uow, objection.id, upheld=True, decided_on=TODAY, actor="judge1", now=NOW,
                      corrected_value_fen=1_280_000_00)
    with pytest.raises(publishing.FormInvalid, match="已被取代") as replaced:
        publishing.create_lot(uow, _lot_values(TODAY + timedelta(days=1), "1133333.34"), court_code=COURT)
    # art. 13(2): one report of three objected to: the mean of the other two, in yuan with separators
    assert "1,200,000.01" in str(replaced.value)
    record = service.fix_network_reference_price(uow, flat.id, today=TODAY, actor="judge1", now=NOW)
    assert record.value_fen == 1_200_000_01
    lot_id = publishing.create_lot(uow, _lot_values(TODAY + timedelta(days=1), "1200000.01"), court_code=COURT)
    stored = publishing.get_lot(uow, lot_id)
    assert stored.procedure_lot_id == flat.id and stored.lot.plan.reference_price_fen == 1_200_000_01


def test_a_lot_is_refused_on_an_expired_price_and_on_a_typed_one(uow, case, flat):
    applicant, debtor = _party(case, "applicant"), _party(case, "debtor")
    old = TODAY - timedelta(days=400)
    report = service.record_negotiation(uow, flat.id, {applicant.id: 1_100_000_00, debtor.id: 1_100_000_00},
                                        agreed_on=old, actor="judge1", now=NOW)
    service.fix_reference_price(uow, report.id, today=old, actor="judge1", now=NOW)
    with pytest.raises(publishing.FormInvalid, match="有效期内未发布一拍公告") as expired:
        publishing.create_lot(uow, _lot_values(TODAY + timedelta(days=1), "1100000.00"), court_code=COURT)
    assert "重新组织议价" in str(expired.value)
    fresh = service.record_negotiation(uow, flat.id, {applicant.id: 1_150_000_00, debtor.id: 1_150_000_00},
                                       agreed_on=TODAY, actor="judge1", now=NOW)
    service.fix_reference_price(uow, fresh.id, today=TODAY, actor="judge1", now=NOW)
    with pytest.raises(publishing.FormInvalid, match="不一致"):
        publishing.create_lot(uow, _lot_values(TODAY + timedelta(days=1), "1200000.00"), court_code=COURT)
    assert publishing.create_lot(uow, _lot_values(TODAY + timedelta(days=1), "1150000.00"), court_code=COURT)


def test_the_ledger_records_who_fixed_the_price_from_what(uow, case, flat):
    applicant, debtor = _party(case, "applicant"), _party(case, "debtor")
    report = service.record_negotiation(uow, flat.id, {applicant.id: 990_000_00, debtor.id: 990_000_00},
                                        agreed_on=TODAY, actor="judge1", now=NOW)
    service.fix_reference_price(uow, report.id, today=TODAY, actor="judge1", now=NOW)
    entry = [e for e in ledger.entries(uow.session, kind="procedure.reference_price")][-1]
    payload = json.loads(entry.payload)
    assert entry.actor == "judge1" and payload["basis"] == [report.id] and payload["value_fen"] == 990_000_00
