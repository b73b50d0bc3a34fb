"""Fixtures of the web tests: an application on the ``engine`` of tests/conftest.py (SQLite and PostgreSQL),
seeded with a small demo city, two courts, staff of both courts and a party with an access code."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tax_baseline.demo_city import generate_city
from tests.uow import unit_scope
from web import create_app
from xunpai.services import accounts as accounts_service
from xunpai.services import baseline as baseline_store
from xunpai.storage.models.accounts import InquiryLimit

PASSWORD = "correct-horse-42"
COURT = "浙1081"
OTHER_COURT = "浙1082"
CASE = "（2026）浙1081执100号"
OTHER_CASE = "（2026）浙1081执200号"
FOREIGN_CASE = "（2026）浙1082执300号"
_CITY = None
# Hashing strength is a production setting; the tests check behaviour, not brute-force cost.
accounts_service.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def small_city():
    global _CITY
    if _CITY is None:
        _CITY = generate_city(seed=7, n_zones=2, communities_per_zone=2, buildings_per_community=3, months=12,
                              sales_per_building=1.0, with_units=False)
    return _CITY


DEBTOR_ID = "330100198001010015"
APPLICANT_ID = "330100198505050029"


@dataclass
class Seed:
    party_code: str
    other_party_code: str
    building_id: str
    address: str
    applicant_code: str = ""
    report_id: int = 0
    lot_id: int = 0


def seed(engine) -> Seed:
    city = small_city()
    with unit_scope(engine) as uow:
        baseline_store.save_version(uow, city.tables, "2026-01", source="test", created_by="test")
        baseline_store.activate(uow, "2026-01", "test")
        zones = list(city.tables["zones"]["zone_code"])
        accounts_service.save_court(uow, code=COURT, name="温岭市人民法院", zones=zones)
        accounts_service.save_court(uow, code=OTHER_COURT, name="玉环市人民法院", zones=zones[:1])
        for username, role, court in (("judge1", "judge", COURT), ("judge2", "judge", OTHER_COURT),
                                      ("clerk1", "clerk", COURT), ("admin", "admin", None)):
            user = accounts_service.create_user(uow, username=username, display_name=f"{username}姓名",
                                                role=role, court_code=court, password=PASSWORD)
            if role == "judge":
                limit = uow.session.get(InquiryLimit, user.id)
                limit.hour_from, limit.hour_to, limit.daily_count = 0, 24, 1000
        report_id, lot_id = _procedure_case(uow)
        _u, code = accounts_service.issue_party_access(uow, case_number=CASE, id_number=DEBTOR_ID)
        _u3, code3 = accounts_service.issue_party_access(uow, case_number=CASE, id_number=APPLICANT_ID)
        _u2, code2 = accounts_service.issue_party_access(uow, case_number=OTHER_CASE,
                                                         party_role="applicant", party_name="李某某")
    building = city.tables["buildings"].iloc[0]
    return Seed(code, code2, building["building_id"], building["address"], code3, report_id, lot_id)


def _procedure_case(uow) -> tuple[int, int]:
    """The case of the objection journeys: a flat with two network-inquiry reports sent to the parties."""
    from xunpai.services import procedure
    from xunpai.storage.ledger import now_local

    now = now_local()
    procedure.create_case(uow, COURT, CASE, [
        procedure.PartyInput("applicant", "某银行股份有限公司温岭支行", APPLICANT_ID, "温岭市太平街道1号"),
        procedure.PartyInput("debtor", "王某某", DEBTOR_ID, "温岭市城东街道东辉公寓1幢501室")],
        actor="judge1", now=now)
    lot = procedure.add_lot(uow, CASE, "东辉公寓1幢501室住宅", seized_on=now.date(), actor="judge1", now=now)
    first = None
    for platform, value in (("阿里拍卖", 1_234_500_00), ("京东", 1_250_000_00)):
        report = procedure.record_report(uow, lot.id, "network_inquiry", platform, value,
                                         received_on=now.date(), actor="judge1", now=now)
        procedure.mark_report_sent(uow, report.id, forwarded_on=now.date(), actor="judge1", now=now)
        first = first or report.id
    return first, lot.id


@pytest.fixture
def seeded(engine) -> Seed:
    return seed(engine)


@pytest.fixture
def app(engine, seeded, tmp_path):
    app = create_app({"ENGINE": engine, "SECRET_KEY": "test-secret", "TESTING": True, "JOBS_INLINE": True,
                      "UPLOAD_DIR": str(tmp_path / "uploads"), "OUTBOX_DIR": str(tmp_path / "outbox")})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def party_login(client, case_number: str, code: str):
    token = csrf_token(client, "/party/login")
    return client.post("/party/login", data={"case_number": case_number, "access_code": code,
                                             "csrf_token": token})
