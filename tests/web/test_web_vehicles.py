"""The judge's vehicle screen: a vehicle as the clerk has it → value, breakdown, comparables and the chart (a
PNG served by the app), the PDF with the chart and the verification code, the public check; every bad input a
Chinese message beside its field (never a 500), refusals in the ledger, another court's result refused."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.uow import unit_scope
from tests.web.conftest import CASE, csrf_token, login
from vehicles.sample import sample_mapping, write_sample
from xunpai.services import vehicles as vehicle_service
from xunpai.storage import ledger

NAME = "宝马5系 2020款 530Li 领先型 M运动套装"
GOOD = {"name": NAME, "registration": "2021-03", "mileage": "4.5万公里", "city": "银川", "valuation_date": "2026-11-20",
        "case_number": CASE, "purpose": "确定财产处置参考价"}


@pytest.fixture
def vehicle_table(engine, seeded, tmp_path):
    sample = write_sample(tmp_path / "sample.csv", n=500)
    with unit_scope(engine) as uow:
        vehicle_service.calibrate(uow, sample, sample_mapping(), name="车辆-测试", actor="admin")
        vehicle_service.activate(uow, "车辆-测试", "admin")


def _post(client, **overrides):
    data = {**GOOD, **overrides, "csrf_token": csrf_token(client, "/vehicles/")}
    return client.post("/vehicles/", data=data)


def _field_error(page: str, field: str) -> str:
    match = re.search(rf'<span class="field-error" id="e-{field}" role="alert">([^<]+)</span>', page)
    return match.group(1) if match else ""


def test_the_judge_values_a_vehicle_and_reads_the_breakdown_comparables_and_chart(client, vehicle_table, engine):
    login(client, "judge1")
    home = client.get("/vehicles/").get_data(as_text=True)
    assert "车辆估价" in home and 'href="/vehicles/"' in client.get("/inquiry/").get_data(as_text=True)
    response = _post(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.location).get_data(as_text=True)
    code = re.search(r'class="code">([0-9A-F-]+)<', page).group(1)
    with unit_scope(engine) as uow:
        detail = vehicle_service.receipt(uow, code)
    r = detail["result"]
    assert f'{int(r["value"]):,}.00 元' in page and "计算明细" in page and "可比实例" in page
    assert page.count("<tr><td>S") == 5  # five comparables from the sample
    assert "车系“宝马5系”" in page and "历史价格曲线" in page and "<script" not in page.split("</main>")[0]
    assert '<div class="print-only"><p>温岭市人民法院</p></div>' in page  # heads the printed page
    chart = client.get(f"/vehicles/result/{code}/chart.png")
    assert chart.status_code == 200 and chart.mimetype == "image/png"
    image = Image.open(io.BytesIO(chart.data))
    assert image.size == (1080, 432)
    assert detail["case_number"] == CASE and detail["actor"] == "judge1"


def test_the_pdf_carries_the_chart_the_value_and_the_code_and_the_public_page_verifies(client, vehicle_table):
    from pypdf import PdfReader

    login(client, "judge1")
    code_page = client.get(_post(client).location).get_data(as_text=True)
    code = re.search(r'class="code">([0-9A-F-]+)<', code_page).group(1)
    pdf = client.get(f"/vehicles/result/{code}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "".join(page.extract_text() for page in reader.pages).replace("\x00", "").replace(" ", "")
    assert "车辆估价结果单" in text and code in text and "历史价格曲线" in text
    assert sum(len(page.images) for page in reader.pages) == 1  # the chart
    client.post("/logout", data={"csrf_token": csrf_token(client, "/vehicles/")})
    public = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "核验通过" in public and NAME in public and CASE not in public


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "请填写车型名称"),
    ("name", "2020款", "无法识别“2020款”的品牌"),
    ("registration", "去年", "上牌时间“去年”无法识别"),
    ("mileage", "四万公里", "里程“四万公里”无法识别"),
    ("valuation_date", "2026-13-45", "估价日期"),
    ("new_price", "很贵", "新车含税价“很贵”无法识别"),
    ("inspection", "有点划痕", "检测结果“有点划痕”无法识别"),
    ("case_number", "宁0122执1号", "案号"),
    ("purpose", "", "请填写询价用途"),
])
def test_bad_input_is_a_chinese_message_beside_its_field(client, vehicle_table, engine, field, value, message):
    login(client, "judge1")
    with unit_scope(engine) as uow:
        before = sum(1 for _ in ledger.entries(uow.session))
    response = _post(client, **{field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in _field_error(page, field), page
    with unit_scope(engine) as uow:
        assert sum(1 for _ in ledger.entries(uow.session)) == before  # nothing asked, nothing written


def test_refusals_of_the_service_are_beside_their_field_and_in_the_ledger(client, vehicle_table, engine):
    login(client, "judge1")
    response = _post(client, name="宝马3系 2020款 325Li 豪华套装")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    # an unseen series of a known brand: valued at the brand level, from the new-car price the judge gives
    error = _field_error(page, "new_price")
    assert "没有车系“宝马3系”的记录" in error and "请填写新车含税价" in error and "已记入台账" in error
    assert "<li>宝马5系</li>" in page  # the candidates
    later = _post(client, valuation_date="2099-01-01")
    assert later.status_code == 422 and "晚于今天" in _field_error(later.get_data(as_text=True), "valuation_date")
    brand = _post(client, name="五菱 宏光 2020款 1.5L")
    assert brand.status_code == 422 and "没有品牌“五菱”" in _field_error(brand.get_data(as_text=True), "name")
    with unit_scope(engine) as uow:
        assert len(list(ledger.entries(uow.session, kind="vehicle.refused"))) == 3
    priced = _post(client, name="宝马3系 2020款 325Li 豪华套装", new_price="32.39万")
    assert priced.status_code == 302
    result = client.get(priced.location).get_data(as_text=True)
    assert "按品牌水平估价" in result and "估价区间（80%）" in result and "同品牌同类别" in result


def test_without_an_active_table_the_judge_reads_why(client, seeded):
    login(client, "judge1")
    response = _post(client)
    assert response.status_code == 422 and "还没有启用的车辆表版本" in response.get_data(as_text=True)


def test_another_courts_judge_and_a_clerk_cannot_open_the_result(client, app, vehicle_table):
    login(client, "judge1")
    location = _post(client).location
    code = location.rsplit("/", 1)[1]
    other = app.test_client()
    login(other, "judge2")
    assert other.get(location).status_code == 403
    assert other.get(f"/vehicles/result/{code}/chart.png").status_code == 403
    clerk = app.test_client()
    login(clerk, "clerk1")
    assert clerk.get("/vehicles/").status_code == 403
    assert client.get("/vehicles/result/0000-0000-0000").status_code == 404
