"""Every API request is checked against the OpenAPI document before any work: bad bodies, parameters and JSON
answer a Chinese 4xx that names the field and what is expected, change nothing (no ledger entry), and no input
reaches a 500 (the cases the attack found, and generated ones)."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.web.conftest import CASE, csrf_token, login
from tests.web.test_web_api import _party_token, _token, call, check
from web.openapi import check_for, document
from xunpai.storage.models.ledger import LedgerEntry

CHINESE = re.compile(r"[\u4e00-\u9fff]")
QUOTE = {"floor": "5", "area": "89.50", "contract_date": "2024-03-15", "case_number": CASE,
         "purpose": "确定财产处置参考价"}


@pytest.fixture
def spec(client) -> dict:
    return client.get("/api/openapi.json").get_json()


def _entries(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count(LedgerEntry.id))).scalar_one()


def _refused(response, status: int = 422, field: str | None = None) -> str:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    error = response.get_json()["error"]
    assert CHINESE.search(error["message"]), error
    assert not re.search(r"\b(must|should|invalid|expected|required|is not)\b", error["message"]), error
    if field is not None:
        assert error.get("field") == field, error
    return error["message"]


@pytest.mark.parametrize("area", ["1e30", 1e30, "-5", 0, 100_001, "abc", "89.555", True, None, [], {}])
def test_a_quote_with_an_impossible_area_is_a_chinese_422_and_changes_nothing(client, spec, engine, seeded, area):
    token = _token(engine, "judge1")
    before = _entries(engine)
    response = call(client, "post", "/api/v1/quote", token, json={**QUOTE, "building_id": seeded.building_id,
                                                                   "area": area})
    message = _refused(response, field="area")
    check(spec, "/v1/quote", "post", response)
    assert "建筑面积" in message
    assert _entries(engine) == before  # refused before any work: nothing written


def test_the_messages_say_what_is_wrong_and_what_is_expected(client, spec, engine, seeded):
    token = _token(engine, "judge1")
    missing = _refused(call(client, "post", "/api/v1/quote", token, json={"area": "80"}), field="floor")
    assert "缺少" in missing and "floor（所在层）" in missing and "contract_date（立契时间）" in missing
    extra = _refused(call(client, "post", "/api/v1/quote", token, json={**QUOTE, "aera": "80"}), field="aera")
    assert "aera" in extra and "area" in extra  # names the unknown field and the fields there are
    date = _refused(call(client, "post", "/api/v1/quote", token, json={**QUOTE, "contract_date": "15/03/2024"}),
                    field="contract_date")
    assert "年-月-日" in date
    long = _refused(call(client, "post", "/api/v1/quote", token, json={**QUOTE, "purpose": "用" * 201}),
                    field="purpose")
    assert "最多 200 个字符" in long
    floor = _refused(call(client, "post", "/api/v1/quote", token, json={**QUOTE, "floor": 10**6}), field="floor")
    assert "不能大于 300" in floor


def test_batch_units_that_are_not_objects_are_a_422(client, spec, engine, seeded):
    token = _token(engine, "judge1")
    before = _entries(engine)
    body = {"case_number": CASE, "purpose": "确定财产处置参考价", "units": ["a", 1]}
    message = _refused(call(client, "post", "/api/v1/quote-batch", token, json=body), field="units[0]")
    assert "units[0]" in message and "对象" in message
    empty = _refused(call(client, "post", "/api/v1/quote-batch", token, json={**body, "units": []}), field="units")
    assert "至少应有 1 项" in empty
    check(spec, "/v1/quote-batch", "post", call(client, "post", "/api/v1/quote-batch", token,
                                                json={**body, "units": [{"floor": 1, "area": "1e30"}]}))
    assert _entries(engine) == before


def test_an_objection_with_a_report_id_that_is_not_a_number_is_a_422(client, spec, engine, seeded):
    token = _party_token(engine, CASE, "330100198001010015")
    body = {"case_number": CASE, "report_id": "abc", "grounds": ["result"], "facts": "事实", "reasons": "理由"}
    response = call(client, "post", "/api/v1/objections", token, json=body)
    assert "整数" in _refused(response, field="report_id")
    check(spec, "/v1/objections", "post", response)
    for report_id in (0, 10**20, 1.5):
        _refused(call(client, "post", "/api/v1/objections", token, json={**body, "report_id": report_id}),
                 field="report_id")
    grounds = _refused(call(client, "post", "/api/v1/objections", token, json={**body, "report_id": 1,
                                                                               "grounds": ["nonsense"]}),
                       field="grounds[0]")
    assert "应为以下之一" in grounds


def test_not_json_nan_and_deep_nesting_are_a_400(client, engine, seeded):
    token = _token(engine, "judge1")
    for raw in (b"{not json", b'{"floor": NaN, "area": 1}', b"[" * 100_000 + b"]" * 100_000, b"[1, 2]",
                "{\"floor\": \"\u00e9\"".encode("latin-1")):
        response = call(client, "post", "/api/v1/quote", token, data=raw, content_type="application/json")
        _refused(response, status=400)
    _refused(call(client, "post", "/api/v1/quote", token, data=json.dumps(QUOTE), content_type="text/plain"), 400)


def test_parameters_out_of_range_are_refused_in_chinese(client, spec, engine, seeded):
    judge, clerk = _token(engine, "judge1"), _token(engine, "clerk1")
    response = call(client, "get", f"/api/v1/objections/{10**20}", judge)
    _refused(response, status=404)
    check(spec, "/v1/objections/{objection_id}", "get", response)
    response = call(client, "get", "/api/v1/lots?status=nonsense", clerk)
    assert "应为以下之一" in _refused(response)
    check(spec, "/v1/lots", "get", response)
    response = call(client, "post", f"/api/v1/lots/{seeded.lot_id}/publish", clerk, json={"platform": "nowhere"})
    _refused(response, field="platform")
    check(spec, "/v1/lots/{lot_id}/publish", "post", response)


def test_who_may_not_call_an_operation_is_refused_before_its_body_is_read(client, engine, seeded):
    response = call(client, "post", "/api/v1/quote", _token(engine, "clerk1"), json={"area": "1e30"})
    assert response.status_code == 403


def test_every_route_of_the_api_is_described_by_the_document(app):
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.openapi":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert check_for(rule.rule[len("/api"):], method) is not None, f"{method} {rule.rule} is not documented"
    assert "/v1/quote" in document()["paths"]


def test_the_quote_form_with_an_impossible_area_is_a_chinese_422(client, engine, seeded):
    login(client, "judge1")
    before = _entries(engine)
    response = client.post("/inquiry/", data={"building_id": seeded.building_id, "floor": "5", "area": "1e30",
                                              "contract_date": "2024-03-15", "case_number": CASE,
                                              "purpose": "确定财产处置参考价", "csrf_token": csrf_token(client, "/inquiry/")})
    assert response.status_code == 422
    assert "超出住宅询价范围" in response.get_data(as_text=True)
    assert _entries(engine) == before + 1  # the service's refusal, in the ledger like every refused query


@pytest.fixture
def judge_token(engine, seeded) -> str:
    return _token(engine, "judge1")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children,
                                                                                       max_size=3), max_leaves=6)


@pytest.mark.parametrize("path", ["/api/v1/quote", "/api/v1/quote-batch"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.dictionaries(st.sampled_from(["floor", "area", "contract_date", "building_id", "address",
                                               "case_number", "purpose", "units", "valuation_date", "x"]),
                              JSON, max_size=6))
def test_no_body_reaches_a_500(client, judge_token, path, fields):
    response = call(client, "post", path, judge_token, json=fields)
    assert response.status_code < 500, (fields, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        _refused(response, status=response.status_code)


def test_the_quote_form_refuses_fields_longer_than_the_ledger_holds(client, engine, seeded):
    login(client, "judge1")
    before = _entries(engine)
    response = client.post("/inquiry/", data={"building_id": seeded.building_id, "floor": "5", "area": "80",
                                              "contract_date": "2024-03-15", "case_number": CASE,
                                              "purpose": "用" * 201, "csrf_token": csrf_token(client, "/inquiry/")})
    assert response.status_code == 422
    assert "查询用途太长：最多 200 个字符" in response.get_data(as_text=True)
    assert _entries(engine) == before
