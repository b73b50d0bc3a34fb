"""The clerk's workbench in a real browser (Playwright on the system Chromium), on SQLite and PostgreSQL: a flat
lot from a case with a fixed reference price, a draft saved with wrong numbers, every error at once beside its
field, the missing disclosures as links, photos uploaded (a file that only claims to be a photo refused), published
to the local platform (已上线) and to a package-only platform (准备就绪, the package downloaded from the browser,
the upload recorded), the result fetched from the platform, the second round in one step, a withdrawal."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import select

from auction.demo_lots import demo_rows
from auction.lot_sheet import COLUMNS, prepare_row
from auction.platforms import get_platform
from auction.platforms.local_client import LocalPlatform
from tests.uow import unit_scope
from tests.web.conftest import CASE, COURT
from tests.web.test_web_browser import ThreadServer, _login, _page, browser, shots  # noqa: F401 - fixtures
from web import create_app, jobs
from xunpai.services import procedure, publishing
from xunpai.storage.ledger import now_local
from xunpai.storage.models.lots import Lot, LotMedia, Publication
from xunpai.storage.unit_of_work import UnitOfWork

pytestmark = pytest.mark.browser

REFERENCE_FEN = 1_180_000_00


def fix_reference_price(engine, lot_id: int) -> None:
    """The case's flat gets a fixed reference price (a 定向询价 result fixed as the reference price)."""
    with unit_scope(engine) as uow:
        now = now_local()
        report = procedure.record_report(uow, lot_id, "directed_inquiry", "询拍即时询价", REFERENCE_FEN,
                                         received_on=now.date(), actor="judge1", now=now)
        procedure.fix_reference_price(uow, report.id, today=now.date(), actor="judge1", now=now)


@pytest.fixture
def site(engine, seeded, tmp_path):
    """The application and the local platform, each served by waitress on loopback, with the jobs' worker."""
    from auction.platforms.local_server import create_app as platform_app

    platform = ThreadServer(platform_app(tmp_path / "platform"))
    app = create_app({"ENGINE": engine, "SECRET_KEY": "browser-secret", "UPLOAD_DIR": str(tmp_path / "uploads"),
                      "LOCAL_PLATFORM_URL": platform.url, "OUTBOX_DIR": str(tmp_path / "outbox"),
                      "OFF_PEAK_SENDER": False})
    app.extensions["xunpai_jobs"].flush()
    worker = jobs.worker(app, retry_seconds=0.2)
    worker_thread = worker.start_in_thread()
    server = ThreadServer(app)
    yield SimpleNamespace(url=server.url, platform_url=platform.url)
    server.close()
    worker.stop()
    worker_thread.join(timeout=60)
    platform.close()


def past_lot(engine, platform_url: str) -> int:
    """A flat announced 33 days ago (bidding ended two days ago), published to the local platform."""
    row = demo_rows(2, now_local().date() - timedelta(days=33), court_code=COURT)[1]
    prepared = prepare_row(2, {c: "" for c in COLUMNS} | row)
    with unit_scope(engine) as uow:
        (lot,) = publishing.import_lots(uow, [prepared], actor="clerk1")
        lot_id = lot.id
    publishing.publish_lot(UnitOfWork(engine), lot_id, get_platform("local", base_url=platform_url), actor="clerk1")
    return lot_id


