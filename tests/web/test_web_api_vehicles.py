"""The vehicle quote of the JSON API: the same quote as the judge's page, in the ledger with its code; every bad
body a 400 or 422 with its Chinese reason per field (nothing asked, never a 500); another court's case refused;
every response validated against the OpenAPI document."""

from __future__ import annotations

import json

import pytest

from tests.uow import unit_scope
from tests.web.conftest import CASE, FOREIGN_CASE
from tests.web.test_web_api import _token, call, check, spec  # noqa: F401 (fixture)
from tests.web.test_web_vehicles import NAME, vehicle_table  # noqa: F401 (fixture)
from xunpai.services import vehicles as vehicle_service
from xunpai.storage import ledger

PATH = "/v1/vehicle-quote"
BODY = {"name": NAME, "registration": "2021-03", "mileage": "4.5万公里", "city": "银川", "valuation_date": "2026-11-20",
        "case_number": CASE, "purpose": "确定财产处置参考价"}


def _kinds(engine) -> list[str]:
    with unit_scope(engine) as uow:
        return [e.kind for e in ledger.entries(uow.session)]


def test_a_vehicle_quote_through_the_api_is_the_page_s_quote_in_the_ledger(client, spec, engine,  # noqa: F811
                                                                           vehicle_table):  # noqa: F811
    token = _token(engine, "judge1")
    response = call(client, "post", "/api" + PATH, token, json={**BODY, "mileage": 45000})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = check(spec, PATH, "post", response)
    with unit_scope(engine) as uow:
        detail = vehicle_service.receipt(uow, body["verification_code"])
    assert body["result"] == json.loads(json.dumps(detail["result"]))
    assert body["value_fen"] == int(body["result"]["value"]) * 100 and body["result"]["level"] == "series"
    assert body["issuer"].startswith("温岭市人民法院车辆估价") and body["case_number"] == CASE
    assert int(body["result"]["interval_low"]) < int(body["result"]["value"]) < int(body["result"]["interval_high"])
    again = call(client, "get", f"/api/v1/vehicle-quote/{body['verification_code']}", token)
    assert check(spec, "/v1/vehicle-quote/{code}", "get", again) == body
    other = call(client, "get", f"/api/v1/vehicle-quote/{body['verification_code']}", _token(engine, "judge2"))
    assert other.status_code == 404
    check(spec, "/v1/vehicle-quote/{code}", "get", other)


@pytest.mark.parametrize("body, status, field, message", [
    ("not json", 400, None, "请求体应为 JSON 对象"),
    ([BODY], 400, None, "请求体应为 JSON 对象"),
    ({**BODY, "mileage": "四万公里"}, 422, "mileage", "里程“四万公里”无法识别"),
    ({**BODY, "name": ""}, 422, "name", "请填写车型名称"),
    ({**BODY, "registration": 2021}, 422, "registration", "上牌时间（registration）应为字符串"),
    ({**BODY, "mileage": True}, 422, "mileage", "应为字符串或数字"),
    ({**BODY, "mileage": {"km": 4}}, 422, "mileage", "应为字符串或数字"),
    ({**BODY, "colour": "红"}, 422, "colour", "不认识的字段“colour”"),
    ({**BODY, "valuation_date": "2026-13-01"}, 422, "valuation_date", "估价日期"),
    ({**BODY, "case_number": "浙1081执100号"}, 422, "case_number", "案号"),
    ({**BODY, "new_price": "很贵"}, 422, "new_price", "新车含税价“很贵”无法识别"),
])
def test_a_bad_body_is_answered_in_chinese_per_field_and_asks_nothing(client, spec, engine, vehicle_table,  # noqa: F811
                                                                      body, status, field, message):
    token = _token(engine, "judge1")
    before = _kinds(engine)
    if isinstance(body, str):
        response = call(client, "post", "/api" + PATH, token, data=body, content_type="application/json")
    else:
        response = call(client, "post", "/api" + PATH, token, json=body)
    assert response.status_code == status, response.get_data(as_text=True)
    error = check(spec, PATH, "post", response)["error"]
    assert message in error["message"]
    if field:
        assert message in error["fields"][field]
    assert _kinds(engine) == before  # nothing asked, nothing written


def test_refusals_of_the_service_carry_their_reason_ledger_number_and_field(client, spec, engine,  # noqa: F811
                                                                            vehicle_table):  # noqa: F811
    token = _token(engine, "judge1")
    response = call(client, "post", "/api" + PATH, token, json={**BODY, "name": "宝马3系 2020款 325Li"})
    error = check(spec, PATH, "post", response)["error"]
    assert response.status_code == 422 and error["code"] == "new_price_unknown" and "宝马5系" in error["candidates"]
    assert "请填写新车含税价" in error["fields"]["new_price"] and error["ledger_seq"]
    brand = call(client, "post", "/api" + PATH, token, json={**BODY, "name": "宝马3系 2020款 325Li", "new_price": 323900})
    result = check(spec, PATH, "post", brand)["result"]
    assert brand.status_code == 200 and result["level"] == "brand" and result["level_name"] == "品牌"
    foreign = call(client, "post", "/api" + PATH, token, json={**BODY, "case_number": FOREIGN_CASE})
    error = check(spec, PATH, "post", foreign)["error"]
    assert foreign.status_code == 422 and "只能为本院案件估价" in error["message"]
    assert _kinds(engine).count("vehicle.refused") == 2


def test_only_a_judge_s_token_may_ask(client, spec, engine, vehicle_table):  # noqa: F811
    response = call(client, "post", "/api" + PATH, _token(engine, "clerk1"), json=BODY)
    assert response.status_code == 403
    check(spec, PATH, "post", response)
    assert client.post("/api" + PATH, json=BODY).status_code == 401
