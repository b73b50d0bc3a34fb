"""The reference-price journey in a real browser (Playwright driving the system Chromium) on SQLite and
PostgreSQL: the judge quotes within the case and records it as the case's 定向询价 result, sends it; the debtor
objects (the grounds a 定向询价 result does not admit are greyed with their reason before submitting); the judge
rules on admissibility; the judge fixes the reference price; the clerk creates the lot from it. Screenshots of
every step are saved."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from auction.demo_lots import real_estate_row
from tests.uow import unit_scope
from tests.web.conftest import CASE, COURT
from tests.web.test_web_browser import _login, _page, _party_login, browser, shots, site  # noqa: F401
from xunpai.storage.ledger import now_local
from xunpai.storage.models.lots import Lot

pytestmark = pytest.mark.browser


def test_case_directed_inquiry_objection_decision_price_and_lot(browser, site, seeded, shots, engine):  # noqa: F811
    today = now_local().date()
    judge = _page(browser)
    _login(judge, site.url, "judge1")
    assert "待办期限" in judge.content()  # the judge's home page
    shots(judge, "judge-home")
    # 1. the instant quote asked within the case
    judge.goto(f"{site.url}/inquiry/?case_number={CASE}")
    judge.fill("input[name=address]", seeded.address)
    judge.fill("input[name=floor]", "3")
    judge.fill("input[name=area]", "89.5")
    judge.fill("input[name=contract_date]", "2023-06-01")
    judge.fill("input[name=case_number]", CASE)
    assert "立契时间：不动产权证或买卖合同上的取得日期" in judge.content()
    judge.click("button.primary")
    judge.wait_for_url("**/inquiry/result/**")
    code = judge.locator(".code").first.inner_text()
    total = judge.locator(".price").first.inner_text()
    shots(judge, "quote")
    # 2. the quote becomes the case's 定向询价 result, sent to the parties
    judge.goto(f"{site.url}/cases/{CASE}")
    lot_id = seeded.lot_id
    judge.select_option(f"#directed{lot_id} select[name=receipt_code]", code)
    shots(judge, "case-directed")
    judge.click(f"#directed{lot_id} button[type=submit]")
    judge.wait_for_load_state()
    assert "已登记定向询价结果" in judge.content()
    row = judge.locator(f"#lot{lot_id} tr", has_text="定向询价结果")
    row.locator("button:text('登记发送')").click()
    judge.wait_for_load_state()
    assert "已登记发送" in judge.content()
    # 3. the debtor objects: the grounds a 定向询价 result does not admit are shown greyed, with the reason
    party = _page(browser)
    _party_login(party, site.url, seeded.party_code)
    party.goto(f"{site.url}/party/case/{CASE}")
    link = party.locator("tr", has_text="定向询价结果").locator("a[href*='objections/new']")
    link.click()
    party.wait_for_load_state()
    assert party.locator("input[value=result]").is_disabled()
    assert "只能依第二十五条提出" in party.content()
    shots(party, "party-form-greyed")
    party.check("input[value=false_inquiry]")
    party.fill("textarea[name=facts]", "询价结果明显低于同小区近期成交价。")
    party.fill("textarea[name=reasons]", "有关机构出具的定向询价结果虚假（参考价规定第二十五条）。")
    party.fill("input[name=received_on]", today.isoformat())
    party.click("button.primary")
    party.wait_for_load_state()
    assert "异议已提交" in party.content() and "待承办法官审查是否受理" in party.content()
    shots(party, "party-filed")
    # 4. the judge decides admissibility: 不予受理 with its reason, served today; the 10-day review runs
    judge.goto(site.url + "/objections")
    judge.click("td a[href^='/objections/']")
    judge.wait_for_load_state()
    assert "初步审查意见" in judge.content()
    judge.fill("form[action$='/admission'] textarea[name=reason]", "未提供证据证明询价结果虚假，不符合参考价规定第二十五条。")
    judge.fill("form[action$='/admission'] input[name=served_on]", today.isoformat())
    shots(judge, "judge-admission")
    judge.click("form[action$='/admission'] button:text('裁定不予受理')")
    judge.wait_for_load_state()
    assert "已裁定不予受理" in judge.content() and "复议申请期" in judge.content()
    shots(judge, "judge-refused")
    # 5. the reference price is fixed from the 定向询价 result
    judge.goto(f"{site.url}/cases/{CASE}")
    option = judge.locator(f"#fix{lot_id} select[name=report_id] option", has_text="定向询价结果").first
    judge.select_option(f"#fix{lot_id} select[name=report_id]", option.get_attribute("value"))
    judge.click(f"#fix{lot_id} button.primary")
    judge.wait_for_load_state()
    assert "参考价已确定" in judge.content()
    price = judge.locator(f"#price{lot_id} strong").first.inner_text()
    assert price == f"{total}" or price.replace(" 元", "") == total.replace(" 元", "")
    assert re.fullmatch(r"\d{1,3}(,\d{3})+\.\d{2} 元", price)
    shots(judge, "price-fixed")
    # 6. the clerk creates the lot from it: the reference price comes from the case
    clerk = _page(browser)
    _login(clerk, site.url, "clerk1")
    clerk.goto(f"{site.url}/cases/{CASE}")
    clerk.click("a:text('由此参考价建立拍卖标的')")
    clerk.wait_for_load_state()
    typed = clerk.input_value("input[name='参考价（元）']")
    assert typed.replace(",", "") == price.replace(" 元", "").replace(",", "")
    row = real_estate_row(7, today + timedelta(days=1), court_code=COURT, court_name="温岭市人民法院")
    for name, value in row.items():
        field = clerk.locator(f"input[name='{name}']")
        if field.count() and not field.input_value():
            field.fill(str(value))
    shots(clerk, "lot-form")
    clerk.click("button.primary")
    clerk.wait_for_load_state()
    assert "标的已建立" in clerk.content(), clerk.content()
    shots(clerk, "lot-created")
    with unit_scope(engine) as uow:
        lot = uow.session.execute(select(Lot)).scalars().one()
        assert lot.procedure_lot_id == lot_id and lot.case_number == CASE
    assert not judge.console_errors and not party.console_errors and not clerk.console_errors
    for page in (judge, party, clerk):
        page.context.close()
