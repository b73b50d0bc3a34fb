"""The records the fixture site publishes: the ground truth the collectors must read back exactly.

Money is integer fen, areas are ``Decimal`` m², dates are ``date``/``datetime``; the site formats them
the way Chinese auction, listing and land-bureau sites do (¥1,234,567.00, 235万, 5230万元, 2026年3月15日),
so the collectors have to parse every form. Lists are newest first, as the real sites order them.
A few records are wrong on purpose (an impossible case number, a floor that does not exist, a sold lot
below its starting price, a unit price that contradicts the total): the collectors must reject them
with a reason instead of passing them on.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

# --- judicial auctions (司法拍卖): listing + lot detail with its result -------------------------------
AUCTION_PAGE_SIZE = 4

AUCTION_LOTS: list[dict] = [
    dict(id=1012, title="温岭市太平街道锦园小区3幢2单元501室", court="浙江省温岭市人民法院",
         case_number="（2025）浙1081执1502号", kind="房产", address="温岭市太平街道锦园小区3幢2单元501室",
         area=Decimal("118.56"), reference_label="评估价", reference_fen=215_000_000,
         starting_fen=150_500_000, deposit_fen=20_000_000, increment_fen=500_000, round="一拍",
         status="成交", final_fen=171_000_000, bid_count=37,
         announced=date(2026, 2, 10), start=datetime(2026, 3, 12, 10, 0), end=datetime(2026, 3, 13, 10, 0)),
    dict(id=1011, title="浙J·8X123 小型轿车", court="浙江省温岭市人民法院",
         case_number="（2025）浙1081执1477号", kind="机动车", address="温岭市城东街道仓储中心",
         area=None, reference_label="参考价", reference_fen=8_650_000,
         starting_fen=6_055_000, deposit_fen=600_000, increment_fen=20_000, round="一拍",
         status="流拍", final_fen=None, bid_count=0,
         announced=date(2026, 2, 20), start=datetime(2026, 3, 8, 10, 0), end=datetime(2026, 3, 9, 10, 0)),
    dict(id=1010, title="台州市椒江区海门街道东山路88号商铺", court="浙江省台州市中级人民法院",
         case_number="(2024)浙10执恢88号", kind="房产", address="台州市椒江区海门街道东山路88号",
         area=Decimal("64.30"), reference_label="评估价", reference_fen=132_000_000,
         starting_fen=73_920_000, deposit_fen=10_000_000, increment_fen=200_000, round="二拍",
         status="成交", final_fen=74_120_000, bid_count=1,
         announced=date(2026, 2, 12), start=datetime(2026, 3, 1, 10, 0), end=datetime(2026, 3, 2, 10, 0)),
    dict(id=1009, title="温岭市城西街道九龙湾花园12幢1802室", court="浙江省温岭市人民法院",
         case_number="（2025）浙1081执1399号", kind="房产", address="温岭市城西街道九龙湾花园12幢1802室",
         area=Decimal("96.08"), reference_label="评估价", reference_fen=168_000_000,
         starting_fen=117_600_000, deposit_fen=15_000_000, increment_fen=300_000, round="一拍",
         status="悔拍", final_fen=130_200_000, bid_count=12,
         announced=date(2026, 1, 20), start=datetime(2026, 2, 25, 10, 0), end=datetime(2026, 2, 26, 10, 0)),
    # an impossible case number (court code 浙108 has three digits): must be rejected
    dict(id=1008, title="温岭市箬横镇工业区厂房", court="浙江省温岭市人民法院",
         case_number="（2025）浙108执12号", kind="房产", address="温岭市箬横镇工业区8号",
         area=Decimal("2310.00"), reference_label="评估价", reference_fen=980_000_000,
         starting_fen=686_000_000, deposit_fen=100_000_000, increment_fen=2_000_000, round="一拍",
         status="流拍", final_fen=None, bid_count=0,
         announced=date(2026, 1, 15), start=datetime(2026, 2, 20, 10, 0), end=datetime(2026, 2, 21, 10, 0)),
    dict(id=1007, title="温岭市泽国镇丹崖花园7幢301室", court="浙江省温岭市人民法院",
         case_number="（2025）浙1081执1205号", kind="房产", address="温岭市泽国镇丹崖花园7幢301室",
         area=Decimal("132.40"), reference_label="市场价", reference_fen=198_600_000,
         starting_fen=139_020_000, deposit_fen=20_000_000, increment_fen=500_000, round="一拍",
         status="成交", final_fen=186_520_000, bid_count=64,
         announced=date(2026, 1, 10), start=datetime(2026, 2, 12, 10, 0), end=datetime(2026, 2, 13, 10, 0)),
    # sold below its starting price: bidding ascends from the start (网拍规定 art. 11), so this is garbage
    dict(id=1006, title="温岭市大溪镇机床一批", court="浙江省温岭市人民法院",
         case_number="（2025）浙1081执1100号", kind="机械设备", address="温岭市大溪镇工业园",
         area=None, reference_label="评估价", reference_fen=3_200_000,
         starting_fen=2_240_000, deposit_fen=300_000, increment_fen=10_000, round="一拍",
         status="成交", final_fen=2_000_000, bid_count=2,
         announced=date(2026, 1, 5), start=datetime(2026, 2, 5, 10, 0), end=datetime(2026, 2, 6, 10, 0)),
    dict(id=1005, title="温岭市新河镇长屿路16号住宅", court="浙江省温岭市人民法院",
         case_number="（2024）浙1081执2990号", kind="房产", address="温岭市新河镇长屿路16号",
         area=Decimal("210.75"), reference_label="评估价", reference_fen=126_000_000,
         starting_fen=70_560_000, deposit_fen=7_000_000, increment_fen=200_000, round="变卖",
         status="成交", final_fen=70_560_000, bid_count=1,
         announced=date(2025, 12, 1), start=datetime(2025, 12, 20, 10, 0), end=datetime(2026, 2, 18, 10, 0)),
    dict(id=1004, title="温岭市石塘镇渔船一艘", court="浙江省温岭市人民法院",
         case_number="（2024）浙1081执3011号", kind="船舶", address="温岭市石塘镇渔港",
         area=None, reference_label="评估价", reference_fen=45_000_000,
         starting_fen=31_500_000, deposit_fen=4_500_000, increment_fen=100_000, round="一拍",
         status="撤回", final_fen=None, bid_count=0,
         announced=date(2025, 12, 10), start=datetime(2026, 1, 20, 10, 0), end=datetime(2026, 1, 21, 10, 0)),
    dict(id=1003, title="温岭市松门镇海滨花园2幢602室", court="浙江省温岭市人民法院",
         case_number="（2024）浙1081执2875号", kind="房产", address="温岭市松门镇海滨花园2幢602室",
         area=Decimal("88.90"), reference_label="评估价", reference_fen=96_000_000,
         starting_fen=67_200_000, deposit_fen=10_000_000, increment_fen=200_000, round="一拍",
         status="成交", final_fen=80_800_000, bid_count=21,
         announced=date(2025, 11, 20), start=datetime(2025, 12, 28, 10, 0), end=datetime(2025, 12, 29, 10, 0)),
]

# --- second-hand housing transactions (二手房成交), lazy-loaded in chunks on scroll ----------------------
HOUSING_PAGE_SIZE = 7
HOUSING_CHUNK = 3

# (id, community, floor text, orientation text, area m², total price fen, unit price yuan/m², date)
_H = [
    (5021, "锦园小区", "中楼层(共18层)", "南 北", "89.50", 235_000_000, 26257, date(2026, 3, 20)),
    (5020, "九龙湾花园", "高楼层/共33层", "南", "128.00", 402_000_000, 31406, date(2026, 3, 18)),
    (5019, "丹崖花园", "5/6", "南北通透", "132.40", 318_000_000, 24018, date(2026, 3, 15)),
    (5018, "海滨花园", "低楼层(共6层)", "东南", "76.20", 121_500_000, 15945, date(2026, 3, 11)),
    (5017, "锦园小区", "顶层(共18层)", "西", "92.30", 219_000_000, 23727, date(2026, 3, 9)),
    # a floor that does not exist: 第0层
    (5016, "东辉公寓", "第0层", "南", "55.00", 90_000_000, 16364, date(2026, 3, 6)),
    (5015, "万昌花苑", "中楼层(共11层)", "南北", "105.80", 226_500_000, 21408, date(2026, 3, 2)),
    (5014, "九龙湾花园", "十五层", "朝南", "128.00", 395_000_000, 30859, date(2026, 2, 27)),
    # an orientation nobody writes: 朝天
    (5013, "锦园小区", "8/18", "朝天", "89.50", 228_000_000, 25475, date(2026, 2, 25)),
    (5012, "东辉公寓", "高楼层(共7层)", "北", "55.00", 88_500_000, 16091, date(2026, 2, 21)),
    (5011, "万昌花苑", "地下一层", "南", "18.00", 12_000_000, 6667, date(2026, 2, 18)),
    # the unit price contradicts total / area (a typing error on the site)
    (5010, "海滨花园", "3/6", "南", "76.20", 118_000_000, 51234, date(2026, 2, 14)),
    (5009, "丹崖花园", "低楼层(共6层)", "东", "98.60", 232_000_000, 23529, date(2026, 2, 10)),
    (5008, "锦园小区", "中楼层(共18层)", "南北", "118.56", 296_000_000, 24966, date(2026, 2, 6)),
    (5007, "九龙湾花园", "28/33", "东南", "143.20", 455_000_000, 31774, date(2026, 2, 2)),
    (5006, "万昌花苑", "2/11", "西南", "87.40", 175_000_000, 20023, date(2026, 1, 29)),
    (5005, "东辉公寓", "低楼层(共7层)", "南", "62.10", 101_000_000, 16264, date(2026, 1, 24)),
    (5004, "海滨花园", "顶层(共6层)", "南北", "88.90", 128_000_000, 14398, date(2026, 1, 20)),
]
HOUSING_DEALS: list[dict] = [
    dict(id=i, community=c, floor=f, orientation=o, area=Decimal(a), total_fen=t, unit_yuan=u, date=d)
    for (i, c, f, o, a, t, u, d) in _H
]

# --- land-sale result notices (土地出让结果公示): a notice lists one or more parcels ----------------------
LAND_PAGE_SIZE = 3

LAND_NOTICES: list[dict] = [
    dict(id=301, title="温岭市国有建设用地使用权出让结果公示（2026-07号）", date=date(2026, 3, 16), parcels=[
        dict(parcel="温自然资规（2026）07-1号", use="住宅用地", area=Decimal("35120.40"),
             price_fen=1_256_000_000_00, buyer="温岭市锦城置业有限公司"),
        dict(parcel="温自然资规（2026）07-2号", use="商服用地", area=Decimal("8150.00"),
             price_fen=198_500_000_00, buyer="台州安盛商业管理有限公司"),
    ]),
    dict(id=300, title="温岭市国有建设用地使用权出让结果公示（2026-06号）", date=date(2026, 3, 2), parcels=[
        dict(parcel="温自然资规（2026）06-1号", use="工业用地", area=Decimal("46700.00"),
             price_fen=52_304_000_00, buyer="浙江泽东机电股份有限公司"),
    ]),
    dict(id=299, title="温岭市国有建设用地使用权出让结果公示（2026-05号）", date=date(2026, 2, 20), parcels=[
        dict(parcel="温自然资规（2026）05-1号", use="住宅用地", area=Decimal("28890.60"),
             price_fen=980_000_000_00, buyer="温岭市东辉房地产开发有限公司"),
        # an area of zero square metres cannot be sold
        dict(parcel="温自然资规（2026）05-2号", use="公共设施用地", area=Decimal("0"),
             price_fen=1_000_000_00, buyer="温岭市城市发展集团"),
    ]),
    dict(id=298, title="温岭市国有建设用地使用权出让结果公示（2026-04号）", date=date(2026, 2, 3), parcels=[
        dict(parcel="温自然资规（2026）04-1号", use="工业用地", area=Decimal("20010.00"),
             price_fen=22_411_200_00, buyer="温岭市大溪泵业有限公司"),
    ]),
    dict(id=297, title="温岭市国有建设用地使用权出让结果公示（2026-03号）", date=date(2026, 1, 18), parcels=[
        dict(parcel="温自然资规（2026）03-1号", use="商服用地", area=Decimal("6430.50"),
             price_fen=151_000_000_00, buyer="台州新城商业投资有限公司"),
    ]),
]


def synthetic_housing_deals(n: int, seed: int = 7, *, last_day: date = date(2026, 3, 28)) -> list[dict]:
    """``n`` plausible deals (newest first) for runs that need a market, not a handful of cases: the
    end-to-end test scrapes them and calibrates on them. Prices follow a community base price × a floor
    and orientation factor × ±3% noise, rounded to 0.1万 as sites print them; the unit price is the total
    over the area rounded half-up to the yuan, so every deal is valid."""
    rng = random.Random(seed)
    communities = [("锦园小区", 25_000, 18), ("九龙湾花园", 31_000, 33), ("丹崖花园", 24_000, 6),
                   ("海滨花园", 15_000, 6), ("万昌花苑", 21_000, 11)]
    orientations = [("南", 1.0), ("南北", 1.03), ("东南", 0.99), ("东", 0.96), ("西", 0.95), ("北", 0.92)]
    deals = []
    for i in range(n):
        name, base, total = communities[i % len(communities)]
        floor = rng.randint(1, total)
        style = rng.randrange(3)
        if style == 0:
            floor_text = f"{floor}/{total}"
        elif style == 1:
            third = "低" if floor <= -(-total // 3) else "中" if floor <= -(-2 * total // 3) else "高"
            floor_text = f"{third}楼层(共{total}层)"
        else:
            floor_text = f"{floor}/{total}层"
        orientation, factor = orientations[rng.randrange(len(orientations))]
        area = Decimal(rng.randint(5_500, 14_500)) / 100
        floor_factor = 1 + 0.01 * min(floor, 10) - (0.03 if floor == total else 0)
        price = Decimal(base) * area * Decimal(str(factor * floor_factor * rng.uniform(0.97, 1.03)))
        total_fen = int((price / 1000).to_integral_value(ROUND_HALF_UP)) * 100_000  # 0.1万 = 1,000 yuan
        unit = int((Decimal(total_fen) / 100 / area).to_integral_value(ROUND_HALF_UP))
        deals.append(dict(id=9000 + n - i, community=name, floor=floor_text, orientation=orientation, area=area,
                          total_fen=total_fen, unit_yuan=unit, date=last_day - timedelta(days=i * 80 // n)))
    return deals
