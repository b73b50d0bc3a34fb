"""Parties file objections, judges decide; the agenda and the party's page follow. A double submission is one
objection; evidence limits; who may see which objection."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import func, select

from tests.files import PDF
from tests.uow import unit_scope
from tests.web.conftest import CASE, csrf_token, login, party_login
from xunpai.storage.ledger import now_local
from xunpai.storage.models.procedure import EvidenceFile, Objection


def _form(client, seeded):
    url = f"/party/case/{CASE}/objections/new?report={seeded.report_id}"
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    return url, token, key


def _file(client, seeded, *, key=None, evidence=((PDF, "评估对象照片.pdf"),), grounds=("basic_facts",)):
    url, token, fresh_key = _form(client, seeded)
    data = {"csrf_token": token, "submission_key": key or fresh_key, "report": str(seeded.report_id),
            "grounds": list(grounds), "facts": "询价报告记载的面积为 120 平方米，不动产权证记载为 98.5 平方米。",
            "reasons": "财产基本信息错误，询价结果应以登记面积重新计算。", "address_for_service": "",
            "received_on": now_local().date().isoformat(),
            "evidence": [(io.BytesIO(content), name) for content, name in evidence]}
    return client.post(url, data=data, content_type="multipart/form-data")


def _filed_and_judge(client, seeded, engine, app, judge_name: str = "judge1"):
    """The party (signed in on ``client``) files an objection; a judge signs in on a client of their own."""
    party_login(client, CASE, seeded.party_code)
    _file(client, seeded)
    with unit_scope(engine) as uow:
        objection_id = uow.session.execute(select(Objection.id)).scalar_one()
    judge = app.test_client()
    login(judge, judge_name)
    return judge, objection_id


def _count(engine) -> tuple[int, int]:
    with unit_scope(engine) as uow:
        return (uow.session.scalar(select(func.count()).select_from(Objection)),
                uow.session.scalar(select(func.count()).select_from(EvidenceFile)))


def test_party_sees_the_reports_of_their_case(client, seeded):
    party_login(client, CASE, seeded.party_code)
    page = client.get(f"/party/case/{CASE}").get_data(as_text=True)
    assert "阿里拍卖" in page and "1,234,500.00" in page and "提出异议" in page


def test_party_files_an_objection_and_gets_a_receipt(client, seeded, engine):
    party_login(client, CASE, seeded.party_code)
    response = _file(client, seeded)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.location).get_data(as_text=True)
    assert "已提交" in page and "评估对象照片.pdf" in page and "立案或裁定不予受理" in page
    receipt = client.get(response.location + "/receipt.pdf")
    assert receipt.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.data)).pages)
    text = text.replace(" ", "").replace("\x00", "")
    assert "异议申请提交回执" in text and CASE in text and "财产基本信息错误" in text
    assert _count(engine) == (1, 1)


def test_the_same_form_submitted_twice_is_one_objection(client, seeded, engine):
    party_login(client, CASE, seeded.party_code)
    first = _file(client, seeded)
    second = _file(client, seeded, key="a-key-forged-by-the-browser")
    assert first.location == second.location
    assert "未重复登记" in client.get(second.location).get_data(as_text=True)
    assert _count(engine) == (1, 1)


def test_objection_without_grounds_or_with_a_foreign_file_changes_nothing(client, seeded, engine):
    party_login(client, CASE, seeded.party_code)
    response = _file(client, seeded, grounds=())
    assert response.status_code == 422 and "异议事由" in response.get_data(as_text=True)
    response = _file(client, seeded, evidence=((b"MZ\x90\x00 not a pdf", "virus.exe"),))
    assert response.status_code == 422
    assert _count(engine) == (0, 0)


def test_judge_registers_and_decides_and_the_party_sees_the_outcome(client, seeded, engine, app):
    judge, objection_id = _filed_and_judge(client, seeded, engine, app)
    inbox = judge.get("/objections").get_data(as_text=True)
    assert "王某某" in inbox and "立案或裁定不予受理" in inbox
    token = csrf_token(judge, f"/objections/{objection_id}")
    assert judge.post(f"/objections/{objection_id}/advance", data={"csrf_token": token, "event": "register"}
                      ).status_code == 302
    agenda = judge.get("/agenda").get_data(as_text=True)
    assert "作出异议裁定" in agenda
    response = judge.post(f"/objections/{objection_id}/decide",
                          data={"csrf_token": token, "decision": "upheld", "summary": "面积有误，责令平台补正。"})
    assert response.status_code == 302
    assert "裁定已记录" in judge.get(response.location).get_data(as_text=True)
    agenda = judge.get("/agenda").get_data(as_text=True)
    assert "送达异议裁定" in agenda and "作出异议裁定" not in agenda
    party_page = client.get(f"/party/case/{CASE}").get_data(as_text=True)
    assert "异议成立" in party_page and "面积有误" in party_page


def test_an_illegal_step_is_refused_with_the_allowed_ones(client, seeded, engine, app):
    judge, objection_id = _filed_and_judge(client, seeded, engine, app)
    token = csrf_token(judge, f"/objections/{objection_id}")
    response = judge.post(f"/objections/{objection_id}/decide",
                          data={"csrf_token": token, "decision": "upheld", "summary": "x"})
    page = judge.get(response.location).get_data(as_text=True)
    assert "不能进行" in page
    with unit_scope(engine) as uow:
        assert uow.session.execute(select(Objection.state)).scalar_one() == "filed"


def test_another_party_of_the_same_case_cannot_open_the_objection(client, seeded, app, engine):
    party_login(client, CASE, seeded.party_code)
    location = _file(client, seeded).location
    other = app.test_client()
    party_login(other, CASE, seeded.applicant_code)
    assert other.get(location).status_code == 404
    assert other.get(location + "/receipt.pdf").status_code == 404


def test_judge_of_another_court_cannot_open_the_objection(client, seeded, app, engine):
    judge, objection_id = _filed_and_judge(client, seeded, engine, app, "judge2")
    assert judge.get(f"/objections/{objection_id}").status_code == 403
    assert "王某某" not in judge.get("/objections").get_data(as_text=True)


def test_evidence_opens_for_its_filer_and_the_court_only(client, seeded, app, engine):
    party_login(client, CASE, seeded.party_code)
    _file(client, seeded)
    with unit_scope(engine) as uow:
        objection_id, evidence_id = uow.session.execute(select(EvidenceFile.objection_id, EvidenceFile.id)).one()
    url = f"/objections/{objection_id}/evidence/{evidence_id}"
    download = client.get(url)
    assert download.status_code == 200 and download.data == PDF
    assert client.get(f"/objections/{objection_id}/evidence/{evidence_id + 1}").status_code == 404
    other = app.test_client()
    party_login(other, CASE, seeded.applicant_code)
    assert other.get(url).status_code == 404
    assert other.get(f"/objections/{objection_id + 1}/evidence/{evidence_id}").status_code == 404
    judge = app.test_client()
    login(judge, "judge1")
    assert judge.get(url).data == PDF
    stranger = app.test_client()
    login(stranger, "judge2")
    assert stranger.get(url).status_code == 403


def test_party_books_a_viewing_slot_once(client, seeded, engine):
    from datetime import datetime, timedelta

    from auction.custody import INSPECTION_CHECKLISTS
    from xunpai.services import custody as custody_service
    from xunpai.storage.models.custody import ViewingBooking

    with unit_scope(engine) as uow:
        item = custody_service.intake(
            uow, court_code="浙1081", case_number=CASE, kind="vehicle", description="浙J00001 小型轿车",
            location="城东保管场", condition="完好", checklist={k: "已查" for k, _n in INSPECTION_CHECKLISTS["vehicle"]},
            tariff_daily_fen=3000, intake_on=datetime.now().date(), photos=[("a.jpg", b"\xff\xd8\xff")])
        start = datetime.now().replace(microsecond=0) + timedelta(days=2)
        slot_id = custody_service.open_slot(uow, item.id, start, start + timedelta(hours=1), 2).id
    party_login(client, CASE, seeded.party_code)
    page = client.get(f"/party/case/{CASE}").get_data(as_text=True)
    assert "浙J00001 小型轿车" in page and "余 2 个名额" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "visitor_name": "王某某", "identity": "330100198001010015", "phone": "13800000000"}
    first = client.post(f"/party/case/{CASE}/viewing/{slot_id}", data=form)
    assert "预约成功" in client.get(first.location).get_data(as_text=True)
    second = client.post(f"/party/case/{CASE}/viewing/{slot_id}", data=form)
    assert "不能重复预约" in client.get(second.location).get_data(as_text=True)
    with unit_scope(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(ViewingBooking)) == 1


def test_a_deadline_in_a_year_without_a_holiday_notice_is_marked_provisional(client, seeded, engine):
    from datetime import date

    from xunpai.services import procedure
    from xunpai.storage.ledger import now_local

    with unit_scope(engine) as uow:
        report = procedure.record_report(uow, seeded.lot_id, "network_inquiry", "公拍网", 1_240_000_00,
                                         received_on=date(2026, 12, 28), actor="judge1", now=now_local())
        procedure.mark_report_sent(uow, report.id, forwarded_on=date(2026, 12, 29), actor="judge1",
                                   now=now_local())
    party_login(client, CASE, seeded.party_code)
    page = client.get(f"/party/case/{CASE}").get_data(as_text=True)
    row = page[page.index("公拍网"):][:600]
    assert "2027-01-04" in row and "暂定" in row


def test_each_step_of_the_judge_says_its_outcome_and_a_refusal_changes_nothing(client, seeded, engine, app):
    judge, objection_id = _filed_and_judge(client, seeded, engine, app)
    token = csrf_token(judge, f"/objections/{objection_id}")

    def step(action: str, **form) -> str:
        response = judge.post(f"/objections/{objection_id}/{action}", data={"csrf_token": token, **form})
        assert response.status_code == 302 and response.location.endswith(f"/objections/{objection_id}")
        return judge.get(response.location).get_data(as_text=True)

    def state() -> str:
        with unit_scope(engine) as uow:
            return uow.session.execute(select(Objection.state)).scalar_one()

    assert "不能进行" in step("review", applied_on=now_local().date().isoformat()) and state() == "filed"
    assert "请选择裁定结果" in step("decide", decision="") and state() == "filed"
    assert "2026-13-01" in step("advance", event="register", on="2026-13-01") and state() == "filed"
    assert "延长天数应为 1 至 30 的整数" in step("extend", days="十")
    assert "延长天数应为 1 至 30 的整数" in step("extend", days="²")  # a digit that is not a number
    assert "只有已申请复议" in step("extend", days="10", approved_by="院长") and state() == "filed"
    assert "已立案。" in step("admission", decision="accept", route="enforcement_act") and state() != "filed"
