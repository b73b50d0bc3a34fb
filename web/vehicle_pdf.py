"""The printable vehicle quote (车辆估价结果单): what was asked, the value, the factors with their sources, the
comparables, the price-history chart, and the verification code (the page layout of ``web/pdf.py``)."""

from __future__ import annotations

import io

from web.pdf import _Document
from web.vehicle_chart import curve_png


def _wan(value) -> str:
    return f"{float(value) / 10000:,.2f} 万元"


def _level_text(r: dict) -> str:
    if r.get("level", "series") == "series":
        return "车系（车辆表有该车系的记录）"
    return "品牌（车辆表中没有该车系的记录，按品牌与类别水平估价，区间较宽）"


def vehicle_quote_pdf(detail: dict, *, code: str, verify_url: str, court_name: str) -> bytes:
    r = detail["result"]
    doc = _Document.quote_receipt("车辆估价结果单", "车辆估价结果单", detail, code=code, verify_url=verify_url,
                                  court_name=court_name)
    doc.subheading("标的车辆")
    doc.pairs([
        ("车型名称", r["name"]),
        ("品牌 / 车系 / 年款", f"{r['brand']} / {r['series_name']} / {r.get('model_year') or '未注明'}"),
        ("上牌时间", f"{r['registration']}（车龄 {r['age_months']} 个月）"),
        ("表显里程", f"{float(r['mileage_km']) / 10000:.2f} 万公里"),
        ("所在城市", r.get("city") or "未注明"),
        ("估价日期", r["valuation_date"]),
        ("新车含税价", f"{float(r['new_price']):,.2f} 元（{r['new_price_source']}）"),
    ])
    doc.subheading("估价结果")
    pairs = [("估价", f"{int(r['value']):,} 元（{_wan(r['value'])}）"), ("保值率", r["retention"])]
    if r.get("interval_low"):
        pairs.append(("估价区间（80%）", f"{int(r['interval_low']):,} 元 至 {int(r['interval_high']):,} 元"))
    pairs += [("估价层级", _level_text(r)), ("方法", r.get("method", "")), ("车辆表版本", r.get("version", ""))]
    doc.pairs(pairs)
    if r.get("interval_source"):
        doc.paragraph(f"区间依据：{r['interval_source']}", 9)
    doc.paragraph(f"取整规则：{r.get('rounding_rule', '')}", 9)
    doc.subheading("计算明细")
    doc.table(["因素", "取值", "系数", "来源"],
              [[f["name"], f["level"], f["multiplier"], f["source"]] for f in r["factors"]], (38, 40, 19, 77))
    if r.get("comparables"):
        doc.subheading("可比实例（同车系，车龄与里程最近，已修正到标的车辆）" if r.get("level", "series") == "series"
                       else "可比实例（车系未见：同品牌同类别，车龄与里程最近，已修正到标的车辆）")
        doc.table(["编号", "城市 / 月份", "车龄", "里程", "价格（元）", "修正系数", "修正后（元）"],
                  [[c["record_id"], f"{c['city']} {c['month']}", f"{c['age_months']} 个月",
                    f"{float(c['mileage_km']) / 10000:.2f} 万公里", f"{float(c['price']):,.2f}", c["adjustment"],
                    f"{int(c['adjusted_price']):,}"]
                   for c in r["comparables"]], (20, 34, 20, 28, 26, 20, 26))
    doc.subheading("历史价格曲线")
    doc.image(io.BytesIO(curve_png(r, width=9.0, height=3.6, dpi=150)), w=doc.epw)
    doc.verification(r.get("warnings"), code=code, verify_url=verify_url, what="车辆与估价",
                     note="说明：本结果为依据二手车交易数据作出的网络询价式估价（参考价规定第二条、第五条），"
                          "可作为定向询价参考；车辆实际状况与登记信息不符的，应另行核实。")
    return bytes(doc.output())
