"""The vehicle service on both databases: a calibrated table stored and read back exactly, activation in the
ledger, a quote for a judge in the ledger with its verification code (and the public check), refusals logged,
the batch counted once, the ratio study."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from tests.uow import unit_scope
from vehicles.quote import VehicleQuoteEngine
from vehicles.sample import sample_mapping, write_sample
from vehicles.subject import VehicleQuery
from xunpai.services import accounts as accounts_service
from xunpai.services import vehicles as vehicle_service
from xunpai.services.inquiry import InquiryRefused
from xunpai.storage import ledger

accounts_service.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
CASE = "（2026）浙1081执100号"
NOW = datetime(2026, 11, 20, 10, 0)
QUERY = VehicleQuery("宝马5系 2020款 530Li 领先型 M运动套装", "2021-03", "4.5万公里", date(2026, 11, 20), city="银川")


@pytest.fixture
def people(engine):
    with unit_scope(engine) as uow:
        accounts_service.save_court(uow, code="浙1081", name="温岭市人民法院", zones=[])
        judge = accounts_service.create_user(uow, username="judge1", display_name="王法官", role="judge",
                                             court_code="浙1081", password="correct-horse-42", actor="test")
        accounts_service.create_user(uow, username="clerk1", display_name="李书记员", role="clerk",
                                     court_code="浙1081", password="correct-horse-42", actor="test")
        accounts_service.create_user(uow, username="admin", display_name="管理员", role="admin", court_code=None,
                                     password="correct-horse-42", actor="test")
        return judge.id


@pytest.fixture
def sample(tmp_path):
    return write_sample(tmp_path / "sample.csv", n=600)


def calibrated(engine, sample, name="车辆-2026-10", activate=True):
    with unit_scope(engine) as uow:
        result = vehicle_service.calibrate(uow, sample, sample_mapping(), name=name, actor="admin")
    if activate:
        with unit_scope(engine) as uow:
            vehicle_service.activate(uow, name, "admin")
    return result


def test_a_calibrated_table_is_read_back_exactly_and_quotes_the_same(engine, uow, people, sample):
    result = calibrated(engine, sample, activate=False)
    assert result.rows_read == 600 and result.records == 600 and result.errors == []
    vehicle_service._tables.clear()  # read from the database, not the cache
    with unit_scope(engine) as uow:
        back = vehicle_service.load_table(uow, "车辆-2026-10")
    for name, frame in result.table.tables().items():
        pd.testing.assert_frame_equal(back.tables()[name], frame, check_exact=True, obj=name)
    assert back.statistics == json.loads(json.dumps(result.table.statistics))
    assert back.name == "车辆-2026-10"
    fitted, stored = VehicleQuoteEngine(result.table).quote(QUERY), VehicleQuoteEngine(back).quote(QUERY)
    assert fitted.to_dict() == stored.to_dict()
    with unit_scope(engine) as uow:
        versions = vehicle_service.list_versions(uow)
    assert [(v.name, v.status, v.row_counts["records"]) for v in versions] == [("车辆-2026-10", "draft", 600)]


def test_activation_is_explicit_admin_only_and_in_the_ledger(engine, uow, people, sample):
    calibrated(engine, sample, activate=False)
    with pytest.raises(vehicle_service.VehicleError, match="还没有启用的车辆表版本"):
        vehicle_service.load_table(uow)
    with pytest.raises(vehicle_service.VehicleError, match="不是系统管理员"):
        vehicle_service.activate(uow, "车辆-2026-10", "clerk1")
    with unit_scope(engine) as uow:
        vehicle_service.activate(uow, "车辆-2026-10", "admin")
    with pytest.raises(vehicle_service.VehicleError, match="已经是启用状态"):
        vehicle_service.activate(uow, "车辆-2026-10", "admin")
    with pytest.raises(vehicle_service.VehicleError, match="已存在"):
        vehicle_service.calibrate(uow, sample, sample_mapping(), name="车辆-2026-10", actor="admin")
    with unit_scope(engine) as uow:
        kinds = [(e.kind, e.actor) for e in ledger.entries(uow.session)]
    assert ("vehicles.calibrate", "admin") in kinds and ("vehicles.activate", "admin") in kinds


def test_a_quote_for_a_judge_is_in_the_ledger_and_its_code_verifies(engine, uow, people, sample):
    calibrated(engine, sample)
    answer = vehicle_service.quote_for_user(uow, people, QUERY, case_number=CASE, purpose="确定财产处置参考价", now=NOW)
    q = answer.quote
    assert q.value > 0 and q.series_name == "宝马5系" and len(q.comparables) == 5 and len(q.curve.history) == 24
    with unit_scope(engine) as uow:
        detail = vehicle_service.receipt(uow, answer.verification_code)
        public = vehicle_service.check(uow, answer.verification_code)
        entry = ledger.find_by_verification_code(uow.session, answer.verification_code)
    assert detail["case_number"] == CASE and detail["actor_name"] == "王法官"
    assert detail["result"]["value"] == str(q.value) and detail["result"]["version"] == "车辆-2026-10"
    assert len(detail["result"]["curve"]["history"]) == 24 and len(detail["result"]["comparables"]) == 5
    assert entry.kind == "vehicle.quote" and entry.seq == answer.ledger_seq
    assert public.found and public.intact and public.quoted["value"] == str(q.value)
    assert "case_number" not in public.quoted and public.quoted["name"] == QUERY.name
    # the product of the factors gives the value (to the rounding rule's tolerance)
    product = np.prod([float(f["multiplier"]) for f in detail["result"]["factors"]])
    assert abs(float(q.new_price) * product - float(q.value)) <= 2


def test_an_edited_entry_no_longer_verifies(engine, uow, people, sample):
    from sqlalchemy import text

    calibrated(engine, sample)
    answer = vehicle_service.quote_for_user(uow, people, QUERY, case_number=CASE, purpose="确定财产处置参考价", now=NOW)
    with engine.begin() as conn:
        payload = conn.execute(text("select payload from ledger_entries where seq = :s"),
                               {"s": answer.ledger_seq}).scalar_one()
        conn.execute(text("update ledger_entries set payload = :p where seq = :s"),
                     {"p": payload.replace(f'"value":"{answer.quote.value}"', '"value":"1"'), "s": answer.ledger_seq})
    with unit_scope(engine) as uow:
        public = vehicle_service.check(uow, answer.verification_code)
    assert public.found and not public.intact


@pytest.mark.parametrize("kwargs, query, reason", [
    ({"case_number": "浙1081执100号"}, QUERY, "案号"),
    ({"purpose": ""}, QUERY, "请填写查询用途"),
    ({}, VehicleQuery("五菱 宏光 2020款 1.5L 基本型", "2021-03", "4万公里", date(2026, 11, 20)), "没有品牌“五菱”的任何记录"),
    ({}, VehicleQuery(QUERY.name, "2021-03", "四万公里", date(2026, 11, 20)), "里程“四万公里”无法识别"),
    ({}, VehicleQuery(QUERY.name, "2021-03", "4万公里", date(2026, 12, 20)), "晚于今天"),
])
def test_refusals_are_in_the_ledger_with_the_reason(engine, uow, people, sample, kwargs, query, reason):
    calibrated(engine, sample)
    args = {"case_number": CASE, "purpose": "确定财产处置参考价", **kwargs}
    with pytest.raises(InquiryRefused) as refused:
        vehicle_service.quote_for_user(uow, people, query, now=NOW, **args)
    assert reason in refused.value.reason
    with unit_scope(engine) as uow:
        entry = list(ledger.entries(uow.session, kind="vehicle.refused"))[0]
    assert entry.seq == refused.value.ledger_seq and reason in json.loads(entry.payload)["reason"]


def test_a_clerk_may_not_quote_and_an_unseen_series_is_valued_at_the_brand_level(engine, uow, people, sample):
    calibrated(engine, sample)
    clerk = accounts_service.active_user(uow, "clerk1")
    with pytest.raises(InquiryRefused, match="只有执行法官"):
        vehicle_service.quote_for_user(uow, clerk, QUERY, case_number=CASE, purpose="p", now=NOW)
    with pytest.raises(InquiryRefused) as refused:
        vehicle_service.quote_for_user(uow, people, VehicleQuery("宝马3系 2020款 325Li", "2021-03", "4万公里",
                                                                 date(2026, 11, 20)),
                                       case_number=CASE, purpose="p", now=NOW)
    # the brand level needs the new-car price (the table has no model of the series to take it from)
    assert refused.value.code == "new_price_unknown" and "宝马5系" in refused.value.candidates
    answer = vehicle_service.quote_for_user(uow, people, VehicleQuery("宝马3系 2020款 325Li", "2021-03", "4万公里",
                                                                      date(2026, 11, 20), new_price="32万"),
                                            case_number=CASE, purpose="p", now=NOW)
    q = answer.quote
    assert q.level == "brand" and q.interval_low < q.value < q.interval_high
    with unit_scope(engine) as uow:
        detail = vehicle_service.receipt(uow, answer.verification_code)
    r = detail["result"]
    assert r["level"] == "brand" and r["interval_low"] == str(q.interval_low) and r["value_fen"] == q.value_fen
    assert any("按品牌“宝马”" in w for w in r["warnings"])


def test_a_judge_values_vehicles_only_for_the_cases_of_their_own_court(engine, uow, people, sample):
    calibrated(engine, sample)
    with pytest.raises(InquiryRefused, match="属于法院 浙1082，本账户属于 浙1081：只能为本院案件估价") as refused:
        vehicle_service.quote_for_user(uow, people, QUERY, case_number="（2026）浙1082执7号", purpose="p", now=NOW)
    assert refused.value.code == "forbidden" and refused.value.ledger_seq
    frame = pd.DataFrame({"车型名称": [QUERY.name], "上牌时间": ["2021-03"], "表显里程": ["4万公里"]})
    with pytest.raises(InquiryRefused, match="只能为本院案件估价"):
        vehicle_service.batch_for_user(uow, people, frame, case_number="（2026）浙1082执7号", purpose="p", now=NOW)
    with unit_scope(engine) as uow:
        assert not list(ledger.entries(uow.session, kind="vehicle.quote"))
        assert len(list(ledger.entries(uow.session, kind="vehicle.refused"))) == 2


def test_without_an_active_table_the_quote_is_refused_in_the_ledger(engine, uow, people, sample):
    calibrated(engine, sample, activate=False)
    with pytest.raises(InquiryRefused, match="还没有启用的车辆表版本"):
        vehicle_service.quote_for_user(uow, people, QUERY, case_number=CASE, purpose="p", now=NOW)


def test_vehicle_quotes_count_toward_the_daily_limit(engine, uow, people, sample):
    from xunpai.storage.models.accounts import InquiryLimit

    calibrated(engine, sample)
    with unit_scope(engine) as uow:
        limit = uow.session.get(InquiryLimit, people)
        if limit is None:
            uow.session.add(InquiryLimit(user_id=people, daily_count=1, hour_from=0, hour_to=24))
        else:
            limit.daily_count, limit.hour_from, limit.hour_to = 1, 0, 24
        uow.commit()
    vehicle_service.quote_for_user(uow, people, QUERY, case_number=CASE, purpose="p", now=NOW)
    with pytest.raises(InquiryRefused) as refused:
        vehicle_service.quote_for_user(uow, people, QUERY, case_number=CASE, purpose="p", now=NOW)
    assert refused.value.limit is not None


def test_the_batch_prices_a_file_as_one_query_and_equals_single_quotes(engine, uow, people, sample):
    calibrated(engine, sample)
    frame = pd.DataFrame({"车型名称": [QUERY.name, "五菱 宏光 2020款 1.5L 基本型"], "上牌时间": ["2021-03", "2021-03"],
                          "表显里程": ["4.5万公里", "4万公里"], "城市": ["银川", "银川"]})
    batch = vehicle_service.batch_for_user(uow, people, frame, case_number=CASE, purpose="p",
                                           valuation_date=date(2026, 11, 20), now=NOW, source_name="车辆.xlsx")
    single = vehicle_service.quote_for_user(uow, people, QUERY, case_number=CASE, purpose="p", now=NOW)
    assert (batch.ok, batch.refused) == (1, 1)
    assert Decimal(int(batch.results["估价(元)"].iloc[0])) == single.quote.value
    assert batch.results["原因"].iloc[1].startswith("车辆表中没有该品牌的记录")
    with unit_scope(engine) as uow:
        entry = list(ledger.entries(uow.session, kind="vehicle.batch"))[0]
    assert json.loads(entry.payload)["total_value"] == str(single.quote.value)


def test_the_ratio_study_of_a_table_on_records_it_did_not_see(engine, uow, people, sample, tmp_path):
    calibrated(engine, sample)
    other = write_sample(tmp_path / "other.csv", seed=99, n=300)
    study = vehicle_service.ratio_study(uow, other, sample_mapping(), bootstrap=50)
    d = study.to_dict()
    assert d["records"] == 300 and d["coverage"] == 100.0
    assert 0.9 < d["median_ratio"] < 1.1


def test_the_demo_builds_an_active_vehicle_table_from_the_synthetic_sample(engine, uow, people):
    from xunpai.demo import vehicles as demo_vehicles

    with unit_scope(engine) as scope:
        demo_vehicles.build(scope, {"seed": 20261127})
    with unit_scope(engine) as scope:
        version = vehicle_service.get_version(scope)
    assert version.name == demo_vehicles.DEMO_VEHICLE_VERSION and version.row_counts["records"] == 900
    answer = vehicle_service.quote_for_user(uow, people, QUERY, case_number=CASE, purpose="p", now=NOW)
    assert answer.quote.table_name == demo_vehicles.DEMO_VEHICLE_VERSION and answer.quote.value > 0
