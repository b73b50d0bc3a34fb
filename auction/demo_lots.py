"""Synthetic lots for the demo, the tests and the bulk-publishing benchmark: rows of the bulk sheet
(``auction.lot_sheet``) with every mandatory disclosure filled in, vehicles and real estate alternating."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

COURT_CODE = "浙1081"
COURT_NAME = "浙江省温岭市人民法院"
PLACE = "温岭"  # the city of the lots (a demo database uses its own synthetic city)


def vehicle_row(i: int, announce_on: date, *, court_code: str = COURT_CODE,
                court_name: str = COURT_NAME, place: str = PLACE) -> dict[str, Any]:
    reference = 80_000 + 1_000 * (i % 97)
    return {
        "标的编号": f"V{i:05d}", "案号": f"（2025）{court_code}执{1000 + i}号", "执行法院": court_name,
        "标的名称": f"浙J{i:05d} 小型轿车", "标的物类型": "vehicle", "拍卖轮次": "first_auction",
        "参考价（元）": f"{reference}.00", "参考价依据": f"网络询价报告（2025）第 {i} 号",
        "公告日期": announce_on.isoformat(), "所在地": f"{place}市城东街道保管场", "标的物介绍": "白色小型轿车一辆，现状拍卖",
        "执行依据": f"（2025）{court_code}民初{2000 + i}号民事判决书", "联系人": "王法官", "联系电话": "0576-86000000",
        "申请执行人": f"{place}某银行股份有限公司", "被执行人": f"张某{i}",
        "当事人通知日期": (announce_on - timedelta(days=5)).isoformat(),
        "优先购买权人": "无", "占有使用情况": "空置", "是否腾空": "是", "租赁情况": "无", "权利负担": f"查封:{court_name}",
        "已知瑕疵": "左前门轻微划痕", "税费承担": "过户所涉税费由买卖双方依法各自承担", "看样安排": "工作日预约看样",
        "看样电话": "0576-86000001", "照片": f"photos/V{i:05d}-1.jpg；photos/V{i:05d}-2.jpg",
        "车牌号": f"浙J{i:05d}", "车架号": f"LSVAB2BJ{i:09d}", "登记核查日期": (announce_on - timedelta(days=10)).isoformat(),
        "登记状态": "查封", "排放标准": "国六b", "行驶里程（公里）": str(30_000 + i), "交通违法": "无",
    }


def real_estate_row(i: int, announce_on: date, *, court_code: str = COURT_CODE,
                court_name: str = COURT_NAME, place: str = PLACE) -> dict[str, Any]:
    reference = 1_200_000 + 10_000 * (i % 53)
    return {
        "标的编号": f"H{i:05d}", "案号": f"（2025）{court_code}执{5000 + i}号", "执行法院": court_name,
        "标的名称": f"{place}市太平街道某小区{i % 30 + 1}幢{i % 6 + 1}0{i % 4 + 1}室", "标的物类型": "real_estate",
        "拍卖轮次": "first_auction", "参考价（元）": f"{reference}.00", "参考价依据": f"评估报告 温估字（2025）第 {i} 号",
        "公告日期": announce_on.isoformat(), "所在地": f"{place}市太平街道", "标的物介绍": "住宅一套，现状拍卖",
        "执行依据": f"（2025）{court_code}民初{6000 + i}号民事判决书", "联系人": "李法官", "联系电话": "0576-86000002",
        "申请执行人": f"{place}某银行股份有限公司", "被执行人": f"陈某{i}",
        "当事人通知日期": (announce_on - timedelta(days=5)).isoformat(),
        "优先购买权人": "无", "占有使用情况": "被执行人占用", "占有人": f"陈某{i}", "是否腾空": "否", "租赁情况": "无",
        "权利负担": f"抵押:{place}某银行股份有限公司；查封:" + court_name, "已知瑕疵": "无",
        "税费承担": "过户所涉税费由买卖双方依法各自承担", "税费明细": "契税:买受人；增值税:被执行人；个人所得税:被执行人",
        "看样安排": "周三下午统一看样", "看样电话": "0576-86000003", "照片": f"photos/H{i:05d}-1.jpg",
        "房屋性质": "商品房", "用途": "住宅", "建筑面积（平方米）": "98.56", "总楼层": "18", "所在楼层": str(i % 18 + 1),
        "建成年份": "2012", "朝向": "南", "户型": "三室两厅一卫", "每单元电梯数": "2", "土地剩余年限": "约 56 年",
        "勘验日期": (announce_on - timedelta(days=7)).isoformat(),
    }


def demo_rows(n: int, announce_on: date, *, court_code: str = COURT_CODE, court_name: str = COURT_NAME,
              place: str = PLACE) -> list[dict[str, Any]]:
    return [vehicle_row(i, announce_on, court_code=court_code, court_name=court_name, place=place) if i % 2 else
            real_estate_row(i, announce_on, court_code=court_code, court_name=court_name, place=place)
            for i in range(1, n + 1)]
