"""The case screens and the case API on SQLite and PostgreSQL: the judge's home page with the open steps,
registering a case and its property, a quote of the case recorded as its 定向询价 result and fixed as the
reference price, money in yuan with separators, the same quote priced the same in the CLI and the web, and the
JSON endpoints validated against the OpenAPI document."""

from __future__ import annotations

import io
import json
import re

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import select

from tests.uow import unit_scope
from tests.web.conftest import CASE, DEBTOR_ID, csrf_token, login
from tests.web.test_web_api import _token, call, check
from xunpai.cli import main
from xunpai.cli import support as cli_support
from xunpai.storage.ledger import now_local
from xunpai.storage.models.ledger import LedgerEntry

NEW_CASE = "（2026）浙1081执555号"


def _web_quote(client, seeded, case=CASE):
    data = {"building_id": seeded.building_id, "floor": "3", "orientation": "南", "area": "89.5",
            "contract_date": "2023-06-01", "case_number": case, "purpose": "执行案件财产处置询价",
            "csrf_token": csrf_token(client, "/inquiry/")}
    response = client.post("/inquiry/", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.location).get_data(as_text=True)
    return re.search(r'class="code">([0-9A-F-]+)<', page).group(1), page


def test_the_same_quote_is_priced_the_same_in_the_cli_and_the_web(client, seeded, engine, database_url,
                                                                  monkeypatch):
    login(client, "judge1")
    _code, page = _web_quote(client, seeded)
    assert "立契时间：不动产权证或买卖合同上的取得日期" in page  # the one line on 立契时间
    monkeypatch.setenv("XUNPAI_DATABASE_URL", database_url)
    monkeypatch.setattr(cli_support, "_engine", None)
    try:
        result = CliRunner().invoke(main, ["quote", "--building-id", seeded.building_id, "--floor", "3",
                                           "--orientation", "南", "--area", "89.5", "--contract-date", "2023-06-01",
                                           "--case-number", CASE, "--user", "judge1", "--json"],
                                    catch_exceptions=False)
        text = CliRunner().invoke(main, ["quote", "--building-id", seeded.building_id, "--floor", "3",
                                         "--area", "89.5", "--contract-date", "2023-06-01", "--case-number", CASE,
                                         "--user", "judge1"], catch_exceptions=False).output
    finally:
        if cli_support._engine is not None:
            cli_support._engine.dispose()
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)["result"]
    with unit_scope(engine) as uow:
        web = json.loads(uow.session.execute(select(LedgerEntry.payload).where(LedgerEntry.kind == "inquiry.quote")
                                             .order_by(LedgerEntry.seq)).scalars().first())["result"]
    today = now_local().date().isoformat()
    assert cli["valuation_date"] == web["valuation_date"] == today  # both default to the day of the inquiry
    assert cli["total_price"] == web["total_price"] and cli["unit_price"] == web["unit_price"]
    assert "立契时间：不动产权证" in text


def test_the_judges_home_page_lists_the_open_steps_of_every_case(client, seeded):
    login(client, "judge1")
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "待办期限" in home and CASE in home
    token = csrf_token(client, f"/cases/{CASE}")
    client.post(f"/cases/{CASE}/property", data={"csrf_token": token, "name": "车位一个", "kind": "other",
                                                 "seized_on": now_local().date().isoformat()})
    home = client.get("/cases").get_data(as_text=True)
    assert "启动确定参考价程序" in home and "车位一个" in home and "参考价规定第一条" in home


