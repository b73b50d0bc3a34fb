"""Second-hand housing transactions (二手房成交) as listing sites publish them, for calibration.

One record per deal: community (小区), floor text (所在楼层, read by ``tax_baseline.parsing.parse_floor``),
orientation (朝向, ``parse_orientation``), area, total price, unit price and contract date (成交日期, used as
立契时间). The list loads more deals as the reader scrolls; the collector scrolls until the site says there
are no more. A deal whose unit price contradicts its total price and area is rejected: one of the three
was mistyped and nothing tells which.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from scrapers.browser import PageSession
from scrapers.collector import (
    Collector,
    Column,
    ListingItem,
    ListingPage,
    RawRecord,
    Reasons,
    optional_date,
    read_pager,
)
from scrapers.errors import MarkupChanged
from scrapers.page_values import area_m2, money_fen, page_date
from tax_baseline.money import to_yuan, yuan_per_m2
from tax_baseline.parsing import FloorParseError, OrientationParseError, parse_floor, parse_orientation

FIELDS = {"community": "小区", "floor": "楼层", "orientation": "朝向", "area": "面积", "total": "成交总价",
          "unit": "成交单价", "date": "成交日期"}
# Sites print the unit price rounded to the yuan; allow that rounding and no more.
UNIT_PRICE_TOLERANCE = Decimal("1")
SCROLL_QUIET_SECONDS = 1.0
SCROLL_ATTEMPTS = 3
_SCROLL_JS = """async fromTop => {
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  if (fromTop) { window.scrollTo(0, 0); await frames(); }
  await frames();
  window.scrollTo(0, document.body.scrollHeight);
}"""
_UNIT_RE = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)元?/(?:平|㎡|平方米|平米|m²)$")

_STATE_JS = """() => ({rows: document.querySelectorAll('#deals li.deal').length,
  more: document.querySelector('#more') ? document.querySelector('#more').dataset.done : null})"""
_ROWS_JS = """names => [...document.querySelectorAll('#deals li.deal')].map(li => {
  const row = {id: li.dataset.id || ''};
  for (const n of names) { const e = li.querySelector('.' + n); row[n] = e ? e.textContent.trim() : null; }
  return row;
})"""


def unit_price_yuan(text: str) -> Decimal:
    """``26257元/平`` → Decimal yuan per square metre."""
    match = _UNIT_RE.match(re.sub(r"\s+", "", text))
    if not match:
        raise ValueError(f"无法识别单价“{text}”：应为 26257元/平 或 26257元/㎡ 等形式")
    return Decimal(match[1].replace(",", ""))


class SecondHandHousing(Collector):
    """二手房成交记录。"""

    source = "housing"
    title = "二手房成交"
    columns = (
        Column("key", "string", "记录键（网站成交编号）"),
        Column("community", "string", "小区"),
        Column("floor_text", "string", "所在楼层（网站原文）"),
        Column("floor_low", "int64", "楼层区间下限"),
        Column("floor_high", "int64", "楼层区间上限"),
        Column("total_floors", "int64", "总层数（网站未写明时为空）"),
        Column("orientation_text", "string", "朝向（网站原文）"),
        Column("orientation", "string", "朝向（规范值）"),
        Column("area_m2", "decimal", "建筑面积（平方米）"),
        Column("price_fen", "int64", "成交总价（分）"),
        Column("price_yuan", "decimal", "成交总价（元）"),
        Column("unit_price_yuan", "decimal", "成交单价（元/平方米，网站所写）"),
        Column("contract_date", "date", "成交日期（立契时间）"),
        Column("url", "string", "来源网页"),
    )

    def listing_url(self, page_no: int) -> str:
        return self.url(f"/housing/deals?page={page_no}")

    def read_listing(self, session: PageSession, page_no: int) -> ListingPage:
        session.wait_for("#deals", "成交记录列表（#deals）")
        while True:  # lazy loading: scroll to the bottom until the site says there is no more
            state = session.evaluate(_STATE_JS)
            if state["more"] is None:
                raise MarkupChanged(session.url, "未找到“加载更多”标记（#more）")
            if state["more"] == "1":
                break
            self._scroll_for_more(session, state)
        items = []
        for row in session.evaluate(_ROWS_JS, list(FIELDS)):
            missing = [FIELDS[n] for n in FIELDS if row[n] is None]
            if missing or not row["id"]:
                raise MarkupChanged(session.url, f"成交记录缺少栏目：{'、'.join(missing or ['编号'])}")
            fields = {FIELDS[n]: row[n] for n in FIELDS}
            items.append(ListingItem(key=f"deal-{row['id']}", url=session.url, day=optional_date(row["date"]),
                                     fields=fields))
        return ListingPage(items, read_pager(session, page_no))

    @staticmethod
    def _scroll_for_more(session: PageSession, before: dict) -> None:
        """Scroll to the bottom until the site appends rows or says it is done. Lazy loaders fire on a
        *change* of visibility (IntersectionObserver), seen at the next frames: the script lets two frames
        pass before scrolling, and when nothing comes, scrolls to the top and back down to fire it again."""
        for attempt in range(1, SCROLL_ATTEMPTS + 1):
            session.evaluate(_SCROLL_JS, attempt > 1)
            try:
                session.wait_until(lambda: session.evaluate(_STATE_JS) != before, "滚动后加载的新成交记录",
                                   quiet=SCROLL_QUIET_SECONDS)
                return
            except MarkupChanged:
                if attempt == SCROLL_ATTEMPTS:
                    raise

    @classmethod
    def validate(cls, raw: RawRecord) -> dict[str, Any]:
        f = raw.fields
        why = Reasons()
        community = f.get("小区", "").strip()
        if not community:
            why.add("缺少小区")
        floor = None
        try:
            floor = parse_floor(f.get("楼层", ""))
        except FloorParseError as exc:
            why.add(f"楼层：{exc}")
        orientation = None
        try:
            orientation = parse_orientation(f.get("朝向", ""))
        except OrientationParseError as exc:
            why.add(f"朝向：{exc}")
        area = why.positive(why.read(area_m2, f.get("面积"), "面积"), "面积 {} 不是正数")
        price = why.positive(why.read(money_fen, f.get("成交总价"), "成交总价"), "成交总价必须大于 0")
        unit = why.read(unit_price_yuan, f.get("成交单价"), "成交单价")
        if price and area and area > 0 and unit is not None:
            implied = yuan_per_m2(price, area)
            if abs(implied - unit) > UNIT_PRICE_TOLERANCE:
                why.add(f"成交单价 {unit} 元/平方米与总价÷面积 = {implied} 元/平方米不符")
        day = why.read(page_date, f.get("成交日期"), "成交日期")
        why.raise_if_any()
        return {
            "key": raw.key, "community": community, "floor_text": f["楼层"], "floor_low": floor.low,
            "floor_high": floor.high, "total_floors": floor.total_floors, "orientation_text": f["朝向"],
            "orientation": orientation, "area_m2": area, "price_fen": price,
            "price_yuan": to_yuan(price), "unit_price_yuan": unit,
            "contract_date": day, "url": raw.url,
        }
