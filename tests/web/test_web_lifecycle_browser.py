"""A clerk's journey in a real browser (Playwright, the system Chromium) on SQLite and PostgreSQL: an unsold first
auction → the second auction in one step → 合议庭评议, 公告, 竞价 → 成交 → 购房资格审核 → 余款 → 成交裁定 →
协助执行通知书 → 交付, ending with the handover record downloaded and read back."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from tests.uow import unit_scope
from tests.web.test_web_browser import _login, _page, browser, shots, site  # noqa: F401 - fixtures
from tests.web.test_web_lifecycle import bidding_lot
from xunpai.services import lifecycle as service

pytestmark = pytest.mark.browser


def _record(page, kind: str, **fields) -> None:
    form = f"#event-{kind}"
    details = page.locator(f"details:has({form})")
    if not details.evaluate("d => d.open"):  # a refused form comes back open, with what was typed
        page.click(f"details:has({form}) > summary")
    for name, value in fields.items():
        target = page.locator(f"{form} [name={name}]")
        if value is True:
            target.check()
        else:
            target.fill(value)
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#lifecycle-error").count() == 0, page.locator("#lifecycle-error").inner_text()


def test_from_an_unsold_first_auction_to_the_handover_record(browser, site, seeded, engine, shots):  # noqa: F811
    lot_id = bidding_lot(engine)
    with unit_scope(engine) as uow:
        first = service.lot_view(uow, lot_id).life.plan
    failed = first.bidding_end.date()
    page = _page(browser)
    _login(page, site.url, "clerk1")
    page.goto(f"{site.url}/lots/{lot_id}")
    page.click("#lifecycle-link")
    page.wait_for_load_state()
    assert page.inner_text("#lot-state") == "竞价中"
    # a refusal is shown with the article, the clerk corrects the date
    page.click("details:has(#event-unsold) > summary")
    page.fill("#event-unsold [name=on]", (failed - timedelta(days=1)).isoformat())
    page.click("#event-unsold button[type=submit]")
    page.wait_for_load_state()
    assert "网拍规定第二十六条第一款" in page.inner_text("#lifecycle-error")
    shots(page, "unsold-refused")
    _record(page, "unsold", on=failed.isoformat())
    assert page.inner_text("#lot-state") == "流拍"
    assert "第二次拍卖" in page.inner_text("#next-steps")
    shots(page, "unsold")

    page.fill("#next-round [name=announce_on]", (failed + timedelta(days=4)).isoformat())
    page.fill("#next-round [name=notified_on]", failed.isoformat())
    page.fill("#next-round [name=notice_method]", "直接送达")
    page.click("#next-round button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#lot-state") == "待公告" and "第二次拍卖" in page.content()
    second_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    with unit_scope(engine) as uow:
        plan = service.lot_view(uow, second_id).life.plan
    assert plan.starting_price_fen < first.starting_price_fen and plan.next_round_deadline is None

    _record(page, "panel_decision", on=(failed + timedelta(days=1)).isoformat(), members="张审判长\n王法官\n陈法官")
    _record(page, "announce", on=(failed + timedelta(days=4)).isoformat())
    _record(page, "open_bidding", at=plan.bidding_start.strftime("%Y-%m-%dT%H:%M"))
    sold_at = plan.bidding_end + timedelta(minutes=3)
    _record(page, "sold", at=sold_at.strftime("%Y-%m-%dT%H:%M"), buyer_name="周某某",
            buyer_id_number="330100198001010015", bidder_code="A7",
            price=f"{(plan.starting_price_fen + 5_000_00) // 100}.00")
    assert page.inner_text("#lot-state") == "已成交"
    shots(page, "sold")
    paid_on = sold_at.date() + timedelta(days=2)
    _record(page, "review_qualification", on=paid_on.isoformat(), reviewer="王法官",
            evidence="温岭市住建局购房资格核验单", qualified=True)
    _record(page, "pay_balance", on=paid_on.isoformat())
    assert "拍卖变卖规定第二十条" in page.inner_text("#next-steps")
    _record(page, "rule", on=(paid_on + timedelta(days=3)).isoformat())
    _record(page, "notify_registry", on=(paid_on + timedelta(days=4)).isoformat())
    assert "拍卖变卖规定第二十七条" in page.inner_text("#next-steps")
    _record(page, "deliver", on=(paid_on + timedelta(days=10)).isoformat(), receiver="周某某",
            items="房屋钥匙 2 把")
    assert page.inner_text("#lot-state") == "已交付"
    docs = page.inner_text("#documents")
    for label in ("合议庭评议笔录", "拍卖裁定书", "成交确认书", "成交裁定书", "协助执行通知书", "交付（移交）笔录"):
        assert label in docs
    shots(page, "delivered")
    with page.expect_download() as download:
        page.click("#documents tr:has-text('交付（移交）笔录') a:has-text('DOCX')")
    assert download.value.suggested_filename.endswith("交付（移交）笔录.docx")
    response = page.request.get(f"{site.url}/lifecycle/lots/{second_id}/documents/handover_record.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).replace("\n", "")
    assert "交付（移交）笔录" in text and "周某某" in text and "房屋钥匙" in text and "李书记员" in text
    # the one refused submission answers 422 (the browser logs it); no script or CSP error
    assert [e for e in page.console_errors if "status of 422" not in e] == []
