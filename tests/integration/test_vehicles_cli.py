"""``xunpai vehicle …`` end to end on SQLite and PostgreSQL: calibrate a sample file, activate, list, quote (text
and JSON), a refusal with its ledger entry, a batch file, a ratio study; messages in Chinese."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from vehicles.sample import write_sample
from xunpai.services import accounts as accounts_service
from xunpai.storage.models.accounts import InquiryLimit

accounts_service.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
CASE = "（2026）宁0122执88号"
NAME = "宝马5系 2020款 530Li 领先型 M运动套装"


@pytest.fixture
def env(uow, database_url, tmp_path):
    accounts_service.save_court(uow, code="宁0122", name="贺兰县人民法院", zones=[])
    judge = accounts_service.create_user(uow, username="judge", display_name="马法官", role="judge",
                                         court_code="宁0122", password="secret-pass-1")
    accounts_service.create_user(uow, username="admin", display_name="管理员", role="admin", court_code=None,
                                 password="secret-pass-1")
    with uow:
        limit = uow.session.get(InquiryLimit, judge.id)
        limit.hour_from, limit.hour_to, limit.daily_count = 0, 24, 100_000  # a batch counts per row
        uow.commit()
    return {**os.environ, "XUNPAI_DATABASE_URL": database_url, "XUNPAI_DATA_DIR": str(tmp_path)}


def run(env, *args):
    return subprocess.run([sys.executable, "-m", "xunpai", "vehicle", *args], env=env, capture_output=True,
                          text=True)


def test_calibrate_activate_quote_batch_and_study(env, tmp_path):
    sample = write_sample(tmp_path / "样本.csv", n=500)
    done = run(env, "calibrate", str(sample), "--mapping", "sample", "--name", "车辆-1", "--user", "admin")
    assert done.returncode == 0, done.stderr
    assert "已校准草稿版本“车辆-1”：读取 500 行，拒绝 0 行" in done.stdout
    refused = run(env, "quote", "--name", NAME, "--registration", "2021-03", "--mileage", "4.5万公里",
                  "--valuation-date", "2026-11-20", "--case-number", CASE, "--user", "judge")
    assert refused.returncode == 3 and "还没有启用的车辆表版本" in refused.stderr and "已记入台账" in refused.stderr
    assert run(env, "activate", "车辆-1", "--user", "judge").stderr.startswith("错误：用户“judge”不是系统管理员")
    assert "已启用车辆表版本“车辆-1”" in run(env, "activate", "车辆-1", "--user", "admin").stdout
    listed = json.loads(run(env, "list", "--json").stdout)
    assert [(v["name"], v["status"], v["rows"]["records"]) for v in listed] == [("车辆-1", "active", 500)]

    text = run(env, "quote", "--name", NAME, "--registration", "2021-03", "--mileage", "4.5万公里", "--city", "银川",
               "--valuation-date", "2026-11-20", "--case-number", CASE, "--user", "judge")
    assert text.returncode == 0, text.stderr
    assert "车系 宝马5系" in text.stdout and "可比实例" in text.stdout and "历史价格曲线：2024-11" in text.stdout
    as_json = run(env, "quote", "--name", NAME, "--registration", "2021-03", "--mileage", "4.5万公里", "--city",
                  "银川", "--valuation-date", "2026-11-20", "--case-number", CASE, "--user", "judge", "--json")
    answer = json.loads(as_json.stdout)
    assert answer["status"] == "ok" and f"估价：{answer['result']['value']} 元" in text.stdout
    assert len(answer["verification_code"]) == 14 and answer["result"]["table_name"] == "车辆-1"

    unknown = run(env, "quote", "--name", "宝马3系 2020款 325Li", "--registration", "2021-03", "--mileage", "4万公里",
                  "--valuation-date", "2026-11-20", "--case-number", CASE, "--user", "judge", "--json")
    assert unknown.returncode == 3
    body = json.loads(unknown.stdout)
    assert body["code"] == "new_price_unknown" and "宝马5系" in body["candidates"] and body["ledger_seq"]

    cars = tmp_path / "车辆.csv"
    pd.DataFrame({"车型名称": [NAME, "五菱 宏光 2020款 1.5L"], "上牌时间": ["2021-03", "2020年"],
                  "表显里程": ["4.5万公里", "8万公里"], "城市": ["银川", "银川"]}).to_csv(cars, index=False)
    out = tmp_path / "结果.xlsx"
    batch = run(env, "batch", str(cars), "-o", str(out), "--valuation-date", "2026-11-20", "--case-number", CASE,
                "--user", "judge")
    assert batch.returncode == 0, batch.stderr
    assert "共 2 行：已估价 1 行，未估价 1 行" in batch.stdout
    result = pd.read_excel(out, dtype=str)
    assert result["估价(元)"].iloc[0] == answer["result"]["value"] and result["状态"].tolist() == ["已估价", "未估价"]

    wrong = tmp_path / "错.csv"
    pd.DataFrame({"名称": ["x"]}).to_csv(wrong, index=False)
    bad = run(env, "batch", str(wrong), "-o", str(out), "--case-number", CASE, "--user", "judge")
    assert bad.returncode == 2 and "文件缺少列：车型名称、上牌时间、表显里程" in bad.stderr

    other = write_sample(tmp_path / "检验.csv", seed=5, n=300)
    study = run(env, "ratio-study", str(other), "--mapping", "sample", "--bootstrap", "50")
    assert study.returncode == 0, study.stderr
    assert "比率研究：记录 300 条，无法估价 0 条" in study.stdout and "MdAPE" in study.stdout and "PPE10" in study.stdout


def test_bad_input_is_a_chinese_message(env, tmp_path):
    sample = write_sample(tmp_path / "s.csv", n=50)
    mapping = run(env, "calibrate", str(sample), "--mapping", "不存在的映射", "--name", "x", "--user", "admin")
    assert mapping.returncode == 2 and "找不到列映射“不存在的映射”" in mapping.stderr
    date = run(env, "quote", "--name", NAME, "--registration", "2021-03", "--mileage", "4万公里",
               "--valuation-date", "2026-13-40", "--case-number", CASE, "--user", "judge")
    assert date.returncode == 2 and "估价日期" in date.stderr