def png_bytes(color=(200, 80, 40), size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


# The disclosures a flat needs beyond what the case brings (typed or chosen by the clerk).
TYPED = {
    "执行依据": "（2025）浙1081民初123号民事判决书", "当事人通知日期": "", "优先购买权人": "无",
    "所在地": "温岭市城东街道东辉公寓1幢501室", "标的物介绍": "钢混结构住宅一套，三室两厅一卫，简装。",
    "占有人": "王某某", "租赁情况": "无", "权利负担": "抵押:某银行股份有限公司温岭支行",
    "户型": "三室两厅一卫", "土地剩余年限": "约 48 年", "联系电话": "0576-86000000",
    "看样安排": "工作日预约看样，由法院统一组织", "已知瑕疵": "无",
}
CHOSEN = {"占有使用情况": "被执行人占用", "是否腾空": "否", "房屋性质": "商品房", "用途": "住宅", "朝向": "南北",
          "税费承担": "标的物过户所涉及的税费由买卖双方依照法律规定各自承担",
          "税费明细": "增值税:被执行人；个人所得税:被执行人；土地增值税:被执行人；契税:买受人；印花税:买卖双方各自承担"}


def _fill(page, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.fill(f"[name='{name}']", value)


def _choose(page, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.select_option(f"select[name='{name}']", value)


def test_clerk_workbench_journey(browser, site, seeded, shots, engine, tmp_path):  # noqa: F811
    fix_reference_price(engine, seeded.lot_id)
    today = now_local().date()
    page = _page(browser)
    _login(page, site.url, "clerk1")
    page.goto(site.url + f"/lots/new?case={CASE}")
    # what the case knows is there: parties, the property, the reference price and its basis
    assert page.input_value("[name='参考价（元）']").replace(",", "") == "1180000.00"
    assert "定向询价" in page.input_value("[name='参考价依据']")
    assert page.input_value("[name='标的名称']") == "东辉公寓1幢501室住宅"
    assert page.locator("select[name='标的物类型']").input_value() == "real_estate"
    # a draft with wrong numbers saves as typed
    _fill(page, {"建成年份": "99999", "总楼层": "abc", "建筑面积（平方米）": "89.5", "所在楼层": "5",
                 "每单元电梯数": "1", "保证金（元）": "99999999999999999"})
    page.click("button[value=draft]")
    page.wait_for_load_state()
    assert "草稿已保存" in page.inner_text("main") and "/lots/drafts/" in page.url
    assert page.input_value("[name='建成年份']") == "99999"
    # building the lot: every error at once, each beside its field with the field's own label
    page.click("button[value=build]")
    page.wait_for_load_state()
    shots(page, "errors")
    errors = page.locator(".field.invalid")
    assert errors.count() == 3
    assert "“建成年份”应在 1900 至 2100 年之间" in page.inner_text("#f-year_built")
    assert "“总楼层”应为数字" in page.inner_text("#f-floors")
    assert "“保证金”应在 0.01 元至 1,000 亿元之间" in page.inner_text("#f-deposit")
    assert page.input_value("[name='建筑面积（平方米）']") == "89.5"  # fixing one error never wipes the rest
    _fill(page, {"建成年份": "2008", "总楼层": "18", "保证金（元）": ""})
    page.click("button[value=build]")
    page.wait_for_load_state()
    assert "/lots/" in page.url and "drafts" not in page.url, page.inner_text("main")
    # the lot exists as a draft; publishing still needs the disclosures, each a link to its field
    missing = page.locator("#missing a")
    assert missing.count() >= 8
    assert page.locator("form[action$='/publish']").count() == 0
    page.click("#missing a:has-text('看样安排')")
    page.wait_for_load_state()
    assert page.url.endswith("#f-viewing") and page.locator("#f-viewing").is_visible()
    _fill(page, TYPED | {"当事人通知日期": today.isoformat(), "勘验日期": today.isoformat()})
    _choose(page, CHOSEN)
    # photos are uploaded files checked by their content
    fake = tmp_path / "现场.jpg"
    fake.write_bytes(b"this is not a photo at all")
    photo = tmp_path / "客厅.png"
    photo.write_bytes(png_bytes())
    page.set_input_files("#i-media", [str(fake), str(photo)])
    page.click("button[value=media]")
    page.wait_for_load_state()
    assert "不是照片或视频" in page.inner_text("#f-photos")
    assert page.locator(".media-list img").count() == 1
    assert page.input_value("[name='看样安排']") == TYPED["看样安排"]  # the upload kept what was typed
    page.click("button[value=build]")
    page.wait_for_load_state()
    shots(page, "lot-complete")
    assert "必须披露的信息齐全" in page.inner_text("main"), page.inner_text("main")
    thumb = page.locator(".media-list img").first
    assert thumb.evaluate("img => img.naturalWidth") == 320
    with unit_scope(engine) as uow:
        lot = uow.session.scalars(select(Lot)).one()
        (item,) = uow.session.scalars(select(LotMedia)).all()
        assert item.kind == "photo" and item.mime == "image/png" and len(item.sha256) == 64
        assert lot.lot.photos[0].sha256 == item.sha256

    # publishing asks first; the local platform acknowledges and shows it: 已上线
    page.select_option("select[name=platform]", "local")
    page.click("form[action$='/publish'] button")
    page.wait_for_load_state()
    assert "确认发布" in page.inner_text("h1")
    with unit_scope(engine) as uow:
        assert uow.session.scalars(select(Publication)).first() is None  # nothing sent before the confirmation
    page.click("button:has-text('确认发布')")
    page.wait_for_load_state()
    assert page.locator("[data-stage=live]").count() == 1
    # a package-only platform: 准备就绪, the package downloaded from the browser, not a file path
    page.select_option("select[name=platform]", "ali")
    page.click("form[action$='/publish'] button")
    page.click("button:has-text('确认发布')")
    page.wait_for_load_state()
    shots(page, "ready")
    assert page.locator("[data-stage=ready]").count() == 1 and "file://" not in page.content()
    with page.expect_download() as info:
        page.click("a:has-text('下载上传包')")
    archive = zipfile.ZipFile(info.value.path())
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["fields"]["起拍价"] and any(a["role"] == "photo" for a in manifest["attachments"])
    assert archive.read("attachments/照片01.png") == photo.read_bytes()
    # the clerk records the upload: 已提交, then 已上线 with the platform's address
    page.fill("[name=reference]", "ALI-2026-0001")
    page.click("button:has-text('登记上传')")
    page.wait_for_load_state()
    assert page.locator("[data-stage=submitted]").count() == 1
    page.fill("[name=url]", "https://sf-item.taobao.com/sf_item/1001.htm")
    page.select_option("select[name=live]", "1")
    page.click("button:has-text('登记上传')")
    page.wait_for_load_state()
    assert page.locator("[data-stage=live]").count() == 2

    # the result comes back from the platform's interface: a lot whose bidding ended two days ago, unsold (流拍)
    past_id = past_lot(engine, site.platform_url)
    with unit_scope(engine) as uow:
        past = uow.session.get(Lot, past_id)
        remote_id = past.publications[0].remote_id
        ended_on = past.lot.plan.bidding_end.date()
        assert ended_on < today
    platform = LocalPlatform(site.platform_url)
    platform.set_result(remote_id, {"outcome": "unsold", "ended_on": ended_on.isoformat()})
    page.goto(site.url + "/lots/results")
    page.click("button:has-text('从有接口的平台取回结果')")
    page.wait_for_load_state()
    assert "登记 1 个结果，0 个未登记" in page.inner_text("#report"), page.inner_text("main")
    page.goto(site.url + f"/lots/{past_id}")
    assert "流拍" in page.inner_text("main") and page.locator("[data-stage=ended]").count() == 1
    # the second round in one step
    page.click("button:has-text('建立第二次拍卖')")
    page.wait_for_load_state()
    shots(page, "second-round")
    assert "第二次拍卖" in page.inner_text("h1")
    with unit_scope(engine) as uow:
        first = uow.session.get(Lot, past_id)
        second = uow.session.scalars(select(Lot).where(Lot.round == "second_auction")).one()
        assert second.lot_code == first.lot_code
        assert second.lot.plan.previous_starting_price_fen == first.starting_price_fen
        assert second.lot.plan.failed_on == ended_on
        assert first.starting_price_fen * 80 // 100 <= second.starting_price_fen < first.starting_price_fen
        assert second.lot.photos == first.lot.photos
        second_id = second.id
    # withdrawn: the local platform is told, the package-only platform gets a notice package
    for code in ("local", "ali"):
        page.select_option("select[name=platform]", code)
        page.click("form[action$='/publish'] button")
        page.click("button:has-text('确认发布')")
        page.wait_for_load_state()
    page.select_option("select[name=action]", "withdraw")
    page.fill("[name=reason]", "被执行人已履行完毕")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('撤回或暂缓')")
    page.wait_for_load_state()
    shots(page, "withdrawn")
    assert page.locator("[data-stage=withdrawn]").count() == 2
    with page.expect_download() as info:
        page.click("a:has-text('下载撤回通知')")
    notice = json.loads(zipfile.ZipFile(info.value.path()).read("manifest.json"))
    assert notice["action"] == "withdraw" and notice["reason"] == "被执行人已履行完毕"
    with unit_scope(engine) as uow:
        remote = next(p.remote_id for p in uow.session.get(Lot, second_id).publications if p.platform == "local")
        assert uow.session.get(Lot, second_id).outcome == "withdrawn"
    assert platform.status(remote).status == "withdrawn"
    # the refused form answers 422 by design; anything else in the console (CSP, a script error) fails
    assert not [e for e in page.console_errors if "status of 422" not in e], page.console_errors
