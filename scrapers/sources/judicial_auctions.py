"""Judicial-auction (司法拍卖) listing and result pages: one record per lot (标的物) with its result.

Fields as RULES.md section 6 lists them: court, case number (案号, canonical form of
``auction.case_number``), kind, address, area, appraisal / market / reference price, starting price
(起拍价 = 保留价, 网拍规定 art. 10), deposit (保证金, art. 17), bid increment (加价幅度, art. 11), round
(一拍 / 二拍 / 变卖, art. 26), status (成交 / 流拍 / 悔拍 …), final price, bid count and dates. Money is integer fen.

The listing's end of bidding (结束时间) dates a lot for ``--since``. A record is rejected when it contradicts the rules it was sold under: a sale below the starting price
(bidding ascends from it, art. 11), a sale without a bid, a result price on a lot that did not sell, a
bidding period that ends before it starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auction.case_number import InvalidCaseNumber
from auction.case_number import validate as validate_case_number
from auction.lot_kinds import AuctionRound, PropertyKind, parse_kind
from scrapers.browser import PageSession
from scrapers.collector import (
    Collector,
    Column,
    ListingItem,
    ListingPage,
    RawRecord,
    Reasons,
    check_labels,
    optional_date,
    read_pager,
)
from scrapers.errors import MarkupChanged
from scrapers.page_values import area_m2, count, money_fen, page_date, page_datetime

# The platforms' category names, onto the project's kinds (auction.lot_kinds.PropertyKind) beyond the ones
# parse_kind already reads (房产, 不动产, 机动车, 车辆, 动产, 股权, 其他 …).
PLATFORM_KINDS = {"住宅用房": PropertyKind.REAL_ESTATE, "商业用房": PropertyKind.REAL_ESTATE,
                  "工业用房": PropertyKind.REAL_ESTATE, "土地": PropertyKind.REAL_ESTATE,
                  "船舶": PropertyKind.MOVABLE, "机械设备": PropertyKind.MOVABLE, "债权": PropertyKind.OTHER_RIGHT}
# The outcome names of ``auction.outcomes``; 暂缓 and 中止 both stop a lot before the end of bidding.
STATUSES = {"成交": "sold", "流拍": "unsold", "悔拍": "reneged", "撤回": "withdrawn", "暂缓": "suspended",
            "中止": "suspended", "进行中": "ongoing", "预告中": "upcoming"}
REFERENCE_BASES = {"评估价": "appraised_value", "市场价": "market_price", "参考价": "reference_price"}
WITH_PRICE = {"sold", "reneged"}  # a reneged buyer had won at a price (网拍规定 art. 24)

LIST_HEADERS = ["标的物", "案号", "起拍价", "状态", "结束时间"]
DETAIL_LABELS = ["法院", "案号", "标的类型", "标的物所在地", "起拍价", "保证金", "加价幅度", "拍卖轮次",
                 "公告日期", "竞价时间"]
RESULT_LABELS = ["拍卖状态", "成交价", "出价次数"]
NO_VALUE = {"—", "-", "--", "无", ""}

_LIST_JS = """() => {
  const t = document.querySelector('#lots');
  return {headers: [...t.querySelectorAll('thead th')].map(e => e.textContent.trim()),
          rows: [...t.querySelectorAll('tbody tr')].map(tr => ({
            id: tr.dataset.id || '', href: tr.querySelector('a') ? tr.querySelector('a').href : '',
            cells: [...tr.cells].map(td => td.textContent.trim())}))};
}"""
_DETAIL_JS = """() => {
  const pairs = sel => [...document.querySelectorAll(sel + ' dt')].map(dt =>
    [dt.textContent.trim(), dt.nextElementSibling ? dt.nextElementSibling.textContent.trim() : '']);
  const title = document.querySelector('.lot-title');
  return {title: title ? title.textContent.trim() : '', detail: pairs('#lot-detail'), result: pairs('#result')};
}"""


def read_kind(text: str, why: Reasons) -> str | None:
    text = (text or "").strip()
    if text in PLATFORM_KINDS:
        return PLATFORM_KINDS[text].value
    try:
        return parse_kind(text).value
    except ValueError as exc:
        why.add(str(exc))
        return None


class JudicialAuctions(Collector):
    """司法拍卖：标的列表与拍卖结果。"""

    source = "auction"
    title = "司法拍卖结果"
    columns = (
        Column("key", "string", "记录键（网站标的编号）"),
        Column("lot_id", "string", "网站标的编号"),
        Column("title", "string", "标的物名称"),
        Column("court", "string", "法院"),
        Column("case_number", "string", "案号（规范格式）"),
        Column("kind", "string", "标的类型 real_estate/vehicle/movable/equity/other_right"),
        Column("address", "string", "标的物所在地"),
        Column("area_m2", "decimal", "建筑面积（平方米）"),
        Column("reference_price_basis", "string", "价格依据 appraised_value/market_price/reference_price"),
        Column("reference_price_fen", "int64", "评估价/市场价/参考价（分）"),
        Column("starting_price_fen", "int64", "起拍价（分）"),
        Column("deposit_fen", "int64", "保证金（分）"),
        Column("bid_increment_fen", "int64", "加价幅度（分）"),
        Column("round", "string", "拍卖轮次 first_auction/second_auction/fixed_price_sale"),
        Column("status", "string", "拍卖状态 sold/unsold/reneged/withdrawn/suspended/ongoing/upcoming"),
        Column("final_price_fen", "int64", "成交价（分），未成交为空"),
        Column("bid_count", "int64", "出价次数"),
        Column("announcement_date", "date", "公告日期"),
        Column("start_time", "timestamp", "竞价开始时间"),
        Column("end_time", "timestamp", "竞价结束时间"),
        Column("url", "string", "来源网页"),
    )

    def listing_url(self, page_no: int) -> str:
        return self.url(f"/auction/list?page={page_no}")

    def read_listing(self, session: PageSession, page_no: int) -> ListingPage:
        session.wait_for("#lots", "标的列表（#lots 表格）")
        table = session.evaluate(_LIST_JS)
        check_labels(session.url, table["headers"], LIST_HEADERS, "标的列表")
        items = []
        for row in table["rows"]:
            if not row["id"] or not row["href"] or len(row["cells"]) != len(LIST_HEADERS):
                raise MarkupChanged(session.url, "标的列表中的一行缺少编号、链接或列")
            items.append(ListingItem(key=f"lot-{row['id']}", url=row["href"], day=optional_date(row["cells"][4]),
                                     fields={"编号": row["id"]}))
        return ListingPage(items, read_pager(session, page_no))

    def records(self, item: ListingItem, page_no: int) -> Iterator[RawRecord]:
        detail = self.fetcher.fetch(item.url, self._read_lot)
        yield RawRecord(self.source, item.key, item.url, page_no, {**item.fields, **detail})

    @staticmethod
    def _read_lot(session: PageSession) -> dict[str, str]:
        session.wait_for("#lot-detail dt", "标的详情（#lot-detail）")
        page = session.evaluate(_DETAIL_JS)
        detail, result = dict(page["detail"]), dict(page["result"])
        missing = [label for label in DETAIL_LABELS if label not in detail]
        missing += [label for label in RESULT_LABELS if label not in result]
        if not any(label in detail for label in REFERENCE_BASES):
            missing.append("评估价/市场价/参考价")
        if missing or not page["title"]:
            raise MarkupChanged(session.url, f"标的详情缺少栏目：{'、'.join(missing or ['标题'])}")
        return {"标题": page["title"], **detail, **result}

    @classmethod
    def validate(cls, raw: RawRecord) -> dict[str, Any]:
        f = raw.fields
        why = Reasons()
        court = f.get("法院", "").strip()
        if not court:
            why.add("缺少法院")
        case_number = None
        try:
            case_number = validate_case_number(f.get("案号", ""))
        except InvalidCaseNumber as exc:
            why.add(str(exc))
        kind = read_kind(f.get("标的类型", ""), why)
        area = None
        if f.get("建筑面积", "").strip() not in NO_VALUE:
            area = why.positive(why.read(area_m2, f.get("建筑面积"), "建筑面积"), "建筑面积 {} 不是正数")
        basis = next(label for label in REFERENCE_BASES if label in f)
        reference = why.read(money_fen, f[basis], basis)
        starting = why.read(money_fen, f.get("起拍价"), "起拍价")
        deposit = why.read(money_fen, f.get("保证金"), "保证金")
        increment = why.read(money_fen, f.get("加价幅度"), "加价幅度")
        for label, value in ((basis, reference), ("起拍价", starting), ("加价幅度", increment)):
            if value is not None and value <= 0:
                why.add(f"{label}必须大于 0")
        if deposit is not None and starting is not None and not 0 <= deposit < starting:
            why.add("保证金应不少于 0 且低于起拍价")
        round_ = why.read(lambda text: AuctionRound.parse(text).value, f.get("拍卖轮次"), "拍卖轮次")
        status = STATUSES.get(f.get("拍卖状态", "").strip())
        if status is None:
            why.add(f"拍卖状态“{f.get('拍卖状态', '')}”无法识别：应为{'、'.join(STATUSES)}之一")
        final = None
        if f.get("成交价", "").strip() not in NO_VALUE:
            final = why.read(money_fen, f.get("成交价"), "成交价")
        bids = why.read(count, f.get("出价次数"), "出价次数")
        if status in WITH_PRICE:
            if final is None:
                why.add(f"状态为“{f.get('拍卖状态')}”但没有成交价")
            elif starting is not None and final < starting:
                # 网拍规定 art. 11: bidding ascends from the starting price
                why.add(f"成交价 {final / 100:.2f} 元低于起拍价 {starting / 100:.2f} 元")
            if bids is not None and bids < 1:
                why.add("已成交但出价次数为 0")
        elif status is not None and final is not None:
            why.add(f"状态为“{f.get('拍卖状态')}”却有成交价")
        announced = why.read(page_date, f.get("公告日期"), "公告日期")
        start = end = None
        period = f.get("竞价时间", "")
        if "至" not in period:
            why.add(f"竞价时间“{period}”应为“开始时间 至 结束时间”")
        else:
            start_text, end_text = (part.strip() for part in period.split("至", 1))
            start = why.read(page_datetime, start_text, "竞价开始时间")
            end = why.read(page_datetime, end_text, "竞价结束时间")
            if start and end and end <= start:
                why.add("竞价结束时间不晚于开始时间")
            if start and announced and announced > start.date():
                why.add("公告日期晚于竞价开始时间")
        why.raise_if_any()
        return {
            "key": raw.key, "lot_id": f.get("编号", ""), "title": f.get("标题", ""), "court": court,
            "case_number": case_number, "kind": kind, "address": f.get("标的物所在地", "").strip(),
            "area_m2": area, "reference_price_basis": REFERENCE_BASES[basis], "reference_price_fen": reference,
            "starting_price_fen": starting, "deposit_fen": deposit, "bid_increment_fen": increment,
            "round": round_, "status": status, "final_price_fen": final, "bid_count": bids,
            "announcement_date": announced, "start_time": start, "end_time": end, "url": raw.url,
        }
