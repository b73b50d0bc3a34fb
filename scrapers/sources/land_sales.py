"""Land-sale result notices (土地出让结果公示): one record per parcel (地块) of a notice.

The tax bureau adds land-auction results to the baseline (RULES.md section 1, Wenling): parcel number,
use (用途), area, price (成交价), buyer (竞得人) and the date of the sale. A parcel with no area or no price
is rejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
from scrapers.page_values import area_m2, money_fen, page_date
from tax_baseline.money import yuan_per_m2

PARCEL_HEADERS = ["地块编号", "用途", "面积", "成交价", "竞得人"]

_LIST_JS = """() => [...document.querySelectorAll('#notices li')].map(li => ({
  id: li.dataset.id || '', href: li.querySelector('a') ? li.querySelector('a').href : '',
  title: li.querySelector('a') ? li.querySelector('a').textContent.trim() : '',
  date: li.querySelector('.date') ? li.querySelector('.date').textContent.trim() : null}))"""
_NOTICE_JS = """() => {
  const t = document.querySelector('table.parcels');
  const title = document.querySelector('.notice-title'), day = document.querySelector('.deal-date');
  return {title: title ? title.textContent.trim() : '', date: day ? day.textContent.trim() : null,
          headers: [...t.querySelectorAll('thead th')].map(e => e.textContent.trim()),
          rows: [...t.querySelectorAll('tbody tr')].map(tr => [...tr.cells].map(td => td.textContent.trim()))};
}"""


class LandSales(Collector):
    """土地出让结果公示。"""

    source = "land"
    title = "土地出让结果"
    columns = (
        Column("key", "string", "记录键（公示编号/地块编号）"),
        Column("notice_id", "string", "网站公示编号"),
        Column("notice_title", "string", "公示标题"),
        Column("parcel", "string", "地块编号"),
        Column("use", "string", "用途"),
        Column("area_m2", "decimal", "出让面积（平方米）"),
        Column("price_fen", "int64", "成交价（分）"),
        Column("unit_price_yuan", "decimal", "楼面/地面单价（元/平方米，成交价÷面积，四舍五入到分）"),
        Column("buyer", "string", "竞得人"),
        Column("deal_date", "date", "成交日期"),
        Column("url", "string", "来源网页"),
    )

    def listing_url(self, page_no: int) -> str:
        return self.url(f"/land/notices?page={page_no}")

    def read_listing(self, session: PageSession, page_no: int) -> ListingPage:
        session.wait_for("#notices", "公示列表（#notices）")
        items = []
        for row in session.evaluate(_LIST_JS):
            if not row["id"] or not row["href"] or row["date"] is None:
                raise MarkupChanged(session.url, "公示列表中的一项缺少编号、链接或日期")
            items.append(ListingItem(key=f"notice-{row['id']}", url=row["href"], day=optional_date(row["date"]),
                                     fields={"公示编号": row["id"], "公示标题": row["title"]}))
        return ListingPage(items, read_pager(session, page_no))

    def records(self, item: ListingItem, page_no: int) -> Iterator[RawRecord]:
        notice = self.fetcher.fetch(item.url, self._read_notice)
        for row in notice["rows"]:
            fields = {**item.fields, "公示标题": notice["title"] or item.fields["公示标题"],
                      "成交日期": notice["date"], **dict(zip(PARCEL_HEADERS, row, strict=True))}
            yield RawRecord(self.source, f"{item.key}/{row[0]}", item.url, page_no, fields)

    @staticmethod
    def _read_notice(session: PageSession) -> dict:
        session.wait_for("table.parcels", "地块成交表（table.parcels）")
        notice = session.evaluate(_NOTICE_JS)
        check_labels(session.url, notice["headers"], PARCEL_HEADERS, "地块成交表")
        if notice["date"] is None or not notice["date"].startswith("成交日期："):
            raise MarkupChanged(session.url, "未找到“成交日期：”")
        if any(len(row) != len(PARCEL_HEADERS) for row in notice["rows"]):
            raise MarkupChanged(session.url, "地块成交表中某行的列数与表头不符")
        return {**notice, "date": notice["date"].removeprefix("成交日期：").strip()}

    @classmethod
    def validate(cls, raw: RawRecord) -> dict[str, Any]:
        f = raw.fields
        why = Reasons()
        parcel, use = f.get("地块编号", "").strip(), f.get("用途", "").strip()
        if not parcel:
            why.add("缺少地块编号")
        if not use:
            why.add("缺少用途")
        area = why.positive(why.read(area_m2, f.get("面积"), "面积"), "出让面积 {} 平方米不是正数")
        price = why.positive(why.read(money_fen, f.get("成交价"), "成交价"), "成交价必须大于 0")
        day = why.read(page_date, f.get("成交日期"), "成交日期")
        why.raise_if_any()
        return {
            "key": raw.key, "notice_id": f.get("公示编号", ""), "notice_title": f.get("公示标题", ""),
            "parcel": parcel, "use": use, "area_m2": area, "price_fen": price,
            "unit_price_yuan": yuan_per_m2(price, area),
            "buyer": f.get("竞得人", "").strip(), "deal_date": day, "url": raw.url,
        }
