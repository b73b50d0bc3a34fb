"""The JSON API: token authentication, every response validated against the OpenAPI document."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec
from sqlalchemy import select

from auction.demo_lots import demo_rows
from auction.lot_sheet import write_sheet
from tests.files import PDF
from tests.uow import unit_scope
from tests.web.conftest import CASE, COURT, FOREIGN_CASE
from xunpai.services import accounts as accounts_service
from xunpai.storage.ledger import now_local
from xunpai.storage.models.accounts import User
from xunpai.storage.unit_of_work import UnitOfWork


@pytest.fixture
def spec(client):
    document = client.get("/api/openapi.json").get_json()
    validate_spec(document)
    return document


def _token(engine, username: str) -> str:
    with unit_scope(engine) as uow:
        user = uow.session.execute(select(User).where(User.username == username)).scalar_one()
        return accounts_service.issue_api_token(uow, user, label="test")


def _party_token(engine, case_number: str, id_number: str) -> str:
    with unit_scope(engine) as uow:
        user, _code = accounts_service.issue_party_access(uow, case_number=case_number, id_number=id_number)
        return accounts_service.issue_api_token(uow, user, label="party")


def check(spec: dict, path: str, method: str, response) -> dict:
    """Validate the response body against the documented schema for its status."""
    operation = spec["paths"][path][method]
    documented = operation["responses"].get(str(response.status_code))
    assert documented, f"{method.upper()} {path} answered {response.status_code}, which is not documented"
    schema = documented["content"]["application/json"]["schema"]
    body = response.get_json()
    OAS31Validator({**schema, "components": spec["components"]}).validate(body)
    return body


def call(client, method, url, token, **kwargs):
    return getattr(client, method)(url, headers={"Authorization": f"Bearer {token}"}, **kwargs)


def test_the_openapi_document_is_valid(spec):
    assert spec["openapi"].startswith("3.1") and "/v1/quote" in spec["paths"]


def test_no_token_or_a_wrong_token_is_refused(client, spec):
    response = client.post("/api/v1/quote", json={})
    assert response.status_code == 401
    check(spec, "/v1/quote", "post", response)
    response = call(client, "post", "/api/v1/quote", "xp_wrong", json={})
    assert response.status_code == 401


def test_a_session_cookie_does_not_authenticate_the_api(client, spec):
    from tests.web.conftest import login

    login(client, "judge1")
    assert client.get("/api/v1/me").status_code == 401


def test_quote_through_the_api(client, spec, engine, seeded):
    token = _token(engine, "judge1")
    body = {"address": seeded.address, "floor": "3", "orientation": "南", "area": "89.50",
            "contract_date": "2023-06-01", "case_number": CASE, "purpose": "确定财产处置参考价"}
    response = call(client, "post", "/api/v1/quote", token, json=body)
    assert response.status_code == 200, response.get_json()
    data = check(spec, "/v1/quote", "post", response)
    assert data["case_number"] == CASE and data["result"]["building_id"] == seeded.building_id
    verify = client.get(f"/verify/{data['verification_code']}")
    assert verify.status_code == 200


def test_quote_refusal_carries_the_reason_and_candidates(client, spec, engine, seeded):
    token = _token(engine, "judge1")
    body = {"address": "不存在的小区", "floor": "3", "area": "89.5", "contract_date": "2023-06-01",
            "case_number": CASE, "purpose": "x"}
    response = call(client, "post", "/api/v1/quote", token, json=body)
    assert response.status_code == 422
    data = check(spec, "/v1/quote", "post", response)
    assert data["error"]["message"]


def test_quote_with_invalid_json_is_a_400(client, spec, engine, seeded):
    token = _token(engine, "judge1")
    response = call(client, "post", "/api/v1/quote", token, data="not json", content_type="application/json")
    assert response.status_code == 400
    check(spec, "/v1/quote", "post", response)


def test_a_clerk_token_cannot_quote(client, spec, engine, seeded):
    token = _token(engine, "clerk1")
    response = call(client, "post", "/api/v1/quote", token, json={})
    assert response.status_code == 403
    check(spec, "/v1/quote", "post", response)


def test_batch_quote_through_the_api(client, spec, engine, seeded):
    token = _token(engine, "judge1")
    units = [{"address": seeded.address, "floor": "2", "area": "70", "contract_date": "2023-06-01"},
             {"building_id": "NOPE", "floor": "2", "area": "70", "contract_date": "2023-06-01"}]
    response = call(client, "post", "/api/v1/quote-batch", token,
                    json={"case_number": CASE, "purpose": "批量", "units": units})
    data = check(spec, "/v1/quote-batch", "post", response)
    assert response.status_code == 200 and data["ok"] == 1 and data["refused"] == 1


def test_party_files_an_objection_and_a_retry_returns_the_same(client, spec, engine, seeded):
    from tests.web.conftest import DEBTOR_ID

    token = _party_token(engine, CASE, DEBTOR_ID)
    body = {"case_number": CASE, "report_id": seeded.report_id, "grounds": ["basic_facts"],
            "facts": "面积记载错误。", "reasons": "应以不动产权证记载为准。", "submission_key": "api-key-1",
            "evidence": [{"filename": "证据.pdf", "content_base64": base64.b64encode(PDF).decode()}]}
    first = call(client, "post", "/api/v1/objections", token, json=body)
    assert first.status_code == 201, first.get_json()
    data = check(spec, "/v1/objections", "post", first)
    second = call(client, "post", "/api/v1/objections", token, json=body)
    assert second.status_code == 200
    assert check(spec, "/v1/objections", "post", second)["objection"]["id"] == data["objection"]["id"]
    listing = call(client, "get", "/api/v1/objections", token)
    assert len(check(spec, "/v1/objections", "get", listing)["objections"]) == 1

    judge = _token(engine, "judge1")
    objection_id = data["objection"]["id"]
    early = call(client, "post", f"/api/v1/objections/{objection_id}/decision", judge, json={"upheld": True})
    assert early.status_code == 409
    check(spec, "/v1/objections/{objection_id}/decision", "post", early)


def test_party_cannot_file_for_another_case(client, spec, engine, seeded):
    from tests.web.conftest import DEBTOR_ID

    token = _party_token(engine, CASE, DEBTOR_ID)
    response = call(client, "post", "/api/v1/objections", token,
                    json={"case_number": FOREIGN_CASE, "report_id": 1, "grounds": ["basic_facts"], "facts": "x",
                          "reasons": "y"})
    assert response.status_code == 404
    check(spec, "/v1/objections", "post", response)


def test_judge_of_another_court_cannot_read_an_objection(client, spec, engine, seeded):
    from tests.web.conftest import DEBTOR_ID

    party = _party_token(engine, CASE, DEBTOR_ID)
    filed = call(client, "post", "/api/v1/objections", party,
                 json={"case_number": CASE, "report_id": seeded.report_id, "grounds": ["basic_facts"],
                       "facts": "x", "reasons": "y"}).get_json()
    other = _token(engine, "judge2")
    response = call(client, "get", f"/api/v1/objections/{filed['objection']['id']}", other)
    assert response.status_code == 403
    check(spec, "/v1/objections/{objection_id}", "get", response)


def test_lots_list_get_and_publish(client, spec, engine, seeded, tmp_path, app):
    from xunpai.services import publishing as publishing_service

    path = tmp_path / "lots.xlsx"
    write_sheet(path, demo_rows(2, now_local().date() + timedelta(days=1), court_code=COURT))
    publishing_service.import_sheet(UnitOfWork(engine), path, actor="clerk1")
    token = _token(engine, "clerk1")
    listing = check(spec, "/v1/lots", "get", call(client, "get", "/api/v1/lots", token))
    lot_id = listing["lots"][0]["id"]
    check(spec, "/v1/lots/{lot_id}", "get", call(client, "get", f"/api/v1/lots/{lot_id}", token))
    published = call(client, "post", f"/api/v1/lots/{lot_id}/publish", token, json={"platform": "ali"})
    assert published.status_code == 200, published.get_json()
    again = call(client, "post", f"/api/v1/lots/{lot_id}/publish", token, json={"platform": "ali"})
    first, second = check(spec, "/v1/lots/{lot_id}/publish", "post", published), \
        check(spec, "/v1/lots/{lot_id}/publish", "post", again)
    assert first["idempotency_key"] == second["idempotency_key"]
    judge = _token(engine, "judge1")
    assert call(client, "get", "/api/v1/lots", judge).status_code == 403
