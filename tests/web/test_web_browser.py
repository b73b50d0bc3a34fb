"""Journeys in a real browser (Playwright driving the system Chromium) against the application served by
waitress on loopback, on SQLite and on PostgreSQL: a judge quotes and prints; a party objects, the judge
decides, the agenda and the party's page show it; a clerk bulk-publishes. Each journey saves screenshots.
An objection submitted twice, and one interrupted by a server restart, leave exactly one complete record."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.files import PDF
from tests.uow import unit_scope
from tests.web.conftest import CASE, COURT, PASSWORD
from web import create_app, jobs
from xunpai.storage.ledger import now_local
from xunpai.storage.models.lots import Lot, Publication
from xunpai.storage.models.procedure import EvidenceFile, Objection

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThreadServer:
    """A WSGI app served by waitress in a thread on a free loopback port."""

    def __init__(self, app):
        from waitress.server import create_server

        self.port = free_port()
        self.server = create_server(app, host="127.0.0.1", port=self.port, threads=6)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self):
        self.server.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("system Chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("screenshots") / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def shot(page, name: str, **kwargs) -> Path:
        counter["n"] += 1
        path = folder / f"{counter['n']:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True, **kwargs)
        return path

    shot.folder = folder
    return shot


@pytest.fixture
def site(engine, seeded, tmp_path):
    platform = ThreadServer(__import__("auction.platforms.local_server", fromlist=["create_app"])
                            .create_app(tmp_path / "platform"))
    app = create_app({"ENGINE": engine, "SECRET_KEY": "browser-secret", "UPLOAD_DIR": str(tmp_path / "uploads"),
                      "LOCAL_PLATFORM_URL": platform.url, "OUTBOX_DIR": str(tmp_path / "outbox"),
                      "OFF_PEAK_SENDER": False})
    app.extensions["xunpai_jobs"].flush()
    worker = jobs.worker(app, retry_seconds=0.2)  # as in xunpai serve: the background jobs' worker
    worker_thread = worker.start_in_thread()
    server = ThreadServer(app)
    yield server
    server.close()
    worker.stop()
    worker_thread.join(timeout=60)
    platform.close()


def _page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.console_errors = []  # CSP violations and script errors show up here
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    return page


def _login(page, url, username):
    page.goto(url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _party_login(page, url, code):
    page.goto(url + "/party/login")
    page.fill("input[name=case_number]", CASE)
    page.fill("input[name=access_code]", code)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_judge_quotes_and_prints(browser, site, seeded, shots):
    page = _page(browser)
    _login(page, site.url, "judge1")
    assert "待办期限" in page.content() and "即时询价" in page.content()  # the judge's home page, then the form
    page.goto(site.url + "/inquiry/")
    page.locator("input[name=address]").press_sequentially(seeded.address[:-2], delay=20)
    page.locator("#address-suggestions option").first.wait_for(state="attached")
    assert seeded.address in page.inner_html("#address-suggestions")  # suggestions from the address index
    page.fill("input[name=address]", seeded.address)
    page.fill("input[name=floor]", "3")
    page.select_option("select[name=orientation]", "南北")
    page.fill("input[name=area]", "89.5")
    page.fill("input[name=contract_date]", "2023-06-01")
    page.fill("input[name=case_number]", CASE)
    shots(page, "form")
    page.click("button.primary")
    page.wait_for_url("**/inquiry/result/**")
    assert "定向询价结果" in page.content() and "计算明细" in page.content()
    shots(page, "result")
    page.emulate_media(media="print")
    shots(page, "print")
    assert page.locator(".topbar").is_hidden()
    assert page.locator(".print-only").inner_text() == "温岭市人民法院"  # the court's name heads the printed page
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.evaluate("(href) => { const a = document.createElement('a'); a.href = href; a.download = 'q.pdf';"
                      " document.body.appendChild(a); a.click(); }",
                      page.get_attribute("a[href$='.pdf']", "href"))
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    code = page.locator(".code").first.inner_text()
    public = _page(browser)
    public.goto(f"{site.url}/verify/{code}")
    assert "核验通过" in public.content()
    shots(public, "verify")
    assert not page.console_errors and not public.console_errors, page.console_errors + public.console_errors
    page.context.close()
    public.context.close()


def _file_objection(page, url, seeded, tmp_path, *, submit=True, evidence_bytes=PDF):
    page.goto(f"{url}/party/case/{CASE}")
    page.click(f"a[href*='report={seeded.report_id}']")
    page.check("input[value=basic_facts]")
    page.fill("textarea[name=facts]", "询价报告记载的建筑面积为 120 平方米，不动产权证记载为 98.5 平方米。")
    page.fill("textarea[name=reasons]", "财产基本信息错误，应按登记面积重新询价。")
    page.fill("input[name=received_on]", now_local().date().isoformat())
    evidence = tmp_path / "不动产权证.pdf"
    evidence.write_bytes(evidence_bytes)
    page.set_input_files("input[name=evidence]", str(evidence))
    if submit:
        page.click("button.primary")
        page.wait_for_load_state()


def test_party_objects_judge_decides_agenda_and_party_page_show_it(browser, site, seeded, shots, engine,
                                                                   tmp_path):
    party = _page(browser)
    _party_login(party, site.url, seeded.party_code)
    shots(party, "party-case")
    _file_objection(party, site.url, seeded, tmp_path)
    assert "异议已提交" in party.content()
    shots(party, "party-filed")
    judge = _page(browser)
    _login(judge, site.url, "judge1")
    judge.goto(site.url + "/objections")
    shots(judge, "judge-inbox")
    judge.click("td a[href^='/objections/']")
    judge.click("form[action$='/admission'] button.primary")  # 立案 (the judge decides admissibility)
    judge.wait_for_load_state()
    judge.check("input[value=upheld]")
    judge.fill("textarea[name=summary]", "询价报告面积记载错误，异议成立，通知平台补正。")
    shots(judge, "judge-decides")
    judge.click("form[action$='/decide'] button.primary")
    judge.wait_for_load_state()
    assert "裁定已记录" in judge.content()
    judge.goto(site.url + "/agenda")
    assert "送达异议裁定" in judge.content()
    shots(judge, "agenda")
    party.goto(f"{site.url}/party/case/{CASE}")
    assert "异议成立" in party.content() and "通知平台补正" in party.content()
    shots(party, "party-outcome")
    party.context.close()
    judge.context.close()


def test_an_objection_submitted_twice_is_one_record(browser, site, seeded, engine, tmp_path, shots):
    party = _page(browser)
    _party_login(party, site.url, seeded.party_code)
    _file_objection(party, site.url, seeded, tmp_path)
    party.go_back()  # the form again, with the same submission key, resubmitted
    party.set_input_files("input[name=evidence]", str(tmp_path / "不动产权证.pdf"))
    party.click("button.primary")
    party.wait_for_load_state()
    assert "未重复登记" in party.content()
    shots(party, "resubmitted")
    with unit_scope(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Objection)) == 1
        assert uow.session.scalar(select(func.count()).select_from(EvidenceFile)) == 1
    party.context.close()


def test_clerk_bulk_publishes(browser, site, seeded, engine, tmp_path, shots):
    from auction.demo_lots import demo_rows
    from auction.lot_sheet import write_sheet

    sheet = tmp_path / "批量挂拍表.xlsx"
    write_sheet(sheet, demo_rows(12, now_local().date() + timedelta(days=1), court_code=COURT))
    clerk = _page(browser)
    _login(clerk, site.url, "clerk1")
    clerk.goto(site.url + "/lots/bulk")
    clerk.set_input_files("input[name=file]", str(sheet))
    clerk.select_option("select[name=platform]", "local")
    clerk.select_option("select[name=mode]", "publish")  # the default is import only (issue 14)
    clerk.check("input[name=confirm_publish]")
    shots(clerk, "bulk-form")
    clerk.click("button.primary")
    clerk.wait_for_url("**/lots/bulk/**")
    shots(clerk, "bulk-progress")
    clerk.wait_for_selector("a[href$='/download']", timeout=60_000)
    assert "已完成" in clerk.content()
    shots(clerk, "bulk-done")
    clerk.goto(site.url + "/lots/")
    assert clerk.content().count("已上线") >= 12
    shots(clerk, "lots")
    clerk.click("a[href^='/lots/']:text('H00012')")
    assert "起拍价" in clerk.content() and "已上线" in clerk.content()
    shots(clerk, "lot")
    from tests.web.test_web_lifecycle import PROFILE
    from xunpai.services import lifecycle as lifecycle_service

    with unit_scope(engine) as uow:  # the documents are made with the court profile its administrator saved
        lifecycle_service.save_court_profile(uow, COURT, actor="admin", actor_role="admin", actor_court=None, **PROFILE)
    clerk.click("a:text('预览') >> nth=0")
    assert "拍卖公告" in clerk.content() and "1207 0211 0900 0123 456" in clerk.content()
    shots(clerk, "announcement-preview")
    with unit_scope(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Lot).where(Lot.status == "published")) == 12
        assert uow.session.scalar(select(func.count()).select_from(Publication)) == 12
    clerk.context.close()


# ---------------------------------------------------------------- a server restart in the middle of a filing

class ProcessServer:
    """``xunpai serve`` in a subprocess, so that it can be killed like a crashed server."""

    def __init__(self, database_url: str, data_dir: Path, port: int):
        self.port, self.url = port, f"http://127.0.0.1:{port}"
        env = {**os.environ, "XUNPAI_DATA_DIR": str(data_dir), "XUNPAI_SECRET_KEY": "restart-secret"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "xunpai", "serve", "--workers", "1", "--port", str(port), "--database-url", database_url,
             "--no-demo", "--threads", "4"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/login", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        self.kill()
        raise RuntimeError("xunpai serve did not start")

    def kill(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


def test_an_objection_interrupted_by_a_server_restart_is_one_complete_record(browser, seeded, engine, database_url,
                                                                             tmp_path, shots):
    port = free_port()
    server = ProcessServer(database_url, tmp_path / "data", port)
    try:
        party = _page(browser)
        _party_login(party, server.url, seeded.party_code)
        # a large scan (12 MB) keeps the request busy long enough to be cut off in the middle
        big = PDF + b"0" * (12 * 1024 * 1024)
        _file_objection(party, server.url, seeded, tmp_path, submit=False, evidence_bytes=big)
        key = party.get_attribute("input[name=submission_key]", "value")
        party.click("button.primary", no_wait_after=True)
        time.sleep(0.25)
        server.kill()  # the server dies while handling the filing
        with unit_scope(engine) as uow:  # all or nothing: never an objection without its evidence
            stored = uow.session.execute(select(Objection)).scalars().all()
            assert all(len(o.evidence) == 1 and o.evidence[0].size == len(big) for o in stored)
        server = ProcessServer(database_url, tmp_path / "data", port)
        party.reload() if "objections/new" not in party.url else None
        party.go_back() if "objections/new" not in party.url else None
        # the party's browser still holds the form (same submission key): send it again
        _file_objection(party, server.url, seeded, tmp_path, submit=False, evidence_bytes=big)
        party.evaluate("(key) => { document.querySelector('input[name=submission_key]').value = key; }", key)
        party.click("button.primary")
        party.wait_for_load_state()
        shots(party, "after-restart")
        assert "异议已提交" in party.content() or "未重复登记" in party.content()
        with unit_scope(engine) as uow:
            objections = uow.session.execute(select(Objection)).scalars().all()
            assert len(objections) == 1
            assert len(objections[0].evidence) == 1 and objections[0].evidence[0].size == len(big)
            assert objections[0].facts and objections[0].grounds
        party.context.close()
    finally:
        server.kill()


def test_core_forms_work_without_javascript(browser, site, seeded, shots, tmp_path):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    _login(page, site.url, "judge1")
    page.goto(site.url + "/inquiry/")
    page.fill("input[name=address]", seeded.address.rsplit("幢", 1)[0][:-1])  # ambiguous: candidates come back
    page.fill("input[name=floor]", "2")
    page.fill("input[name=area]", "60")
    page.fill("input[name=contract_date]", "2023-06-01")
    page.fill("input[name=case_number]", CASE)
    page.click("button.primary")
    page.wait_for_load_state()
    page.check(f"input[name=building_id][value={seeded.building_id}]")
    shots(page, "candidates-no-js")
    page.click("button.primary")
    page.wait_for_url("**/inquiry/result/**")
    assert "定向询价结果" in page.content()
    party = context.browser.new_context(locale="zh-CN", java_script_enabled=False).new_page()
    _party_login(party, site.url, seeded.party_code)
    _file_objection(party, site.url, seeded, tmp_path)
    assert "异议已提交" in party.content()
    context.close()
    party.context.close()
