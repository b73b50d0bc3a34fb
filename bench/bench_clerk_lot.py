"""A scripted clerk creates and publishes a flat lot from a case with a fixed reference price, in a real browser
(Playwright on the system Chromium), and the bench prints the time and the number of fields typed by hand.

Target (issue 14; Wuxi's clerks publish a lot in about 3 minutes): under 40 fields typed by hand and under 20 s
for the script. The script: sign in, open 新建标的 from the case (parties, property, reference price and its basis,
court, contact, round and dates come from the case), type what only the clerk knows, pick the choices, upload two
photos, 建立标的, 发布 to the local platform, confirm, and wait for 已上线.

Baseline, measured in the same run on a fresh database: the same lot made and published through the services with
no browser (the machine's share of the time; the rest is the pages and the browser).

    python bench/bench_clerk_lot.py [--headed]
"""

from __future__ import annotations

import argparse
import io
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402
from waitress.server import create_server  # noqa: E402

from auction.platforms import get_platform  # noqa: E402
from auction.platforms.local_server import create_app as platform_app  # noqa: E402
from web import create_app  # noqa: E402
from xunpai.services import accounts, procedure, publishing  # noqa: E402
from xunpai.storage.db import make_engine, migrate  # noqa: E402
from xunpai.storage.ledger import now_local  # noqa: E402
from xunpai.storage.unit_of_work import UnitOfWork  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
COURT, CASE, PASSWORD = "浙1081", "（2026）浙1081执100号", "bench-password-42"
TARGET_FIELDS, TARGET_SECONDS = 40, 20.0

# What only the clerk knows about this flat, typed by hand (the rest comes from the case or is chosen).
TYPED = {
    "执行依据": "（2025）浙1081民初123号民事判决书", "优先购买权人": "无", "所在地": "温岭市城东街道东辉公寓1幢501室",
    "标的物介绍": "钢混结构住宅一套，三室两厅一卫，简装。", "占有人": "王某某", "租赁情况": "无",
    "权利负担": "抵押:某银行股份有限公司温岭支行", "建筑面积（平方米）": "89.5", "总楼层": "18", "所在楼层": "5",
    "建成年份": "2008", "户型": "三室两厅一卫", "每单元电梯数": "1", "土地剩余年限": "约 48 年",
    "联系电话": "0576-86000000", "看样安排": "工作日预约看样，由法院统一组织", "已知瑕疵": "无",
}
DATES = ("当事人通知日期", "勘验日期")  # typed too (today)
CHOSEN = {"占有使用情况": "被执行人占用", "是否腾空": "否", "房屋性质": "商品房", "用途": "住宅", "朝向": "南北",
          "税费承担": "标的物过户所涉及的税费由买卖双方依照法律规定各自承担",
          "税费明细": "增值税:被执行人；个人所得税:被执行人；土地增值税:被执行人；契税:买受人；印花税:买卖双方各自承担"}


def _serve(app) -> tuple[str, object]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = create_server(app, host="127.0.0.1", port=port, threads=6)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{port}", server


def seed(engine) -> int:
    """A court, a clerk, the case with its parties and flat, and the flat's reference price fixed."""
    uow = UnitOfWork(engine)
    now = now_local()
    accounts.save_court(uow, code=COURT, name="温岭市人民法院", zones=["Z01"])
    accounts.create_user(uow, username="clerk1", display_name="李书记员", role="clerk", court_code=COURT,
                         password=PASSWORD)
    procedure.create_case(uow, COURT, CASE, [
        procedure.PartyInput("applicant", "某银行股份有限公司温岭支行", "330100198505050029", "温岭市太平街道1号"),
        procedure.PartyInput("debtor", "王某某", "330100198001010015", "温岭市城东街道东辉公寓1幢501室")],
        actor="clerk1", now=now)
    lot = procedure.add_lot(uow, CASE, "东辉公寓1幢501室住宅", seized_on=now.date(), actor="clerk1", now=now)
    report = procedure.record_report(uow, lot.id, "directed_inquiry", "询拍即时询价", 1_180_000_00,
                                     received_on=now.date(), actor="clerk1", now=now)
    procedure.fix_reference_price(uow, report.id, today=now.date(), actor="clerk1", now=now)
    return lot.id


def photo(tmp: Path, name: str, color) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), color).save(out, "JPEG", quality=85)
    path = tmp / name
    path.write_bytes(out.getvalue())
    return path