def test_register_a_case_with_its_parties_and_a_flat_linked_to_the_tables(client, seeded):
    login(client, "clerk1")
    token = csrf_token(client, "/cases/new")
    bad = client.post("/cases/new", data={"csrf_token": token, "case_number": NEW_CASE, "judge": "judge1",
                                          "role0": "applicant", "name0": "张三", "id0": "123"})
    assert bad.status_code == 422 and "证件号码" in bad.get_data(as_text=True)
    typo = client.post("/cases/new", data={"csrf_token": token, "case_number": "2026浙1081执", "judge": "judge1"})
    assert typo.status_code == 422 and "案号" in typo.get_data(as_text=True)
    foreign = client.post("/cases/new", data={"csrf_token": token, "case_number": "（2026）浙1082执300号"})
    assert foreign.status_code == 422 and "不是本院" in foreign.get_data(as_text=True)
    response = client.post("/cases/new", data={
        "csrf_token": token, "case_number": NEW_CASE, "judge": "judge1",
        "role0": "applicant", "name0": "某银行", "id0": "91331081MA2A000004", "contact0": "0576-1",
        "role1": "debtor", "name1": "王某", "id1": DEBTOR_ID, "address1": "温岭市城东街道2号", "contact1": "0576-2"})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.location).get_data(as_text=True)
    assert "0576-2" in page and "judge1" in page
    token = csrf_token(client, f"/cases/{NEW_CASE}")
    client.post(f"/cases/{NEW_CASE}/property", data={"csrf_token": token, "name": "住宅一套", "kind": "real_estate",
                                                      "address": seeded.address})
    page = client.get(f"/cases/{NEW_CASE}").get_data(as_text=True)
    assert f"基准表楼幢 {seeded.building_id}" in page
    assert client.get("/cases/（2026）浙1082执300号").status_code == 403  # another court's case


