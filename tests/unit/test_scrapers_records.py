"""Validation of scraped records at the rules' boundaries, and the run's journal, outputs and rejects
(a collector fed from a list: the runner's bookkeeping needs no browser)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import pytest

from scrapers.collector import Collector, RawRecord, Reasons, ValidationError
from scrapers.errors import ScrapeError
from scrapers.run import companion_paths, scrape
from scrapers.sources import SOURCES
from scrapers.sources.judicial_auctions import JudicialAuctions
from scrapers.sources.land_sales import LandSales
from scrapers.sources.second_hand_housing import SecondHandHousing

LOT = {"编号": "7", "标题": "锦园小区3幢501室", "法院": "浙江省温岭市人民法院", "案号": "(2025) 浙1081执1502号",
       "标的类型": "房产", "标的物所在地": "温岭市锦园小区3幢501室", "建筑面积": "118.56㎡", "评估价": "215万元",
       "起拍价": "¥1,505,000.00", "保证金": "¥200,000.00", "加价幅度": "¥5,000.00", "拍卖轮次": "一拍",
       "公告日期": "2026年2月10日", "竞价时间": "2026-03-12 10:00:00 至 2026-03-13 10:00:00",
       "拍卖状态": "成交", "成交价": "¥1,710,000.00", "出价次数": "37次"}
DEAL = {"小区": "锦园小区", "楼层": "中楼层(共18层)", "朝向": "南 北", "面积": "100.00㎡", "成交总价": "100万",
        "成交单价": "10000元/平", "成交日期": "2026.03.20"}
PARCEL = {"公示编号": "301", "公示标题": "出让结果公示", "成交日期": "2026年3月16日", "地块编号": "07-1号",
          "用途": "住宅用地", "面积": "3.00平方米", "成交价": "0.01万元", "竞得人": "某公司"}


def raw(source, fields, key="k"):
    return RawRecord(source, key, "http://site/x", 1, fields)


def reasons(collector, fields) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        collector.validate(raw(collector.source, fields))
    return refused.value.reasons


def test_sources_and_the_command_line_agree():
    from xunpai.cli.scrape import scrape_command

    assert sorted(SOURCES) == sorted(scrape_command.params[0].type.choices)


def test_an_auction_lot_becomes_exact_values_with_the_canonical_case_number():
    row = JudicialAuctions.validate(raw("auction", LOT))
    assert row["case_number"] == "（2025）浙1081执1502号"
    assert (row["reference_price_basis"], row["reference_price_fen"]) == ("appraised_value", 215_000_000)
    assert (row["starting_price_fen"], row["deposit_fen"], row["bid_increment_fen"]) == (150_500_000, 20_000_000,
                                                                                         500_000)
    assert (row["kind"], row["round"], row["status"]) == ("real_estate", "first_auction", "sold")
    assert (row["final_price_fen"], row["bid_count"], row["area_m2"]) == (171_000_000, 37, Decimal("118.56"))
    assert row["start_time"] == datetime(2026, 3, 12, 10) and row["end_time"] == datetime(2026, 3, 13, 10)
    assert row["announcement_date"] == date(2026, 2, 10)
    assert set(row) == {c.name for c in JudicialAuctions.columns}


def test_a_sale_at_exactly_the_starting_price_is_valid_and_one_fen_below_is_not():
    # 网拍规定 art. 11 / 20: bidding ascends from the starting price
    at_start = JudicialAuctions.validate(raw("auction", {**LOT, "成交价": "¥1,505,000.00"}))
    assert at_start["final_price_fen"] == 150_500_000
    assert "低于起拍价" in reasons(JudicialAuctions, {**LOT, "成交价": "¥1,504,999.99"})[0]


@pytest.mark.parametrize("change, phrase", [
    ({"案号": "（2025）浙108执12号"}, "格式不正确"),
    ({"出价次数": "0次"}, "出价次数为 0"),
    ({"拍卖状态": "流拍"}, "却有成交价"),
    ({"成交价": "—"}, "没有成交价"),
    ({"保证金": "¥1,505,000.00"}, "保证金应不少于 0 且低于起拍价"),
    ({"竞价时间": "2026-03-13 10:00:00 至 2026-03-13 10:00:00"}, "不晚于开始时间"),
    ({"竞价时间": "2026-03-13 10:00:00"}, "开始时间 至 结束时间"),
    ({"公告日期": "2026年3月13日"}, "公告日期晚于竞价开始时间"),
    ({"标的类型": "古董"}, "标的物类型“古董”无法识别"),
    ({"拍卖轮次": "三拍"}, "拍卖轮次"),
    ({"建筑面积": "0㎡"}, "不是正数"),
    ({"起拍价": "¥0.00"}, "起拍价必须大于 0"),
])
def test_impossible_auction_records_are_rejected_with_the_reason(change, phrase):
    assert any(phrase in r for r in reasons(JudicialAuctions, {**LOT, **change}))


def test_every_reason_is_reported_not_only_the_first():
    found = reasons(JudicialAuctions, {**LOT, "案号": "浙1081执1号", "拍卖轮次": "三拍", "起拍价": "很多"})
    assert len(found) == 3


def test_unsold_lots_and_lots_without_area_are_kept():
    row = JudicialAuctions.validate(raw("auction", {**LOT, "拍卖状态": "流拍", "成交价": "—", "出价次数": "0次",
                                                    "建筑面积": "—"}))
    assert (row["status"], row["final_price_fen"], row["area_m2"]) == ("unsold", None, None)


def test_a_housing_deal_is_read_through_the_shared_floor_and_orientation_parsers():
    row = SecondHandHousing.validate(raw("housing", DEAL))
    assert (row["floor_low"], row["floor_high"], row["total_floors"]) == (7, 12, 18)
    assert (row["orientation_text"], row["orientation"]) == ("南 北", "南北")
    assert (row["price_fen"], row["price_yuan"], row["area_m2"]) == (100_000_000, Decimal("1000000.00"),
                                                                     Decimal("100.00"))
    assert row["contract_date"] == date(2026, 3, 20)


@pytest.mark.parametrize("unit, ok", [("10001元/平", True), ("9999元/㎡", True), ("10001.01元/平", False),
                                      ("9998.99元/平", False)])
def test_the_unit_price_may_differ_from_total_over_area_by_the_yuan_rounding_only(unit, ok):
    fields = {**DEAL, "成交单价": unit}
    if ok:
        assert SecondHandHousing.validate(raw("housing", fields))["unit_price_yuan"] == Decimal(unit.split("元")[0])
    else:
        assert "不符" in reasons(SecondHandHousing, fields)[0]


@pytest.mark.parametrize("change, phrase", [
    ({"楼层": "第0层"}, "没有第 0 层"), ({"楼层": "20/18"}, "高于总层数"), ({"朝向": "朝天"}, "无法识别朝向"),
    ({"面积": "0㎡"}, "不是正数"), ({"成交日期": "2026.02.30"}, "不存在"), ({"小区": " "}, "缺少小区"),
    ({"成交总价": "面议"}, "无法识别金额"),
])
def test_unreadable_housing_deals_are_rejected_with_the_reason(change, phrase):
    assert any(phrase in r for r in reasons(SecondHandHousing, {**DEAL, **change}))


def test_a_land_parcel_and_its_unit_price_rounded_half_up():
    row = LandSales.validate(raw("land", PARCEL))
    # 100.00 yuan / 3 m² = 33.333… → 33.33; the half-up rule is pinned by 0.05 yuan / 2 m² = 0.025 → 0.03
    assert (row["price_fen"], row["unit_price_yuan"]) == (10_000, Decimal("33.33"))
    half = LandSales.validate(raw("land", {**PARCEL, "面积": "2平方米", "成交价": "0.05元"}))
    assert half["unit_price_yuan"] == Decimal("0.03")
    assert "不是正数" in reasons(LandSales, {**PARCEL, "面积": "0平方米"})[0]
    assert "必须大于 0" in reasons(LandSales, {**PARCEL, "成交价": "0万元"})[0]


# --- the run's bookkeeping, with a collector fed from a list ---------------------------------------------

class ListCollector(Collector):
    """Two pages of housing deals from memory, with an optional crash after a number of records."""

    source = "housing"
    title = "测试"
    columns = SecondHandHousing.columns
    validate = SecondHandHousing.validate

    def __init__(self, pages, crash_after=None):
        super().__init__(fetcher=None, base_url="http://list")
        self.pages, self.crash_after, self.handed = pages, crash_after, 0

    def collect(self, since, *, resume_state) -> Iterator[RawRecord]:
        for number in range(resume_state.next_page, len(self.pages) + 1):
            for key, fields in self.pages[number - 1]:
                if key in resume_state.seen:
                    continue
                if self.crash_after is not None and self.handed == self.crash_after:
                    raise KeyboardInterrupt
                self.handed += 1
                yield RawRecord(self.source, key, "http://list", number, fields)
            resume_state.page_done(number, last=number == len(self.pages))

    def listing_url(self, page_no):  # pragma: no cover - collect is overridden
        raise NotImplementedError

    def read_listing(self, uow, page_no):  # pragma: no cover
        raise NotImplementedError


PAGES = [[("d1", DEAL), ("d2", {**DEAL, "楼层": "第0层"}), ("d3", DEAL)], [("d4", DEAL), ("d5", DEAL)]]


def test_a_crash_mid_page_resumes_without_duplicates_and_a_torn_journal_line_is_dropped(tmp_path):
    out = tmp_path / "h.csv"
    with pytest.raises(KeyboardInterrupt):
        scrape(ListCollector(PAGES, crash_after=4), date(2026, 1, 1), out)
    assert not out.exists()
    journal = companion_paths(out)["journal"]
    with open(journal, "a", encoding="utf-8") as handle:
        handle.write('{"status": "ok", "key": "d5", "ro')  # the process died while writing
    result = scrape(ListCollector(PAGES), date(2026, 1, 1), out)
    with open(out, encoding="utf-8") as handle:
        keys = [row["key"] for row in csv.DictReader(handle)]
    assert keys == ["d1", "d3", "d4", "d5"]
    assert (result.new_accepted, result.accepted, result.rejected) == (1, 4, 1)
    with open(result.rejects, encoding="utf-8-sig") as handle:
        (reject,) = list(csv.DictReader(handle))
    assert reject["key"] == "d2" and "没有第 0 层" in reject["reasons"] and reject["page"] == "1"


def test_a_journal_without_its_state_file_is_refused(tmp_path):
    out = tmp_path / "h.csv"
    companion_paths(out)["journal"].write_text("", encoding="utf-8")
    with pytest.raises(ScrapeError, match="没有断点文件"):
        scrape(ListCollector(PAGES), date(2026, 1, 1), out)


def test_an_output_that_is_neither_csv_nor_parquet_is_refused(tmp_path):
    with pytest.raises(ScrapeError, match=r"\.csv 或 \.parquet"):
        scrape(ListCollector(PAGES), date(2026, 1, 1), tmp_path / "h.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_reasons_positive_records_zero_and_negative_values_only():
    why = Reasons()
    assert why.positive(Decimal("0"), "面积 {} 不是正数") == Decimal("0")
    assert why.positive(-5, "成交价必须大于 0") == -5
    assert why.positive(None, "缺失时不重复报告") is None
    assert why.positive(Decimal("1.5"), "不应出现") == Decimal("1.5")
    assert why.items == ["面积 0 不是正数", "成交价必须大于 0"]
