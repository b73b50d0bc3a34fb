"""The vehicle journeys in a real browser (Playwright driving the system Chromium) against the app served by
waitress on loopback, on SQLite and PostgreSQL: from the navigation to the vehicle form, a bad mileage answered
beside its field, the quote with its breakdown, comparables and the price-history chart (an image the app
serves, drawn and loaded), the PDF, and the public check of the printed code; the administrator calibrating and
activating a vehicle table through the job worker; the judge valuing a seized vehicle from its lot (the form
prefilled) and a sheet of vehicles through the job queue; no CSP violation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.uow import unit_scope
from tests.web.conftest import CASE
from tests.web.test_web_browser import ThreadServer, _login, _page, browser, shots  # noqa: F401 (fixtures)
from tests.web.test_web_vehicles_jobs import vehicle_lot
from vehicles.sample import sample_mapping, write_sample
from web import create_app, jobs
from xunpai.services import vehicles as vehicle_service

pytestmark = pytest.mark.browser


@pytest.fixture
def vehicle_site(engine, seeded, tmp_path):
    sample = write_sample(tmp_path / "sample.csv", n=600)
    with unit_scope(engine) as uow:
        vehicle_service.calibrate(uow, sample, sample_mapping(), name="车辆-浏览器", actor="admin")
        vehicle_service.activate(uow, "车辆-浏览器", "admin")
    app = create_app({"ENGINE": engine, "SECRET_KEY": "browser-secret", "UPLOAD_DIR": str(tmp_path / "uploads"),
                      "OFF_PEAK_SENDER": False})
    server = ThreadServer(app)
    yield server
    server.close()


def test_judge_values_a_vehicle_and_reads_its_chart(browser, vehicle_site, shots):  # noqa: F811
    page = _page(browser)
    _login(page, vehicle_site.url, "judge1")
    page.click("nav.mainnav >> text=车辆估价")
    page.wait_for_url("**/vehicles/")
    page.fill("#f-name", "宝马5系 2020款 530Li 领先型 M运动套装")
    page.fill("#f-registration", "2021-03")
    page.fill("#f-mileage", "四万五千公里")
    page.fill("#f-city", "银川")
    page.fill("#f-valuation_date", "2026-11-20")
    page.fill("#f-case_number", CASE)
    page.fill("#f-purpose", "确定财产处置参考价")
    page.click("button.primary")
    page.wait_for_load_state()
    assert "里程“四万五千公里”无法识别" in page.inner_text("#e-mileage")
    assert page.input_value("#f-name") == "宝马5系 2020款 530Li 领先型 M运动套装"  # what was typed is kept
    shots(page, "vehicle-form-error")
    # the refused form is answered 422, which the browser reports; nothing else may be in the console
    assert all("422" in e for e in page.console_errors), page.console_errors
    page.console_errors.clear()
    page.fill("#f-mileage", "4.5万公里")
    page.click("button.primary")
    page.wait_for_url("**/vehicles/result/**")
    assert "车辆估价结果" in page.content() and "计算明细" in page.content()
    assert page.locator("#comparables tbody tr").count() == 5
    chart = page.locator("#vehicle-chart")
    chart.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#vehicle-chart').complete")
    assert page.evaluate("() => document.querySelector('#vehicle-chart').naturalWidth") == 1080
    shots(page, "vehicle-result")
    assert page.locator(".print-only").is_hidden()
    page.emulate_media(media="print")
    shots(page, "vehicle-print")
    assert page.locator(".topbar").is_hidden()
    assert page.locator(".print-only").inner_text() == "温岭市人民法院"  # the court's name heads the printed page
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.evaluate("(href) => { const a = document.createElement('a'); a.href = href; a.download = 'v.pdf';"
                      " document.body.appendChild(a); a.click(); }",
                      page.get_attribute("a[href$='.pdf']", "href"))
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    (shots.folder / "vehicle-result.pdf").write_bytes(pdf)
    code = page.locator(".code").first.inner_text()
    public = _page(browser)
    public.goto(f"{vehicle_site.url}/verify/{code}")
    assert "核验通过" in public.content() and "宝马5系 2020款 530Li" in public.content()
    assert CASE not in public.content()
    shots(public, "vehicle-verify")
    assert not page.console_errors and not public.console_errors, page.console_errors + public.console_errors
    page.context.close()
    public.context.close()


@pytest.fixture
def vehicle_jobs_site(engine, seeded, tmp_path):
    """The app with its job worker running, as ``xunpai serve`` runs it (the batch and the calibration are jobs)."""
    app = create_app({"ENGINE": engine, "SECRET_KEY": "browser-secret", "UPLOAD_DIR": str(tmp_path / "uploads"),
                      "OFF_PEAK_SENDER": False})
    app.extensions["xunpai_jobs"].flush()
    worker = jobs.worker(app, retry_seconds=0.2)
    worker_thread = worker.start_in_thread()
    server = ThreadServer(app)
    yield server
    server.close()
    worker.stop()
    worker_thread.join(timeout=60)


def test_admin_calibrates_and_activates_then_judge_values_a_lot_and_a_sheet(browser, vehicle_jobs_site,  # noqa: F811
                                                                          engine, tmp_path, shots):  # noqa: F811
    site = vehicle_jobs_site
    sample = write_sample(tmp_path / "车辆成交样本.csv", n=400)
    admin = _page(browser)
    _login(admin, site.url, "admin")
    admin.click("nav.mainnav >> text=车辆表")
    admin.wait_for_url("**/vehicles/tables")
    assert "尚未校准任何车辆表版本" in admin.content()
    admin.fill("#t-name", "车辆-浏览器")
    admin.set_input_files("#t-records", str(sample))
    admin.select_option("#t-mapping", "sample")
    admin.click("text=校准 >> nth=-1")
    admin.wait_for_url("**/vehicles/tables/jobs/**")
    admin.wait_for_selector(".flash.success", timeout=120_000)  # the page polls the job until it is done
    assert "已校准草稿版本“车辆-浏览器”" in admin.inner_text(".flash.success")
    shots(admin, "vehicle-calibrate-job")
    admin.click("text=返回")
    admin.wait_for_url("**/vehicles/tables")
    row = admin.locator('tr[data-version="车辆-浏览器"]')
    assert "草稿" in row.inner_text() and "品牌" in row.inner_text()
    admin.once("dialog", lambda dialog: dialog.accept())  # the confirmation of the activation
    row.locator("button", has_text="启用").click()
    admin.wait_for_load_state()
    assert "启用中" in admin.locator('tr[data-version="车辆-浏览器"]').inner_text()
    shots(admin, "vehicle-tables")
    assert not admin.console_errors, admin.console_errors

    lot_id, case = vehicle_lot(engine, tmp_path)
    judge = _page(browser)
    _login(judge, site.url, "judge1")
    judge.click("nav.mainnav >> text=车辆估价")
    judge.click("nav.subnav >> text=本院待估车辆")
    judge.wait_for_url("**/vehicles/lots")
    shots(judge, "vehicle-lots")
    judge.click(f'a[href="/vehicles/lot/{lot_id}"]')
    judge.wait_for_url(f"**/vehicles/lot/{lot_id}")
    assert judge.input_value("#f-name") == "宝马5系 2020款 530Li 领先型 M运动套装"
    assert judge.input_value("#f-registration") == "2021-03" and judge.input_value("#f-mileage") == "30001公里"
    assert judge.input_value("#f-case_number") == case and judge.input_value("#f-city") == "银川"
    shots(judge, "vehicle-lot-prefilled")
    judge.click("button.primary")
    judge.wait_for_url("**/vehicles/result/**")
    assert judge.locator("#vehicle-interval").count() == 1
    code = judge.locator(".code").first.inner_text()
    judge.goto(f"{site.url}/vehicles/lot/{lot_id}")
    assert code in judge.inner_text("#subject-quotes")

    cars = tmp_path / "待估车辆.xlsx"
    pd.DataFrame({"车型名称": ["宝马5系 2020款 530Li 领先型 M运动套装", "宝马3系 2020款 325Li", "五菱 宏光 2020款 1.5L"],
                  "上牌时间": ["2021-03", "2020-06", "2020年"], "表显里程": ["4.5万公里", "5万公里", "8万公里"],
                  "城市": ["银川", "银川", "银川"], "新车含税价": ["", "32.39万", ""]}).to_excel(cars, index=False)
    judge.click("nav.subnav >> text=批量估价")
    judge.wait_for_url("**/vehicles/batch")
    judge.fill("#b-case_number", CASE)
    judge.set_input_files("#b-file", str(cars))
    judge.click("button.primary")
    judge.wait_for_url("**/vehicles/batch/**")
    judge.wait_for_selector(".flash.success", timeout=120_000)
    assert "已估价 2 辆，未估价 1 辆" in judge.inner_text(".flash.success")
    shots(judge, "vehicle-batch-job")
    with judge.expect_download() as download:
        judge.click("text=下载结果")
    result = pd.read_excel(download.value.path(), dtype=str)
    assert result["状态"].tolist() == ["已估价", "已估价", "未估价"] and result["估价层级"].tolist()[1] == "品牌"
    assert not judge.console_errors, judge.console_errors
    admin.context.close()
    judge.context.close()
