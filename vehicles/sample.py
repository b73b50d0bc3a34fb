"""A seeded synthetic sample of used-car transactions (合成样本), for the demo and the tests.

The shared used-car listings may not be shipped (their SOURCE.md: development and benchmark data only), so
the demo's vehicle table is calibrated on this sample instead. It is written as a listing platform writes
its rows (车型名称 "宝马5系 2020款 530Li 领先型", 新车含税价 "43.99万", 成交价 in 万元 without a unit,
上牌时间 "2021-06" or "2021年", 表显里程 "3.20万公里", 检测结果 "['2处异常']", the city in Chinese) and
read through ``vehicles/mappings/sample.yaml`` like any other file, so the demo goes through the same mapping,
calibration and storage as real data.

The ground truth: log(price / new-car price) = −0.13 a year of age (−0.20 in the first year),
−0.018 per 10,000 km, a series effect, a city effect, −0.01 per inspection finding, a price index falling
0.3 % a month, and noise of standard deviation 0.05. Nothing here is a real transaction.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

SAMPLE_END = date(2026, 10, 1)  # the last month of the sample (its as-of month)
SAMPLE_MONTHS = 24

# (series as listings write it, model years, trims with their new-car prices in 万元, series effect, fuel word)
SERIES: tuple[tuple[str, tuple[int, ...], tuple[tuple[str, float], ...], float], ...] = (
    ("大众 速腾", (2019, 2020, 2021, 2022), (("280TSI DSG舒适型", 14.49), ("300TSI DSG卓越版", 17.29)), 0.00),
    ("宝马5系", (2018, 2020, 2021, 2022), (("530Li 领先型 M运动套装", 49.99), ("525Li 豪华套装", 45.99)), -0.08),
    ("丰田 卡罗拉", (2019, 2020, 2021, 2023), (("1.2T S-CVT 精英版", 12.98), ("双擎 1.8L E-CVT 豪华版", 15.78)), 0.08),
    ("本田 雅阁", (2018, 2019, 2021, 2022), (("260TURBO 精英版", 19.98), ("锐·混动 2.0L 锐·领先版", 22.98)), 0.06),
    ("奥迪A4L", (2019, 2020, 2022), (("40 TFSI 时尚型", 32.18), ("45 TFSI quattro 臻选动感型", 39.68)), -0.05),
    ("日产 轩逸", (2019, 2020, 2021, 2022), (("1.6XL CVT豪华版", 12.39), ("1.6XV CVT尊享版", 13.89)), 0.03),
    ("别克 英朗", (2018, 2019, 2021), (("15N 自动精英型", 11.99), ("20T 自动豪华型", 13.59)), -0.06),
    ("吉利 博越", (2019, 2020, 2021), (("1.8TD DCT智享型", 13.58), ("1.8TD DCT智尊型", 15.18)), -0.10),
    ("比亚迪 汉", (2020, 2021, 2022), (("EV 超长续航版尊贵型", 27.95), ("DM-i 242KM 尊享型", 24.98)), -0.04),
    ("长城 哈弗H6", (2019, 2020, 2021), (("1.5GDIT 自动豪华智联版", 12.80), ("2.0GDIT 自动超豪型", 14.60)), -0.07),
)
CITIES = (("北京", 0.02), ("上海", 0.03), ("广州", 0.01), ("成都", -0.01), ("杭州", 0.0), ("银川", -0.03))


def sample_listings(seed: int = 20261201, n: int = 900, *, end: date = SAMPLE_END,
                    months: int = SAMPLE_MONTHS) -> pd.DataFrame:
    """``n`` synthetic transactions over the ``months`` months ending with ``end``, as text cells."""
    rng = np.random.default_rng(seed)
    last = end.year * 12 + end.month - 1
    rows = []
    for i in range(n):
        s, years, trims, effect = SERIES[rng.integers(len(SERIES))]
        trim, new_wan = trims[rng.integers(len(trims))]
        model_year = int(years[rng.integers(len(years))])
        sale = last - int(rng.integers(months))
        sale_year, sale_month = divmod(sale, 12)
        reg = model_year * 12 + int(rng.integers(0, 14))  # registered in the model year or the next
        reg = min(reg, sale - 1)
        age_years = (sale - reg) / 12.0
        km = max(0.05, rng.gamma(4.0, 0.45) * max(age_years, 0.3))  # 10,000 km
        findings = rng.poisson(2.5, size=int(rng.integers(0, 5)))
        city, city_effect = CITIES[rng.integers(len(CITIES))]
        log_ratio = (-0.20 * min(age_years, 1.0) - 0.13 * max(age_years - 1.0, 0.0) - 0.018 * km + effect
                     + city_effect - 0.01 * findings.sum() + 0.003 * (last - sale)
                     + rng.normal(0.0, 0.05))
        price_wan = new_wan * float(np.exp(log_ratio))
        reg_year, reg_month = divmod(reg, 12)
        rows.append({
            "记录编号": f"S{i + 1:05d}",
            "车型名称": f"{s} {model_year}款 {trim}",
            "新车含税价": f"{new_wan:.2f}万",
            "成交价": f"{price_wan:.2f}",
            "上牌时间": f"{reg_year}年" if rng.random() < 0.2 else f"{reg_year}-{reg_month + 1:02d}",
            "表显里程": f"{km:.2f}万公里",
            "变速箱": "自动",
            "检测结果": str([f"{int(c)}处异常" for c in findings]),
            "城市": city,
            "成交日期": f"{sale_year}-{sale_month + 1:02d}-{int(rng.integers(1, 29)):02d}",
        })
    return pd.DataFrame(rows)


def sample_mapping() -> Path:
    """The column mapping of :func:`sample_listings` files."""
    return Path(__file__).resolve().parent / "mappings" / "sample.yaml"


def write_sample(path: str | Path, seed: int = 20261201, n: int = 900) -> Path:
    path = Path(path)
    sample_listings(seed, n).to_csv(path, index=False, encoding="utf-8")
    return path
