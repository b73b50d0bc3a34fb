"""The vehicle pages beyond the single quote, on SQLite and PostgreSQL: the journey from a seized vehicle (a lot
of kind vehicle, a vehicle in custody) to its prefilled quote; the judge's batch through the job queue with the
results workbook; the administrator's vehicle tables (calibrate by upload as a job, list, activate). Every
write checks court and role; bad input is a Chinese message and changes nothing."""

from __future__ import annotations

import copy
import io
import re
from datetime import date, timedelta

import pandas as pd
import pytest
from openpyxl import load_workbook

from auction.demo_lots import demo_rows
from auction.lot_sheet import write_sheet
from tests.uow import unit_scope
from tests.web.conftest import CASE, COURT, FOREIGN_CASE, csrf_token, login
from tests.web.test_web_vehicles import NAME, vehicle_table  # noqa: F401 (fixture)
from vehicles.sample import sample_mapping, write_sample
from vehicles.subject import VehicleQuery
from xunpai.services import accounts as accounts_service
from xunpai.services import custody as custody_service
from xunpai.services import publishing
from xunpai.services import vehicles as vehicle_service
from xunpai.storage import ledger
from xunpai.storage.ledger import now_local
from xunpai.storage.models.lots import Lot


def vehicle_lot(engine, tmp_path, *, brand_model: str = NAME, court: str = COURT) -> tuple[int, str]:
    """A lot of kind vehicle imported from a sheet, its checks then given the brand and model and the first
    registration as the lot form records them."""
    path = tmp_path / f"lots-{court}.xlsx"
    write_sheet(path, demo_rows(1, now_local().date() + timedelta(days=10), court_code=court, place="银川"))
    with unit_scope(engine) as uow:
        # another court's lot comes in as that court's staff would import it (here: the CLI's operator)
        (lot_id,) = publishing.import_sheet(uow, path, actor="clerk1" if court == COURT else "服务器操作员")
    with unit_scope(engine) as uow:
        row = uow.session.get(Lot, lot_id)
        content = copy.deepcopy(row.lot)  # a new value, so that the typed column sees the change
        content.vehicle.brand_model = brand_model
        content.vehicle.first_registered_on = date(2021, 3, 15)
        row.lot = content
        uow.commit()
        return lot_id, row.case_number


# ---------------------------------------------------------------- from a lot to its quote

