"""A seeded synthetic city with known ("ground-truth") tables, units and sales.

The demo database is built from it, and calibration is tested against it: sales are priced by the true
tables, then moved by market drift (the true price index) and noise, and a few non-arm's-length sales
(亲友、特殊关系) are mixed in at a discount. Everything is vectorized so that 100k buildings take seconds.

Published priors used for the truth (RULES.md section 2, priors not law): a 6-storey walk-up
1F 0.97, 2F 1.03, 3F 1.10, 4F 1.08, 5F 1.01, 6F 0.92; towers spread about ±8%; orientation about 5-9%
(south or south-north best, north worst).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from tax_baseline.quote import QuoteEngine
from tax_baseline.tables import ALL_ZONES, BaselineTables

CITY = "示范市"
DISTRICTS = ("城东街道", "城西街道", "城南街道", "城北街道", "新河镇", "泽国镇", "大溪镇", "松门镇")
COMMUNITY_WORDS = ("东辉", "锦绣", "阳光", "金色", "绿城", "银泰", "翠苑", "兴园", "凤凰", "文华", "和平", "春晖",
                   "华庭", "明珠", "滨江", "丽景", "怡和", "桂花", "紫荆", "海棠")
COMMUNITY_SUFFIX = ("公寓", "花园", "家园", "新村", "小区", "苑", "府", "名邸")
ORIENTATION_TRUTH = {"南北": 104.0, "南": 103.0, "东南": 102.0, "西南": 101.0, "东西": 98.0, "东": 99.0,
                     "西": 97.0, "东北": 96.0, "西北": 95.0, "北": 94.0}
WALKUP_6 = (97.0, 103.0, 110.0, 108.0, 101.0, 92.0)
AREA_BANDS = ((0, 60, 103.0), (60, 90, 101.0), (90, 144, 100.0), (144, 200, 98.0), (200, 100000, 96.0))
AGE_BANDS = {"钢混": ((0, 5, 100.0), (5, 10, 98.0), (10, 20, 95.0), (20, 30, 92.0), (30, 500, 88.0)),
             "砖混": ((0, 10, 97.0), (10, 20, 93.0), (20, 30, 89.0), (30, 500, 85.0))}
NON_ARMS_LENGTH_REMARKS = ("亲友间转让", "特殊关系人交易", "抵债", "亲属买卖")


@dataclass
class City:
    tables: BaselineTables  # the ground truth, in the tax bureau's shapes
    units: pd.DataFrame
    sales: pd.DataFrame
    seed: int


def floor_curve(total: int, has_elevator: bool) -> list[float]:
    """True floor coefficients (percent) for floors 1..total."""
    if total == 6 and not has_elevator:
        return list(WALKUP_6)
    if total <= 8 and not has_elevator:
        # Walk-ups: middle floors best, top and ground floors worst.
        x = np.linspace(0, 1, total)
        return [round(float(v), 2) for v in 104 + 7 * np.sin(np.pi * x) - 10 * x ** 6 - 6 * (x == 0)]
    if total <= 8:
        x = np.linspace(0, 1, total)
        return [round(float(v), 2) for v in 97 + 8 * x - 3 * (x == 1)]
    # Towers: about ±8%: low floors cheaper, upper-middle floors dearest, the top floor a little lower.
    x = np.linspace(0, 1, total)
    return [round(float(v), 2) for v in 93 + 15 * x - 12 * np.maximum(x - 0.85, 0) - 2 * (x == 1)]


def truth_floor_table() -> pd.DataFrame:
    rows = []
    for klass, totals, lift in (("8层以内无电梯", range(1, 9), False), ("8层以内有电梯", range(1, 9), True),
                                ("8层以上", range(9, 41), True)):
        for total in totals:
            for floor, pct in enumerate(floor_curve(total, lift), start=1):
                rows.append((ALL_ZONES, klass, total, floor, pct, "乘"))
            rows.append((ALL_ZONES, klass, total, -1, 60.0, "乘"))  # basement storage/garage units
    return pd.DataFrame(rows, columns=["zone_code", "elevator_class", "total_floors", "floor", "percent", "method"])


def generate_city(seed: int = 20261127, n_zones: int = 4, communities_per_zone: int = 5,
                  buildings_per_community: int = 6, start: str = "2023-01", months: int = 36,
                  sales_per_building: float = 20.0, non_arms_length_share: float = 0.02,
                  noise_sigma: float = 0.04, with_units: bool = True) -> City:
    rng = np.random.default_rng(seed)
    start_period = pd.Period(start, freq="M")
    zones = pd.DataFrame({"zone_code": [f"Z{i + 1:02d}" for i in range(n_zones)],
                          "zone_name": [f"{DISTRICTS[i % len(DISTRICTS)]}片区" + (str(i // len(DISTRICTS) + 1)
                                        if i >= len(DISTRICTS) else "") for i in range(n_zones)]})
    n_comm = n_zones * communities_per_zone
    comm_zone = np.repeat(np.arange(n_zones), communities_per_zone)
    comm_names = [f"{COMMUNITY_WORDS[i % len(COMMUNITY_WORDS)]}{COMMUNITY_SUFFIX[(i // len(COMMUNITY_WORDS)) % len(COMMUNITY_SUFFIX)]}"
                  + (str(i // (len(COMMUNITY_WORDS) * len(COMMUNITY_SUFFIX)) + 1)
                     if i >= len(COMMUNITY_WORDS) * len(COMMUNITY_SUFFIX) else "") for i in range(n_comm)]
    communities = pd.DataFrame({"community_code": [f"C{i + 1:05d}" for i in range(n_comm)],
                                "community_name": comm_names,
                                "zone_code": zones["zone_code"].to_numpy()[comm_zone]})

    n_b = n_comm * buildings_per_community
    b_comm = np.repeat(np.arange(n_comm), buildings_per_community)
    b_no = np.tile(np.arange(1, buildings_per_community + 1), n_comm)
    kind = rng.choice(3, size=n_b, p=[0.45, 0.15, 0.40])  # walk-up, low-rise with lift, tower
    total = np.where(kind == 0, rng.choice([5, 6, 6, 6, 7], size=n_b),
                     np.where(kind == 1, rng.integers(6, 9, size=n_b), rng.integers(11, 34, size=n_b)))
    elevator = np.where(kind == 0, "无", "有")
    year = np.where(kind == 0, rng.integers(1988, 2006, size=n_b), rng.integers(2000, 2023, size=n_b))
    structure = np.where((kind == 0) & (year < 2000), "砖混", "钢混")
    house_type = np.where(kind == 2, "高层住宅", "普通住宅")
    district = np.array(DISTRICTS)[comm_zone[b_comm] % len(DISTRICTS)]
    address = [f"{CITY}{d}{communities['community_name'].iat[c]}{n}幢" for d, c, n in zip(district, b_comm, b_no,
                                                                                           strict=True)]
    buildings = pd.DataFrame({
        "building_id": [f"B{i + 1:06d}" for i in range(n_b)],
        "community_code": communities["community_code"].to_numpy()[b_comm],
        "address": address, "total_floors": total.astype(int), "elevator": elevator,
        "house_type": house_type, "structure": structure, "year_built": year.astype(int), "use": "住宅"})
    aliases = pd.DataFrame({"alias": [a.replace("幢", "栋") for a in address[: min(n_b, 50)]],
                            "building_id": buildings["building_id"].to_numpy()[: min(n_b, 50)]})

    zone_level = rng.uniform(9000, 22000, size=n_zones)
    comm_level = zone_level[comm_zone] * rng.lognormal(0, 0.12, size=n_comm)
    b_price = np.round(comm_level[b_comm] * rng.lognormal(0, 0.06, size=n_b), 0)
    effective = date(start_period.year, start_period.month, 1)
    base_prices = pd.DataFrame({"scope": "楼幢", "key": buildings["building_id"], "effective_date": effective,
                                "price": b_price.astype(float)})

    other = pd.DataFrame([(ALL_ZONES, "朝向", level, pct, "乘") for level, pct in ORIENTATION_TRUTH.items()]
                         + [(ALL_ZONES, "边套", "是", 101.0, "乘"), (ALL_ZONES, "边套", "否", 100.0, "乘")],
                         columns=["zone_code", "factor", "level", "percent", "method"])
    area_bands = pd.DataFrame([(ALL_ZONES, ALL_ZONES, lo, hi, pct, "乘") for lo, hi, pct in AREA_BANDS],
                              columns=["zone_code", "house_type", "area_from", "area_to", "percent", "method"])
    age_bands = pd.DataFrame([(st, lo, hi, pct, "乘") for st, bands in AGE_BANDS.items() for lo, hi, pct in bands],
                             columns=["structure", "age_from", "age_to", "percent", "method"])
    # Market drift: a gentle rise then a dip, the same across the city, plus one zone of its own.
    month_labels = [str(start_period + k) for k in range(1, months + 1)]
    drift = 100 + 0.4 * np.cos(np.linspace(0, 2.5, months)) + rng.normal(0, 0.15, size=months)
    index_rows = [(ALL_ZONES, m, round(float(v), 2)) for m, v in zip(month_labels, drift, strict=True)]
    if n_zones > 1:
        index_rows += [(zones["zone_code"].iat[-1], m, round(float(v) + 0.2, 2))
                       for m, v in zip(month_labels, drift, strict=True)]
    price_index = pd.DataFrame(index_rows, columns=["zone_code", "month", "index"])
    corrections = pd.DataFrame([("小区", communities["community_code"].iat[0], 150.0)],
                               columns=["scope", "key", "amount"])
    tables = BaselineTables({
        "zones": zones, "communities": communities, "buildings": buildings, "aliases": aliases,
        "base_prices": base_prices, "floor_coefficients": truth_floor_table(), "other_factors": other,
        "area_bands": area_bands, "age_bands": age_bands, "price_index": price_index,
        "zone_corrections": corrections}, name="demo-truth")

    units = _units(rng, buildings) if with_units else pd.DataFrame()
    sales = _sales(rng, tables, buildings, communities, start_period, months, sales_per_building,
                   non_arms_length_share, noise_sigma)
    return City(tables=tables, units=units, sales=sales, seed=seed)


def _units(rng, buildings: pd.DataFrame) -> pd.DataFrame:
    per_floor = 2
    total = buildings["total_floors"].to_numpy()
    b_rep = np.repeat(np.arange(len(buildings)), total * per_floor)
    floor = np.concatenate([np.repeat(np.arange(1, t + 1), per_floor) for t in total])
    slot = np.tile(np.arange(1, per_floor + 1), int(total.sum()))
    orientation = np.where(slot == 1, "南北", "南")
    area = np.round(np.where(slot == 1, rng.uniform(85, 145, len(b_rep)), rng.uniform(55, 95, len(b_rep))), 2)
    return pd.DataFrame({"building_id": buildings["building_id"].to_numpy()[b_rep], "floor": floor,
                         "room": [f"{f}{s:02d}" for f, s in zip(floor, slot, strict=True)],
                         "orientation": orientation, "area": area})


def _sales(rng, tables, buildings, communities, start_period, months, per_building, nal_share, sigma):
    n_b = len(buildings)
    counts = rng.poisson(per_building, size=n_b)
    b = np.repeat(np.arange(n_b), counts)
    n = len(b)
    total = buildings["total_floors"].to_numpy()[b]
    floor = (rng.random(n) * total).astype(int) + 1
    orient = rng.choice(list(ORIENTATION_TRUTH), size=n, p=[.3, .25, .1, .08, .03, .06, .05, .05, .04, .04])
    area = np.clip(np.round(rng.gamma(9, 10, size=n) + 30, 1), 30, 260)
    month = rng.integers(1, months + 1, size=n)
    day = rng.integers(1, 28, size=n)
    periods = pd.period_range(start_period + 1, periods=months, freq="M")
    sale_dates = pd.to_datetime([f"{p.year:04d}-{p.month:02d}" for p in periods[month - 1]]) + pd.to_timedelta(day - 1, "D")
    frame = pd.DataFrame({"building_id": buildings["building_id"].to_numpy()[b], "floor": floor,
                          "orientation": orient, "area": area, "contract_date": sale_dates.date,
                          "valuation_date": sale_dates.date})
    frame["contract_date"] = date(start_period.year, start_period.month, 1)  # base price in force at the start
    priced = QuoteEngine(tables).quote_frame(frame)
    true_value = priced["total_price_fen"].to_numpy() / 100.0
    nal = rng.random(n) < nal_share
    noise = rng.lognormal(0, sigma, size=n) * np.where(nal, rng.uniform(0.55, 0.8, size=n), 1.0)
    price = np.round(true_value * noise, -2)
    remarks = np.where(nal, rng.choice(NON_ARMS_LENGTH_REMARKS, size=n), "")
    zone_of = dict(zip(communities["community_code"], communities["zone_code"], strict=True))
    community = buildings["community_code"].to_numpy()[b]
    return pd.DataFrame({
        "sale_id": [f"S{i + 1:08d}" for i in range(n)], "building_id": frame["building_id"],
        "community_code": community, "zone_code": pd.Series(community).map(zone_of).to_numpy(),
        "address": buildings["address"].to_numpy()[b], "floor": floor, "total_floors": total,
        "elevator": buildings["elevator"].to_numpy()[b], "orientation": orient, "area": area,
        "price": price, "date": sale_dates.date, "remarks": remarks, "arms_length": ~nal,
        "true_value": np.round(true_value, 2)})