def test_a_quote_of_the_case_becomes_its_directed_inquiry_result_and_its_reference_price(client, seeded):
    login(client, "judge1")
    code, _page = _web_quote(client, seeded)
    page = client.get(f"/cases/{CASE}").get_data(as_text=True)
    assert code in page  # offered among the quotes of the case
    token = csrf_token(client, f"/cases/{CASE}")
    done = client.post(f"/cases/{CASE}/property/{seeded.lot_id}/directed",
                       data={"csrf_token": token, "receipt_code": code}, follow_redirects=True).get_data(as_text=True)
    assert "已登记定向询价结果" in done
    report_id = int(re.findall(r'<option value="(\d+)">#\d+ [^<]*定向询价结果', done)[0])
    fixed = client.post(f"/cases/{CASE}/property/{seeded.lot_id}/fix",
                        data={"csrf_token": token, "report_id": report_id}, follow_redirects=True).get_data(as_text=True)
    assert "参考价已确定" in fixed and "确定人 <span translate=\"no\">judge1</span>" in fixed
    assert re.search(r"<strong>\d{1,3}(,\d{3})+\.\d{2} 元</strong>", fixed)  # yuan with separators
    letter = client.get(f"/cases/{CASE}/property/{seeded.lot_id}/letter.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.data)).pages).replace(" ", "").replace("\x00", "")
    assert letter.mimetype == "application/pdf" and "询价" in text and "三日内出具" in text and "第六条" in text
    refused = client.post(f"/cases/{CASE}/property/{seeded.lot_id}/directed",
                          data={"csrf_token": token, "receipt_typed": "0000-0000-0000"}, follow_redirects=True)
    assert "不是询价回执的校验码" in refused.get_data(as_text=True)


@pytest.fixture
def spec(client):
    return client.get("/api/openapi.json").get_json()


def test_the_case_api_runs_the_procedure_over_the_same_services(client, seeded, engine, spec):
    token = _token(engine, "judge1")
    listed = call(client, "get", "/api/v1/cases", token)
    assert CASE in [c["case_number"] for c in check(spec, "/v1/cases", "get", listed)["cases"]]
    parties = [{"role": "applicant", "name": "某银行", "id_number": "91331081MA2A000004"},
               {"role": "debtor", "name": "王某", "id_number": DEBTOR_ID, "contact": "0576-2"}]
    created = call(client, "post", "/api/v1/cases", token, json={
        "case_number": NEW_CASE, "judge": "judge1", "parties": parties})
    assert created.status_code == 201, created.get_json()
    body = check(spec, "/v1/cases", "post", created)
    too_few = call(client, "post", "/api/v1/cases", token, json={"case_number": NEW_CASE, "parties": []})
    assert too_few.status_code == 422 and "当事人" in check(spec, "/v1/cases", "post", too_few)["error"]["message"]
    refused = call(client, "post", "/api/v1/cases", token, json={"case_number": NEW_CASE, "parties": parties})
    assert refused.status_code == 422 and "已登记" in check(spec, "/v1/cases", "post", refused)["error"]["message"]
    prop = call(client, "post", f"/api/v1/cases/{NEW_CASE}/properties", token,
                json={"name": "住宅一套", "building_id": seeded.building_id})
    prop_id = check(spec, "/v1/cases/{case_number}/properties", "post", prop)["id"]
    parties = {p["role"]: p["id"] for p in body["parties"]}
    differ = call(client, "post", f"/api/v1/properties/{prop_id}/negotiation", token, json={
        "submissions": {str(parties["applicant"]): 100_000_00, str(parties["debtor"]): 99_000_00},
        "agreed_on": now_local().date().isoformat()})
    assert differ.status_code == 422 and "不一致" in differ.get_json()["error"]["message"]
    agreed = call(client, "post", f"/api/v1/properties/{prop_id}/negotiation", token, json={
        "submissions": {str(parties["applicant"]): 100_000_00, str(parties["debtor"]): 100_000_00},
        "agreed_on": now_local().date().isoformat()})
    result = check(spec, "/v1/properties/{lot_id}/negotiation", "post", agreed)
    assert result["value_yuan"] == "100,000.00"
    fixed = call(client, "post", f"/api/v1/properties/{prop_id}/reference-price", token,
                 json={"report_id": result["id"]})
    assert check(spec, "/v1/properties/{lot_id}/reference-price", "post", fixed)["fixed_by"] == "judge1"
    today = now_local().date()
    usable = call(client, "get", f"/api/v1/properties/{prop_id}/reference-price?announce_on={today.isoformat()}"
                                 f"&bidding_end={today.replace(year=today.year + 2).isoformat()}", token)
    price = check(spec, "/v1/properties/{lot_id}/reference-price", "get", usable)
    assert price["usable"]["ok"] is False and "六个月" in price["usable"]["reason"]
    agenda = call(client, "get", "/api/v1/agenda", token)
    assert any(i["case_number"] == NEW_CASE for i in check(spec, "/v1/agenda", "get", agenda)["items"])
    foreign = call(client, "get", f"/api/v1/properties/{prop_id}/reference-price", _token(engine, "judge2"))
    assert foreign.status_code == 403


def test_the_case_api_answers_each_refusal_with_its_status_and_code(client, seeded, engine, spec):
    """A missing case, property or receipt in the path is a 404 ``not_found``; a missing record named in the body
    a 422 with the refusal's kind; a step the objection's state does not allow a 409 ``illegal_step``."""
    from tests.web.test_web_api import _party_token

    token = _token(engine, "judge1")
    error = lambda response: (response.status_code, response.get_json()["error"]["code"])  # noqa: E731
    assert error(call(client, "get", "/api/v1/cases/（2026）浙1081执999号", token)) == (404, "not_found")
    assert error(call(client, "get", "/api/v1/properties/999999/reference-price", token)) == (404, "not_found")
    unknown_code = call(client, "post", f"/api/v1/properties/{seeded.lot_id}/directed-inquiry", token,
                        json={"receipt_code": "0000-0000-0000"})
    assert error(unknown_code) == (404, "not_found")
    assert "不是询价回执的校验码" in unknown_code.get_json()["error"]["message"]
    missing_report = call(client, "post", f"/api/v1/properties/{seeded.lot_id}/reports", token, json={
        "kind": "correction", "source": "某评估公司", "corrects_report_id": 999999})
    assert error(missing_report) == (422, "NotFound") and "999999" in missing_report.get_json()["error"]["message"]
    filed = call(client, "post", "/api/v1/objections", _party_token(engine, CASE, DEBTOR_ID), json={
        "case_number": CASE, "report_id": seeded.report_id, "grounds": ["basic_facts"], "facts": "面积记载错误。",
        "reasons": "应以不动产权证记载为准。"})
    objection_id = filed.get_json()["objection"]["id"]
    early = call(client, "post", f"/api/v1/objections/{objection_id}/review", token,
                 json={"applied_on": now_local().date().isoformat()})
    assert error(early) == (409, "illegal_step")
    check(spec, "/v1/objections/{objection_id}/review", "post", early)
    bad_route = call(client, "post", f"/api/v1/objections/{objection_id}/admission", token,
                     json={"accept": True, "route": "no-such-route"})
    assert bad_route.status_code == 422, bad_route.get_json()
