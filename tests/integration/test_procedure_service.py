"""The price procedure on SQLite and PostgreSQL: cases and parties, reports and reference prices, objections
(idempotent filing, steps, decisions), the ledger, the holiday notices and the agenda."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from stdnum.cn import ric

from auction.objections import Event, IllegalTransition, State
from tests.files import PDF, PNG
from tests.uow import unit_scope
from xunpai.services import objections
from xunpai.services import procedure as service
from xunpai.storage import ledger
from xunpai.storage.db import Base
from xunpai.storage.models.accounts import Court
from xunpai.storage.models.ledger import LedgerEntry
from xunpai.storage.models.procedure import EvidenceFile, Objection, ReferencePriceRecord

COURT = "浙1081"
CASE = "（2025）浙1081执100号"
APPLICANT_ID = "330102199003030033"
DEBTOR_ID = "440304198505050047"
INTERESTED_ID = "11010519491231002X"
BANK_USCC = "91331081MA2A000004"
NOW = datetime(2025, 3, 4, 9, 30)


def _now(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


@pytest.fixture
def case(uow):
    uow.session.add(Court(code=COURT, name="温岭市人民法院", zones=[], policy={}))
    uow.session.flush()
    parties = [service.PartyInput("applicant", "张三", APPLICANT_ID, "温岭市太平街道1号"),
               service.PartyInput("debtor", "李四", DEBTOR_ID, "温岭市城东街道2号"),
               service.PartyInput("interested_party", "王五", INTERESTED_ID, "北京市西城区3号"),
               service.PartyInput("interested_party", "某银行", BANK_USCC, "温岭市4号")]
    return service.create_case(uow, COURT, "(2025)浙1081执100号", parties, actor="法官甲", now=NOW)


@pytest.fixture
def network_lot(uow, case):
    """A lot with three network-inquiry reports commissioned Monday 3 March 2025 (due Thursday 6 March)."""
    lot = service.add_lot(uow, CASE, "温岭市某小区1幢101室", seized_on=date(2025, 2, 10), actor="法官甲", now=NOW)
    reports = []
    for name, value, received in [("平台甲", 1_000_000_00, date(2025, 3, 5)), ("平台乙", 1_100_000_00, date(2025, 3, 6)),
                                  ("平台丙", 1_300_000_01, date(2025, 3, 6))]:
        report = service.record_report(uow, lot.id, "network_inquiry", name, value, received_on=received,
                                       commissioned_on=date(2025, 3, 3), actor="法官甲", now=NOW)
        service.mark_report_sent(uow, report.id, forwarded_on=date(2025, 3, 7), actor="法官甲", now=NOW)
        reports.append(report)
    return lot, reports


def _file(uow, report, *, id_number=DEBTOR_ID, grounds=("basic_facts",), key=None, evidence=(), on=None,
          facts="房屋面积登记有误", reasons="不动产登记簿记载面积为 89.5 平方米", received=None, mailed=None):
    when = on or datetime(2025, 3, 10, 15)
    return objections.file_objection(uow, case_number=CASE, report_id=report.id, id_number=id_number,
                                     grounds=list(grounds), facts=facts, reasons=reasons, address_for_service="",
                                     evidence=list(evidence), submission_key=key, now=when,
                                     received_report_on=received, mailed_on=mailed)


# A complete 2027 notice (every statutory holiday of 全国年节及纪念日放假办法 art. 2 is a rest day).
HOLIDAYS_2027 = [date(2027, 1, 1), *(date(2027, 2, d) for d in range(5, 12)), date(2027, 4, 5),
                 *(date(2027, 5, d) for d in range(1, 6)), date(2027, 6, 9), date(2027, 9, 15),
                 *(date(2027, 10, d) for d in range(1, 8))]


def _count(uow, model) -> int:
    return uow.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_migration_matches_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diff if "procedure_" in repr(d)]
    assert ours == []


# --- cases and parties --------------------------------------------------------------------------------------

def test_case_is_stored_with_canonical_number_and_validated_parties(uow, case):
    assert case.case_number == CASE
    assert {p.id_kind for p in case.parties} == {"ric", "uscc"}
    assert any(e.kind == "procedure.case" for e in ledger.entries(uow.session, case_number=CASE))


def test_invalid_resident_id_is_refused(uow):
    uow.session.add(Court(code=COURT, name="温岭市人民法院", zones=[], policy={}))
    bad = APPLICANT_ID[:-1] + ("0" if APPLICANT_ID[-1] != "0" else "1")
    assert not ric.is_valid(bad)
    with pytest.raises(service.InvalidParty, match="居民身份证"):
        service.create_case(uow, COURT, CASE, [service.PartyInput("applicant", "张三", bad),
                                                   service.PartyInput("debtor", "李四", DEBTOR_ID)],
                            actor="法官甲", now=NOW)


# --- reference price ------------------------------------------------------------------------------------------

def test_network_reference_price_is_the_exact_mean_rounded_to_the_fen(uow, network_lot):
    lot, reports = network_lot
    record = service.fix_network_reference_price(uow, lot.id, today=date(2025, 3, 7), actor="法官甲", now=NOW)
    values = [r.value_fen for r in reports]
    n, d = (int(x) for x in record.mean_exact.split("/"))
    assert n * len(values) == sum(values) * d
    assert record.value_fen == (sum(values) * 2 + len(values)) // (2 * len(values))  # half up
    assert record.basis == [r.id for r in reports]
    assert record.valid_until == date(2026, 3, 5)  # the earliest report's one-year cap


def test_late_report_is_left_out(uow, case):
    lot = service.add_lot(uow, CASE, "车辆", seized_on=None, actor="法官甲", now=NOW)
    for name, value, received in [("平台甲", 100_00, date(2025, 3, 6)), ("平台乙", 500_00, date(2025, 3, 7))]:
        service.record_report(uow, lot.id, "network_inquiry", name, value, received_on=received,
                              commissioned_on=date(2025, 3, 3), extension_requested=True, actor="法官甲", now=NOW)
    record = service.fix_network_reference_price(uow, lot.id, today=date(2025, 3, 8), actor="法官甲", now=NOW)
    assert record.value_fen == 100_00


# --- filing --------------------------------------------------------------------------------------------------

def test_double_submission_creates_one_objection(uow, network_lot):
    _lot, reports = network_lot
    first = _file(uow, reports[2], key="form-123", evidence=[service.EvidenceUpload("登记簿.pdf", PDF)])
    again = _file(uow, reports[2], key="form-123", evidence=[service.EvidenceUpload("登记簿.pdf", PDF)])
    assert first.created and not again.created
    assert again.objection.id == first.objection.id
    same_content = _file(uow, reports[2], key=None)
    same_content_again = _file(uow, reports[2], key=None)
    assert same_content.created and not same_content_again.created
    assert _count(uow, Objection) == 2
    filed = [e for e in ledger.entries(uow.session, kind="objection.filed")]
    assert len(filed) == 2


def test_double_submission_after_commit_on_a_new_session(engine, network_lot, uow):
    _lot, reports = network_lot
    _file(uow, reports[0], key="k-commit")
    uow.session.commit()

    with unit_scope(engine) as other:
        result = objections.file_objection(other, case_number=CASE, report_id=reports[0].id, id_number=DEBTOR_ID,
                                           grounds=["basic_facts"], facts="x", reasons="y", address_for_service="",
                                           submission_key="k-commit", now=datetime(2025, 3, 10, 16))
        assert not result.created


def test_stranger_cannot_object(uow, network_lot):
    _lot, reports = network_lot
    stranger = "330102199003030076"  # not among the case's parties
    with pytest.raises(service.NotAParty, match="不是案件"):
        _file(uow, reports[0], id_number=stranger)
    assert _count(uow, Objection) == 0


def test_interested_party_and_organisation_may_object(uow, network_lot):
    _lot, reports = network_lot
    assert _file(uow, reports[0], id_number=INTERESTED_ID).created
    assert _file(uow, reports[1], id_number=BANK_USCC.lower()).created


@pytest.mark.parametrize("upload, message", [
    (service.EvidenceUpload("a.exe", b"MZ\x90\x00"), "类型"),
    (service.EvidenceUpload("a.pdf", PNG), "类型"),
    (service.EvidenceUpload("a.pdf", b""), "为空"),
    (service.EvidenceUpload("big.pdf", b"%PDF-" + b"0" * service.EVIDENCE_MAX_BYTES), "上限"),
])
def test_evidence_limits(uow, network_lot, upload, message):
    _lot, reports = network_lot
    with pytest.raises(service.InvalidEvidence, match=message):
        _file(uow, reports[0], evidence=[upload])
    assert _count(uow, Objection) == 0


def test_evidence_is_stored_with_checksum_once(uow, network_lot):
    _lot, reports = network_lot
    result = _file(uow, reports[0], evidence=[service.EvidenceUpload("a.pdf", PDF),
                                                  service.EvidenceUpload("a-copy.pdf", PDF),
                                                  service.EvidenceUpload("photo.png", PNG)])
    files = uow.session.execute(select(EvidenceFile).where(EvidenceFile.objection_id == result.objection.id)).scalars().all()
    assert len(files) == 2
    import hashlib

    assert {f.sha256 for f in files} == {hashlib.sha256(PDF).hexdigest(), hashlib.sha256(PNG).hexdigest()}
    assert {f.content_type for f in files} == {"application/pdf", "image/png"}


def test_late_objection_waits_for_the_judge_with_the_assessment(uow, network_lot):
    _lot, reports = network_lot  # received 7 March (Friday): window ends 12 March
    on_time = _file(uow, reports[0], on=datetime(2025, 3, 12, 23, 0), received=date(2025, 3, 7)).objection
    assert on_time.state == State.FILED.value and on_time.admissible
    late = _file(uow, reports[1], on=datetime(2025, 3, 13, 9, 0), received=date(2025, 3, 7)).objection
    assert late.state == State.FILED.value and not late.admissible  # assessed, not decided by the machine
    assert "逾期" in late.assessment


def test_missing_facts_or_unknown_ground_is_refused(uow, network_lot):
    _lot, reports = network_lot
    with pytest.raises(service.InvalidFiling, match="事实和理由"):
        _file(uow, reports[0], facts=" ")
    with pytest.raises(service.InvalidFiling, match="法定事由"):
        _file(uow, reports[0], grounds=["too_expensive"])


# --- steps, decisions, ledger -----------------------------------------------------------------------------------

def test_objection_upheld_with_correction_recomputes_the_mean(uow, network_lot):
    lot, reports = network_lot
    objection = _file(uow, reports[2]).objection
    objections.advance(uow, objection.id, Event.REGISTER, on=date(2025, 3, 11), actor="法官甲", now=NOW)
    # while the objection is open the objected report is left out (art. 13(2))
    open_price = service.fix_network_reference_price(uow, lot.id, today=date(2025, 3, 11), actor="法官甲", now=NOW)
    assert open_price.value_fen == (reports[0].value_fen + reports[1].value_fen) // 2
    objections.decide(uow, objection.id, upheld=True, decided_on=date(2025, 3, 20), served_on=date(2025, 3, 21),
                      corrected_value_fen=1_200_000_00, actor="法官甲", now=NOW)
    outcome = service.network_outcome(uow, lot.id, today=date(2025, 3, 21))
    assert outcome.included == ("平台甲", "平台乙")  # partial objection: still the unobjected reports
    kinds = [e.kind for e in ledger.entries(uow.session, case_number=CASE)]
    assert "objection.filed" in kinds and "objection.transition" in kinds and "objection.decision" in kinds
    assert ledger.verify(uow.session).ok


def test_all_reports_objected_and_resolved_uses_corrected_values(uow, network_lot):
    lot, reports = network_lot
    ids = [_file(uow, r).objection.id for r in reports]
    for oid in ids:
        objections.advance(uow, oid, Event.REGISTER, on=date(2025, 3, 11), actor="法官甲", now=NOW)
    with pytest.raises(service.PriceNotFixed, match="待异议处理"):
        service.fix_network_reference_price(uow, lot.id, today=date(2025, 3, 12), actor="法官甲", now=NOW)
    objections.decide(uow, ids[0], upheld=False, decided_on=date(2025, 3, 20), actor="法官甲", now=NOW)
    objections.decide(uow, ids[1], upheld=False, decided_on=date(2025, 3, 20), actor="法官甲", now=NOW)
    objections.decide(uow, ids[2], upheld=True, corrected_value_fen=1_200_000_00, decided_on=date(2025, 3, 20),
                      actor="法官甲", now=NOW)
    record = service.fix_network_reference_price(uow, lot.id, today=date(2025, 3, 21), actor="法官甲", now=NOW)
    expected = Fraction(reports[0].value_fen + reports[1].value_fen + 1_200_000_00, 3)
    assert Fraction(record.mean_exact) == expected
    assert record.basis == [r.id for r in reports]


def test_illegal_transition_changes_nothing(uow, network_lot):
    _lot, reports = network_lot
    objection = _file(uow, reports[0]).objection
    before = _count(uow, LedgerEntry)
    with pytest.raises(IllegalTransition, match="不能进行"):
        objections.advance(uow, objection.id, Event.FORWARD_TO_APPRAISER, on=date(2025, 3, 11), actor="法官甲",
                           now=NOW)
    with pytest.raises(IllegalTransition):
        objections.decide(uow, objection.id, upheld=True, decided_on=date(2025, 3, 11), actor="法官甲", now=NOW)
    assert objection.state == State.FILED.value
    assert _count(uow, LedgerEntry) == before


def test_appraisal_qualification_upheld_goes_to_the_next_ranked_firm(uow, case):
    lot = service.add_lot(uow, CASE, "厂房", seized_on=date(2025, 2, 1), actor="法官甲", now=NOW)
    seed = "法院密钥-2025-0001"
    service.commit_firm_lottery(uow, lot.id, ["甲评估", "乙评估", "丙评估", "丁评估", "戊评估"], seed,
                                actor="法官甲", now=NOW)
    drawn = service.draw_firm_lottery(uow, lot.id, seed, actor="法官甲", now=NOW)
    assert lot.current_firm == drawn[0]
    report = service.record_report(uow, lot.id, "appraisal", drawn[0], 5_000_000_00, received_on=date(2025, 3, 3),
                                   actor="法官甲", now=NOW)
    filing = objections.file_objection(uow, case_number=CASE, report_id=report.id, id_number=APPLICANT_ID,
                                       grounds=["qualification", "result"], facts="评估师证书过期",
                                       reasons="签字评估师无有效资格", address_for_service="", now=_now(date(2025, 3, 5)))
    assert filing.objection.route == "qualification_first"
    objections.advance(uow, filing.objection.id, Event.REGISTER, on=date(2025, 3, 6), actor="法官甲", now=NOW)
    decision = objections.decide(uow, filing.objection.id, upheld=True, decided_on=date(2025, 3, 18),
                                 actor="法官甲", now=NOW)
    assert decision.effect["reappraisal_by"] == drawn[1]
    assert lot.current_firm == drawn[1]
    assert [e.kind for e in ledger.entries(uow.session, kind="procedure.lottery")] == \
        ["procedure.lottery_commit", "procedure.lottery_draw"]


def test_technical_route_confirmation_fixes_the_appraisal_as_reference_price(uow, case):
    lot = service.add_lot(uow, CASE, "商铺", seized_on=None, actor="法官甲", now=NOW)
    service.set_agreed_firms(uow, lot.id, ["A评估", "B评估", "C评估"], actor="法官甲", now=NOW)
    report = service.record_report(uow, lot.id, "appraisal", "A评估", 800_000_00, received_on=date(2025, 3, 3),
                                   actor="法官甲", now=NOW)
    oid = objections.file_objection(uow, case_number=CASE, report_id=report.id, id_number=DEBTOR_ID,
                                    grounds=["method"], facts="可比案例不当", reasons="选用了不同区位的案例",
                                    address_for_service="", now=_now(date(2025, 3, 5))).objection.id
    for event, on in [(Event.REGISTER, date(2025, 3, 6)), (Event.FORWARD_TO_APPRAISER, date(2025, 3, 7)),
                      (Event.TO_TECHNICAL_REVIEW, date(2025, 3, 14))]:
        objections.advance(uow, oid, event, on=on, actor="法官甲", now=NOW)
    objections.record_technical_conclusion(uow, oid, confirms=True, decided_on=date(2025, 4, 1), actor="法官甲",
                                           now=NOW)
    price = service.current_reference_price(uow, lot.id)
    assert price.value_fen == 800_000_00 and price.method == "appraisal"


def test_material_requested_only_once(uow, network_lot):
    _lot, reports = network_lot
    oid = _file(uow, reports[0]).objection.id
    objections.advance(uow, oid, Event.REQUEST_MATERIAL, on=date(2025, 3, 11), actor="法官甲", now=NOW)
    objections.advance(uow, oid, Event.SUPPLY_MATERIAL, on=date(2025, 3, 13), actor="张三", now=NOW)
    with pytest.raises(IllegalTransition):
        objections.advance(uow, oid, Event.REQUEST_MATERIAL, on=date(2025, 3, 14), actor="法官甲", now=NOW)


# --- policy switch --------------------------------------------------------------------------------------------

def test_policy_switch_changes_admissibility_of_directed_inquiry(uow, case):
    lot = service.add_lot(uow, CASE, "住宅", seized_on=None, actor="法官甲", now=NOW)
    report = service.record_report(uow, lot.id, "directed_inquiry", "温岭市税务局", 900_000_00,
                                   received_on=date(2025, 3, 3), actor="法官甲", now=NOW)

    def file(key):
        return objections.file_objection(uow, case_number=CASE, report_id=report.id, id_number=DEBTOR_ID,
                                         grounds=["result"], facts="询价偏低", reasons="同小区近期成交价更高",
                                         address_for_service="", submission_key=key, now=_now(date(2025, 3, 5)))

    assert service.get_policy(uow, COURT).value == "statutory"
    statutory = file("s1").objection
    assert statutory.state == State.FILED.value and not statutory.admissible and "第二十四条" in statutory.article
    objections.decide_admission(uow, statutory.id, accept=False, decided_on=date(2025, 3, 6), actor="法官甲",
                                now=NOW, reason=statutory.assessment, served_on=date(2025, 3, 7))
    service.set_policy(uow, COURT, "wenling", actor="院长", now=NOW)
    wenling = file("s2").objection
    assert wenling.admissible and wenling.route == "wenling_appraisal"
    objections.advance(uow, wenling.id, Event.REGISTER, on=date(2025, 3, 5), actor="法官甲", now=NOW)
    items = service.agenda(uow, today=date(2025, 3, 6), court_code=COURT)
    step = next(i for i in items if i.step.reference == f"objection:{wenling.id}")
    assert step.step.deadline.due == date(2025, 3, 10)  # 3 working days after Wednesday 5 March
    with pytest.raises(service.ProcedureError, match="statutory"):
        service.set_policy(uow, COURT, "lenient", actor="院长", now=NOW)


# --- calendar and agenda -----------------------------------------------------------------------------------------

def test_calendar_year_entry_is_used_and_recorded(uow):
    with pytest.raises(service.InvalidCalendarYear, match="chinesecalendar"):
        service.set_calendar_year(uow, 2026, [date(2026, 1, 1)], [], source="x", actor="管理员", now=NOW)
    assert service.load_calendar(uow).is_provisional(date(2027, 2, 8))
    with pytest.raises(service.InvalidCalendarYear, match="2027-10-01（国庆节）"):  # 10-01 left out by mistake
        service.set_calendar_year(uow, 2027, [d for d in HOLIDAYS_2027 if d != date(2027, 10, 1)], [],
                                  source="测试通知", actor="管理员", now=NOW)
    with pytest.raises(service.InvalidCalendarYear, match="2027-02-08（春节）"):  # a lunar holiday left out
        service.set_calendar_year(uow, 2027, [d for d in HOLIDAYS_2027 if d != date(2027, 2, 8)], [],
                                  source="测试通知", actor="管理员", now=NOW)
    assert service.load_calendar(uow).is_provisional(date(2027, 2, 8))  # nothing entered by the refusals
    service.set_calendar_year(uow, 2027, HOLIDAYS_2027, [date(2027, 2, 13)],
                              source="测试通知", actor="管理员", now=NOW)
    calendar = service.load_calendar(uow)
    assert not calendar.is_provisional(date(2027, 2, 8))
    assert calendar.is_rest_day(date(2027, 2, 8)) and calendar.is_working_day(date(2027, 2, 13))
    assert any(e.kind == "calendar.set_year" for e in ledger.entries(uow.session))


def test_agenda_lists_open_steps_with_flags(uow, network_lot):
    lot, reports = network_lot
    oid = _file(uow, reports[0]).objection.id
    objections.advance(uow, oid, Event.REGISTER, on=date(2025, 3, 11), actor="法官甲", now=NOW)
    unsent = service.record_report(uow, lot.id, "network_inquiry", "平台丁", 1_000_000_00,
                                   received_on=date(2025, 3, 10), commissioned_on=date(2025, 3, 3), actor="法官甲", now=NOW)
    items = service.agenda(uow, today=date(2025, 3, 26), court_code=COURT)
    by_ref = {i.step.reference: i for i in items}
    decision = by_ref[f"objection:{oid}"]
    assert decision.step.deadline.due == date(2025, 3, 25)  # 15 days from filing on 10 March
    assert decision.overdue
    assert by_ref[f"report:{unsent.id}"].step.deadline.due == date(2025, 3, 13)
    assert items[0].overdue
    with pytest.raises(service.NotFound):
        service.agenda(uow, today=date(2025, 3, 26), court_code="京0101")


def test_reference_price_record_puts_the_sale_deadline_in_the_ledger(uow, network_lot):
    lot, _reports = network_lot
    service.fix_network_reference_price(uow, lot.id, today=date(2025, 9, 21), actor="法官甲", now=NOW)
    entry = next(iter(ledger.entries(uow.session, kind="procedure.reference_price")))
    assert '"sale_start_due":"2025-10-09"' in entry.payload
    assert _count(uow, ReferencePriceRecord) == 1


def test_method_choice_follows_the_legal_order_and_is_recorded(uow, case):
    lot = service.add_lot(uow, CASE, "住宅", seized_on=None, actor="法官甲", now=NOW)
    facts = service.rp.PropertyFacts(has_tax_or_government_price=True)
    assert service.choose_method(uow, lot.id, facts, actor="法官甲", now=NOW).method.value == "negotiated"
    choice = service.choose_method(uow, lot.id, facts, failed=["negotiated"], actor="法官甲", now=NOW)
    assert choice.method.value == "directed_inquiry"
    assert len(list(ledger.entries(uow.session, kind="procedure.method"))) == 2


def test_concurrent_double_submission_creates_one_objection(engine, backend):
    """Two sessions file the same submission at once: the unique key lets exactly one through."""
    import threading

    from xunpai.storage.unit_of_work import UnitOfWork

    with unit_scope(engine) as setup:
        setup.session.add(Court(code=COURT, name="温岭市人民法院", zones=[], policy={}))
        setup.session.flush()
        service.create_case(setup, COURT, CASE, [service.PartyInput("applicant", "张三", APPLICANT_ID),
                                                 service.PartyInput("debtor", "李四", DEBTOR_ID, "温岭")],
                            actor="法官甲", now=NOW)
        lot = service.add_lot(setup, CASE, "住宅", seized_on=None, actor="法官甲", now=NOW)
        report_id = service.record_report(setup, lot.id, "network_inquiry", "平台甲", 100_00,
                                          received_on=date(2025, 3, 4), commissioned_on=date(2025, 3, 3),
                                          actor="法官甲", now=NOW).id

    def file(uow):
        return objections.file_objection(uow, case_number=CASE, report_id=report_id, id_number=DEBTOR_ID,
                                         grounds=["scope"], facts="遗漏车位", reasons="车位一并查封",
                                         address_for_service="", submission_key="same-click", now=NOW)

    first_flushed, results = threading.Event(), {}

    def first():
        unit = UnitOfWork(engine)
        try:
            with unit:  # the filing's transaction stays open (nested block) until this commit
                results["first"] = file(unit).created
                first_flushed.set()
                threading.Event().wait(0.5)
                unit.commit()
        finally:
            first_flushed.set()
            unit.close()

    thread = threading.Thread(target=first)
    thread.start()
    first_flushed.wait(30)
    with unit_scope(engine) as second:
        results["second"] = file(second).created
    thread.join(30)
    assert results == {"first": True, "second": False}
    with unit_scope(engine) as check:
        assert _count(check, Objection) == 1


def test_second_objection_after_withdrawal_is_not_accepted(uow, network_lot):
    _lot, reports = network_lot
    first = _file(uow, reports[0]).objection
    objections.advance(uow, first.id, Event.WITHDRAW, on=date(2025, 3, 10), actor="李四", now=NOW)
    again = _file(uow, reports[0], grounds=("scope",), facts="遗漏车位", reasons="车位一并查封").objection
    assert again.state == State.FILED.value and not again.admissible and again.article == "异议复议规定第十五条"
    other_party = _file(uow, reports[0], id_number=APPLICANT_ID).objection
    assert other_party.state == State.FILED.value


def test_listing_and_evidence_download_checks_the_checksum(uow, network_lot):
    _lot, reports = network_lot
    filed = _file(uow, reports[0], evidence=[service.EvidenceUpload("登记簿.pdf", PDF)]).objection
    assert [o.id for o in objections.list_objections(uow, CASE)] == [filed.id]
    item = objections.evidence_content(uow, filed.evidence[0].id)
    assert item.content == PDF
    item.content = PDF + b"tampered"
    uow.session.flush()
    with pytest.raises(service.ProcedureError, match="校验值"):
        objections.evidence_content(uow, item.id)


def test_review_path_deadlines_on_the_agenda(uow, network_lot):
    _lot, reports = network_lot
    oid = _file(uow, reports[0]).objection.id
    objections.advance(uow, oid, Event.REGISTER, on=date(2025, 3, 11), actor="法官甲", now=NOW)
    objections.decide(uow, oid, upheld=False, decided_on=date(2025, 3, 20), actor="法官甲", now=NOW)

    def due(today):
        items = service.agenda(uow, today=today, court_code=COURT)
        return next(i for i in items if i.step.reference == f"objection:{oid}")

    assert due(date(2025, 3, 21)).step.deadline is None  # ruling not yet served
    objections.record_service_of_decision(uow, oid, served_on=date(2025, 3, 21), actor="书记员", now=NOW)
    assert due(date(2025, 3, 22)).step.deadline.due == date(2025, 3, 31)  # 10 days: 31 March (Monday)
    objections.advance(uow, oid, Event.APPLY_FOR_REVIEW, on=date(2025, 3, 28), actor="李四", now=NOW)
    item = due(date(2025, 4, 28))
    # 30 days end on Sunday 27 April 2025, a make-up working day (调休上班): no roll-over
    assert item.step.step == "上一级法院复议裁定" and item.step.deadline.due == date(2025, 4, 27)
    assert item.overdue
    objections.advance(uow, oid, Event.REVIEW_DECIDED, on=date(2025, 4, 25), actor="上级法院", now=NOW)
    assert all(i.step.reference != f"objection:{oid}" for i in service.agenda(uow, today=date(2025, 4, 28)))
    assert ledger.verify(uow.session).ok