def scripted_clerk(url: str, photos: list[Path], headed: bool) -> tuple[float, int, int]:
    from playwright.sync_api import sync_playwright

    typed = chosen = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=not headed, args=["--no-sandbox"])
        page = browser.new_context(locale="zh-CN").new_page()
        page.set_default_timeout(30_000)
        started = time.perf_counter()
        page.goto(url + "/login")
        page.fill("input[name=username]", "clerk1")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(url + f"/lots/new?case={CASE}")
        for name, value in TYPED.items():
            page.fill(f"[name='{name}']", value)
            typed += 1
        today = now_local().date().isoformat()
        for name in DATES:
            page.fill(f"[name='{name}']", today)
            typed += 1
        for name, value in CHOSEN.items():
            page.select_option(f"select[name='{name}']", value)
            chosen += 1
        page.set_input_files("#i-media", [str(p) for p in photos])
        page.click("button[value=build]")
        page.wait_for_load_state()
        if "必须披露的信息齐全" not in page.inner_text("main"):
            raise SystemExit("the lot was not complete:\n" + page.inner_text("main")[:2000])
        page.select_option("select[name=platform]", "local")
        chosen += 1
        page.click("form[action$='/publish'] button")
        page.click("button:has-text('确认发布')")
        page.wait_for_selector("[data-stage=live]")
        elapsed = time.perf_counter() - started
        browser.close()
    return elapsed, typed, chosen


def services_only(engine, platform_url: str, photos: list[Path], media_dir: Path) -> float:
    """The same lot through the services (no pages, no browser): the baseline."""
    uow = UnitOfWork(engine)
    started = time.perf_counter()
    values = {"案号": CASE, "执行法院": "温岭市人民法院", "标的编号": "BASE-1", "标的名称": "东辉公寓1幢501室住宅",
              "标的物类型": "real_estate", "拍卖轮次": "first_auction", "参考价（元）": "1180000.00",
              "参考价依据": "定向询价", "公告日期": now_local().date().isoformat(), "联系人": "李书记员",
              "申请执行人": "某银行股份有限公司温岭支行", "被执行人": "王某某"} | TYPED | CHOSEN
    values |= {name: now_local().date().isoformat() for name in DATES}
    draft = publishing.save_draft(uow, values, court_code=COURT, actor="clerk1")
    for path in photos:
        publishing.add_media(uow, draft, path.name, path.read_bytes(), media_dir, court_code=COURT, actor="clerk1")
    built = publishing.build_from_draft(uow, draft, media_dir, court_code=COURT, actor="clerk1")
    assert built.lot_id and not built.check.missing, built.check
    result = publishing.publish_lot(uow, built.lot_id, get_platform("local", base_url=platform_url), actor="clerk1")
    assert result.stage == "live"
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--headed", action="store_true")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} not found")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        engine = make_engine(f"sqlite:///{tmp / 'bench.sqlite3'}")
        migrate(engine)
        seed(engine)
        platform_url, platform_server = _serve(platform_app(tmp / "platform"))
        app = create_app({"ENGINE": engine, "SECRET_KEY": "bench", "UPLOAD_DIR": str(tmp / "uploads"),
                          "LOCAL_PLATFORM_URL": platform_url, "OUTBOX_DIR": str(tmp / "outbox"),
                          "OFF_PEAK_SENDER": False, "JOBS_INLINE": True})
        url, server = _serve(app)
        photos = [photo(tmp, "客厅.jpg", (190, 120, 80)), photo(tmp, "卧室.jpg", (90, 120, 180))]
        baseline = services_only(engine, platform_url, photos, tmp / "uploads" / "media")
        elapsed, typed, chosen = scripted_clerk(url, photos, args.headed)
        server.close()
        platform_server.close()
    print("书记员从案件建立并发布一套住宅（本地拍卖平台，已上线）")
    print(f"  手工键入字段：{typed} 个（目标 < {TARGET_FIELDS}）；下拉选择：{chosen} 个；上传照片：{len(photos)} 张")
    print(f"  脚本用时：{elapsed:.1f} 秒（目标 < {TARGET_SECONDS:.0f} 秒）")
    print(f"  基线（同一标的经服务层建立并发布，不经网页与浏览器）：{baseline:.2f} 秒")
    print(f"  网页与浏览器所占：{elapsed - baseline:.1f} 秒")


if __name__ == "__main__":
    main()