def test_a_judge_values_a_seized_vehicle_from_its_lot_with_the_form_prefilled(client, app, engine, vehicle_table,  # noqa: F811
                                                                             tmp_path):
    lot_id, case = vehicle_lot(engine, tmp_path)
    login(client, "judge1")
    listed = client.get("/vehicles/lots").get_data(as_text=True)
    assert f'href="/vehicles/lot/{lot_id}"' in listed and NAME in listed
    page = client.get(f"/vehicles/lot/{lot_id}").get_data(as_text=True)
    for value in (NAME, "2021-03", "30001公里", "银川", case):
        assert f'value="{value}"' in page, value
    assert "标的车辆：V00001" in page
    token = csrf_token(client, f"/vehicles/lot/{lot_id}")
    form = {"name": NAME, "registration": "2021-03", "mileage": "30001公里", "city": "银川",
            "valuation_date": now_local().date().isoformat(), "case_number": case, "purpose": "确定财产处置参考价",
            "csrf_token": token}
    response = client.post(f"/vehicles/lot/{lot_id}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    code = response.location.rsplit("/", 1)[1]
    with unit_scope(engine) as uow:
        detail = vehicle_service.receipt(uow, code)
    assert detail["inputs"]["subject"] == {"kind": "lot", "id": lot_id, "label": "V00001 浙J00001 小型轿车"}
    # the lot's vehicle page lists the quote; the clerk reaches it from the lot page and reads it there
    again = client.get(f"/vehicles/lot/{lot_id}").get_data(as_text=True)
    assert code in again and 'id="subject-quotes"' in again
    clerk = app.test_client()
    login(clerk, "clerk1")
    lot_page = clerk.get(f"/lots/{lot_id}").get_data(as_text=True)
    assert f'href="/vehicles/lot/{lot_id}"' in lot_page
    seen = clerk.get(f"/vehicles/lot/{lot_id}").get_data(as_text=True)
    assert code in seen and f'/verify/{code}' in seen and "须由执行法官提交" in seen
    # a clerk's POST is refused (and logged), nothing is asked
    refused = clerk.post(f"/vehicles/lot/{lot_id}", data={**form, "csrf_token": csrf_token(clerk, f"/vehicles/lot/{lot_id}")})
    assert refused.status_code == 403
    with unit_scope(engine) as uow:
        assert len(list(ledger.entries(uow.session, kind="vehicle.quote"))) == 1


def test_a_lot_without_brand_and_model_says_what_to_fill_and_another_court_s_lot_is_refused(client, app, engine,
                                                                                          vehicle_table,  # noqa: F811
                                                                                          tmp_path):
    lot_id, _case = vehicle_lot(engine, tmp_path, brand_model="")
    foreign_id, _ = vehicle_lot(engine, tmp_path, court="浙1082")
    login(client, "judge1")
    page = client.get(f"/vehicles/lot/{lot_id}").get_data(as_text=True)
    assert "标的未记载品牌型号：请按机动车登记证书或行驶证填写车型名称" in page
    assert client.get(f"/vehicles/lot/{foreign_id}").status_code == 403
    assert client.get("/vehicles/lot/999999").status_code == 404
    assert f"/vehicles/lot/{foreign_id}" not in client.get("/vehicles/lots").get_data(as_text=True)


def test_a_vehicle_in_custody_prefills_the_form_from_its_identifiers_and_intake_checklist(client, engine,
                                                                                        vehicle_table):  # noqa: F811
    checks = {"exterior": "左前门划痕", "interior": "完好", "engine": "可启动", "tyres": "正常", "keys": "2 把",
              "documents": "行驶证随车", "mileage": "45210", "registration": "与登记一致",
              "emission_standard": "国六b", "violations": "无"}
    with unit_scope(engine) as uow:
        item = custody_service.intake(
            uow, court_code=COURT, case_number=CASE, kind="vehicle", description="宁A12345 小型轿车",
            location="银川市贺兰县某保管场", condition="良好", checklist=checks, tariff_daily_fen=3000,
            intake_on=now_local().date() - timedelta(days=3), photos=[("front.jpg", b"photo")],
            identifiers={"plate": "宁A12345", "brand_model": NAME, "first_registered": "2021-03"}, actor="clerk1")
        unread = custody_service.intake(
            uow, court_code=COURT, case_number=CASE, kind="vehicle", description="宁A54321 小型轿车",
            location="保管场", condition="良好", checklist={**checks, "mileage": "见标的物介绍"}, tariff_daily_fen=3000,
            intake_on=now_local().date() - timedelta(days=3), photos=[("front.jpg", b"photo2")], actor="clerk1")
        ids = item.id, unread.id
    login(client, "judge1")
    assert f'href="/vehicles/custody/{ids[0]}"' in client.get("/vehicles/lots").get_data(as_text=True)
    page = client.get(f"/vehicles/custody/{ids[0]}").get_data(as_text=True)
    for value in (NAME, "2021-03", "45210公里", "银川", CASE):
        assert f'value="{value}"' in page, value
    other = client.get(f"/vehicles/custody/{ids[1]}").get_data(as_text=True)
    assert 'id="f-mileage" type="text" value=""' in other and "标的未记载可识别的行驶里程" in other


# ---------------------------------------------------------------- the judge's batch

def _batch(client, data: bytes, filename="车辆.csv", **fields):
    token = csrf_token(client, "/vehicles/batch")
    form = {"case_number": CASE, "purpose": "确定财产处置参考价", "valuation_date": "2026-11-20", **fields}
    return client.post("/vehicles/batch", data={**form, "csrf_token": token, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _csv(rows: dict) -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8-sig")


def test_the_judge_prices_a_sheet_of_vehicles_through_the_job_queue(client, engine, vehicle_table):  # noqa: F811
    login(client, "judge1")
    template = client.get("/vehicles/batch/template.xlsx")
    assert template.status_code == 200
    header = next(load_workbook(io.BytesIO(template.data)).active.iter_rows(values_only=True))
    assert header[:3] == ("车型名称", "上牌时间", "表显里程")
    data = _csv({"车型名称": [NAME, "宝马3系 2020款 325Li", "五菱 宏光 2020款 1.5L"],
                 "上牌时间": ["2021-03", "2020-06", "2020年"], "表显里程": ["4.5万公里", "5万公里", "8万公里"],
                 "城市": ["银川", "银川", "银川"], "新车含税价": ["", "32.39万", "5万"]})
    response = _batch(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.location).get_data(as_text=True)
    assert "已完成" in page and "已估价 2 辆，未估价 1 辆" in page
    result = client.get(response.location + "/download")
    disposition = result.headers["Content-Disposition"]
    assert result.status_code == 200 and "%E8%BD%A6%E8%BE%86%E4%BC%B0%E4%BB%B7%E7%BB%93%E6%9E%9C" in disposition  # 车辆估价结果
    out = pd.read_excel(io.BytesIO(result.data), dtype=str)
    assert out["状态"].tolist() == ["已估价", "已估价", "未估价"]
    assert out["估价层级"].tolist()[:2] == ["车系", "品牌"] and out["原因"].iat[2].startswith("车辆表中没有该品牌的记录")
    with unit_scope(engine) as uow:
        (entry,) = list(ledger.entries(uow.session, kind="vehicle.batch"))
        judge = accounts_service.active_user(uow, "judge1")
        single = vehicle_service.quote_for_user(uow, judge, VehicleQuery(NAME, "2021-03", "4.5万公里", date(2026, 11, 20),
                                                                          city="银川"),
                                                case_number=CASE, purpose="确定财产处置参考价")
    assert entry.case_number == CASE and entry.actor == "judge1"
    assert out["估价(元)"].iat[0] == str(single.quote.value)  # the batch gives the single quote's yuan
    assert out["区间下限(元)"].iat[0] == str(single.quote.interval_low)
    assert out["区间上限(元)"].iat[0] == str(single.quote.interval_high)


@pytest.mark.parametrize("data, filename, fields, message", [
    (b"\xff\xfe\x00bad", "车辆.csv", {}, "无法读取文件"),
    (b"not a workbook", "车辆.xlsx", {}, "无法读取文件"),
    (_csv({"名称": ["x"]}), "车辆.csv", {}, "文件缺少列：车型名称、上牌时间、表显里程"),
    (_csv({"车型名称": [NAME], "上牌时间": ["2021-03"], "表显里程": ["4万公里"]}), "车辆.txt", {}, "类型不支持"),
    (_csv({"车型名称": [NAME], "上牌时间": ["2021-03"], "表显里程": ["4万公里"]}), "车辆.csv",
     {"case_number": "浙1081执100号"}, "案号"),
    (_csv({"车型名称": [NAME], "上牌时间": ["2021-03"], "表显里程": ["4万公里"]}), "车辆.csv",
     {"valuation_date": "2026-02-30"}, "估价日期"),
])
def test_a_bad_batch_upload_is_refused_at_once_and_starts_no_job(client, engine, vehicle_table,  # noqa: F811
                                                                 data, filename, fields, message):
    login(client, "judge1")
    response = _batch(client, data, filename, **fields)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with unit_scope(engine) as uow:
        assert not list(ledger.entries(uow.session, kind="vehicle."))


def test_a_batch_for_another_court_s_case_fails_with_the_service_s_reason(client, engine, vehicle_table):  # noqa: F811
    login(client, "judge1")
    response = _batch(client, _csv({"车型名称": [NAME], "上牌时间": ["2021-03"], "表显里程": ["4万公里"]}),
                      case_number=FOREIGN_CASE)
    page = client.get(response.location).get_data(as_text=True)
    assert "失败" in page and "只能为本院案件估价" in page and "已记入台账" in page
    assert client.get(response.location + "/download").status_code == 404


# ---------------------------------------------------------------- the administrator's vehicle tables

def _calibrate(client, data: bytes, *, name="车辆-网页", mapping="sample", filename="样本.csv", mapping_file=None):
    token = csrf_token(client, "/vehicles/tables")
    form = {"csrf_token": token, "action": "calibrate", "name": name, "mapping": mapping, "as_of": "",
            "records": (io.BytesIO(data), filename)}
    if mapping_file is not None:
        form["mapping_file"] = mapping_file
    return client.post("/vehicles/tables", data=form, content_type="multipart/form-data")


def test_the_administrator_calibrates_lists_and_activates_a_vehicle_table(client, app, engine, seeded, tmp_path):
    sample = write_sample(tmp_path / "样本.csv", n=300)
    login(client, "admin")
    assert "尚未校准任何车辆表版本" in client.get("/vehicles/tables").get_data(as_text=True)
    text = sample.read_text(encoding="utf-8").splitlines()
    text.insert(3, "S9999,,30万,25,2021-03,4万公里,自动,无异常,银川,2026-05-01")  # row 4: without a name
    response = _calibrate(client, "\n".join(text).encode("utf-8"))
    assert response.status_code == 302, response.get_data(as_text=True)
    job = client.get(response.location).get_data(as_text=True)
    assert "已校准草稿版本“车辆-网页”" in job and "未读入 1 行" in job and "品牌" in job
    refused = client.get(response.location + "/download")
    rows = list(load_workbook(io.BytesIO(refused.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("行号", "字段", "原值", "原因") and rows[1][0] == 4
    listing = client.get("/vehicles/tables").get_data(as_text=True)
    assert 'data-version="车辆-网页"' in listing and "草稿" in listing
    # the same name again is refused at once; a mapping that is not YAML too
    again = _calibrate(client, sample.read_bytes())
    assert again.status_code == 422 and "已存在" in again.get_data(as_text=True)
    wrong = _calibrate(client, sample.read_bytes(), name="车辆-2", mapping_file=(io.BytesIO(b"x"), "映射.txt"))
    assert wrong.status_code == 422 and "类型不支持" in wrong.get_data(as_text=True)
    # an uploaded mapping is used
    own = _calibrate(client, sample.read_bytes(), name="车辆-自带映射", mapping="",
                     mapping_file=(io.BytesIO(sample_mapping().read_bytes()), "映射.yaml"))
    assert "已校准草稿版本“车辆-自带映射”" in client.get(own.location).get_data(as_text=True)
    token = csrf_token(client, "/vehicles/tables")
    activated = client.post("/vehicles/tables", data={"csrf_token": token, "action": "activate", "version": "车辆-网页"})
    assert activated.status_code == 302
    assert "启用中" in client.get("/vehicles/tables").get_data(as_text=True)
    with unit_scope(engine) as uow:
        assert vehicle_service.get_version(uow).name == "车辆-网页"
        kinds = [e.kind for e in ledger.entries(uow.session, kind="vehicles.")]
    assert kinds == ["vehicles.calibrate", "vehicles.calibrate", "vehicles.activate"]
    # a judge may not reach the page, nor post to it
    judge = app.test_client()
    login(judge, "judge1")
    assert judge.get("/vehicles/tables").status_code == 403
    assert judge.post("/vehicles/tables", data={"action": "activate", "version": "车辆-自带映射",
                                                "csrf_token": csrf_token(judge, "/vehicles/")}).status_code == 403
    with unit_scope(engine) as uow:
        assert vehicle_service.get_version(uow).name == "车辆-网页"


def test_a_calibration_the_service_refuses_fails_with_its_reason_and_stores_nothing(client, engine, seeded,
                                                                                   tmp_path):
    login(client, "admin")
    few = write_sample(tmp_path / "少.csv", n=10)
    response = _calibrate(client, few.read_bytes(), name="车辆-太少")
    page = client.get(response.location).get_data(as_text=True)
    assert "失败" in page and "少于 30 条，无法校准" in page
    with unit_scope(engine) as uow:
        assert vehicle_service.list_versions(uow) == []
    assert re.search(r"车辆-太少", client.get("/vehicles/tables").get_data(as_text=True)) is None
