"""Administrators' pages: accounts, party access codes, courts, table versions (import, compare, activate),
calendar overrides, platforms and service firms."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from tax_baseline.tables import BaselineTables
from tax_baseline.workbook import write_xlsx
from tests.uow import unit_scope
from tests.web.conftest import CASE, csrf_token, login, party_login, small_city
from xunpai.storage.models.accounts import User
from xunpai.storage.models.baseline import TableVersion


def test_admin_creates_a_judge_who_can_sign_in(client, app):
    login(client, "admin")
    token = csrf_token(client, "/admin/users")
    response = client.post("/admin/users", data={"csrf_token": token, "action": "create", "username": "judge9",
                                                 "display_name": "钱法官", "role": "judge", "court_code": "浙1081",
                                                 "password": "long-enough-pw"})
    assert response.status_code == 302
    other = app.test_client()
    assert login(other, "judge9", "long-enough-pw").status_code == 302


def test_a_short_password_is_refused_and_nothing_created(client, engine):
    login(client, "admin")
    token = csrf_token(client, "/admin/users")
    response = client.post("/admin/users", data={"csrf_token": token, "action": "create", "username": "x1",
                                                 "display_name": "x", "role": "judge", "court_code": "浙1081",
                                                 "password": "short"})
    assert response.status_code == 422 and "至少 8 位" in response.get_data(as_text=True)
    with unit_scope(engine) as uow:
        assert uow.session.execute(select(User).where(User.username == "x1")).first() is None


def test_admin_issues_a_party_code_shown_once_that_signs_the_party_in(client, app):
    login(client, "admin")
    token = csrf_token(client, "/admin/users")
    page = client.post("/admin/users", data={"csrf_token": token, "action": "party", "case_number": CASE,
                                             "party_role": "interested_party", "party_name": "赵某"})
    code = re.search(r'class="code">([A-Z0-9-]+)<', page.get_data(as_text=True)).group(1)
    assert code not in client.get("/admin/users").get_data(as_text=True)
    assert party_login(app.test_client(), CASE, code).status_code == 302


def test_a_code_issued_by_id_number_lets_the_registered_party_object(client, app):
    from tests.web.conftest import APPLICANT_ID

    login(client, "admin")
    token = csrf_token(client, "/admin/users")
    page = client.post("/admin/users", data={"csrf_token": token, "action": "party", "case_number": CASE,
                                             "id_number": APPLICANT_ID, "party_role": "debtor", "party_name": ""})
    text = page.get_data(as_text=True)
    code = re.search(r'class="code">([A-Z0-9-]+)<', text).group(1)
    assert "某银行股份有限公司温岭支行" in text  # name and role from the registration, not the form
    party = app.test_client()
    party_login(party, CASE, code)
    assert "提出异议" in party.get(f"/party/case/{CASE}").get_data(as_text=True)


def test_admin_unlocks_a_locked_account(client, app, engine):
    from xunpai.services import accounts as accounts_service

    locked = app.test_client()
    for _ in range(accounts_service.THROTTLES["pair"].free + 2):
        login(locked, "judge1", "nope-nope")
    assert login(locked, "judge1").status_code == 401  # waiting
    login(client, "admin")
    with unit_scope(engine) as uow:
        user_id = uow.session.execute(select(User.id).where(User.username == "judge1")).scalar_one()
    token = csrf_token(client, "/admin/users")
    client.post("/admin/users", data={"csrf_token": token, "action": "unlock", "user_id": str(user_id)})
    assert login(locked, "judge1").status_code == 302


def test_table_import_compare_and_activate(client, tmp_path, engine):
    login(client, "admin")
    city = small_city()
    changed = city.tables["base_prices"].copy()
    changed.loc[0, "price"] = changed.loc[0, "price"] + 500
    tables = BaselineTables({**city.tables.frames, "base_prices": changed}, name="2026-07")
    path = tmp_path / "tables.xlsx"
    write_xlsx(tables, path)
    token = csrf_token(client, "/admin/tables")
    response = client.post("/admin/tables", data={"csrf_token": token, "action": "import", "name": "2026-07",
                                                  "file": (io.BytesIO(path.read_bytes()), "tables.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    compare = client.get("/admin/tables/compare?old=2026-01&new=2026-07").get_data(as_text=True)
    assert "版本比较" in compare and "→" in compare
    client.post("/admin/tables", data={"csrf_token": token, "action": "activate", "name": "2026-07"})
    with unit_scope(engine) as uow:
        assert uow.session.execute(select(TableVersion.name).where(TableVersion.status == "active")).scalar_one() \
            == "2026-07"


def test_a_bad_table_file_imports_nothing(client, engine):
    login(client, "admin")
    token = csrf_token(client, "/admin/tables")
    response = client.post("/admin/tables", data={"csrf_token": token, "action": "import", "name": "bad",
                                                  "file": (io.BytesIO(b"not a workbook"), "t.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    with unit_scope(engine) as uow:
        assert uow.session.execute(select(TableVersion).where(TableVersion.name == "bad")).first() is None


def test_calendar_override_for_a_year_the_package_does_not_cover(client):
    login(client, "admin")
    token = csrf_token(client, "/admin/calendar")
    response = client.post("/admin/calendar", data={"csrf_token": token, "year": "2031",
                                                    "holidays": "2031-01-01, 2031-01-22~2031-01-28, 2031-04-05, "
                                                                "2031-05-01~2031-05-05, 2031-06-24, 2031-10-01~2031-10-07",
                                                    "workdays": "2031-01-19", "source": "国办发明电〔2030〕1号"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "2031" in client.get("/admin/calendar").get_data(as_text=True)
    bad = client.post("/admin/calendar", data={"csrf_token": token, "year": "2031", "holidays": "2031-13-01",
                                               "source": "x"})
    assert bad.status_code == 422


def test_platforms_and_firms_pages(client):
    login(client, "admin")
    assert "阿里拍卖" in client.get("/admin/platforms").get_data(as_text=True)
    token = csrf_token(client, "/admin/firms")
    response = client.post("/admin/firms", data={"csrf_token": token, "name": "温岭某仓储有限公司",
                                                 "services": ["storage", "viewing"], "contact": "周经理"})
    assert response.status_code == 302
    assert "温岭某仓储有限公司" in client.get("/admin/firms").get_data(as_text=True)


def test_court_policy_switch(client, engine):
    from xunpai.storage.models.accounts import Court

    login(client, "admin")
    token = csrf_token(client, "/admin/courts")
    client.post("/admin/courts", data={"csrf_token": token, "code": "浙1081", "name": "温岭市人民法院",
                                       "zones": "Z01,Z02", "objection_policy": "wenling"})
    with unit_scope(engine) as uow:
        assert uow.session.get(Court, "浙1081").policy["objection_policy"] == "wenling"
